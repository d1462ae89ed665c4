import pytest
from django.core.cache import cache
from django.test import Client

from api.models import IntegrationKey, PersonalToken


@pytest.fixture(autouse=True)
def _fresh_throttle_budgets():
    """The throttle counts in the cache: each test starts with full budgets."""
    cache.clear()
    yield
    cache.clear()


def personal_token(user, **fields) -> str:
    token = PersonalToken(user=user, name=fields.pop("name", "script"), **fields)
    secret = token.issue()
    token.save()
    return secret


def integration_key(name="CRM sync", **fields) -> str:
    key = IntegrationKey(name=name, **fields)
    secret = key.issue()
    key.save()
    return secret


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})
