"""Pages require login, and nobody sees an account outside their scope (404, not data)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import AccountFactory, ManagerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/book/", "/accounts/1/"])
def test_every_page_requires_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_is_open_and_the_demo_login_works(client, tam):
    assert client.get(reverse("login")).status_code == 200

    response = client.post(
        reverse("login"), {"username": tam.username, "password": "test-password-123"}
    )

    assert response.status_code == 302
    assert client.get(reverse("book")).status_code == 200


def test_a_wrong_password_shows_the_error_on_the_form(client, tam):
    response = client.post(reverse("login"), {"username": tam.username, "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text


def test_logout_ends_the_session(client, tam):
    client.force_login(tam)

    client.post(reverse("logout"))

    assert client.get(reverse("book")).status_code == 302


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("other_tam", 404), ("manager", 200), ("other_manager", 404), ("admin", 200)],
)
def test_account_page_is_scoped(client, account, other_tam, manager, admin_user, who, status):
    people = {
        "owner": account.tam,
        "other_tam": other_tam,
        "manager": manager,
        "other_manager": ManagerFactory(),
        "admin": admin_user,
    }
    client.force_login(people[who])

    response = client.get(reverse("account_detail", args=[account.pk]))

    assert response.status_code == status
    if status == 404:
        assert account.name not in response.text


def test_the_account_page_shows_the_onboarding_clocks(client, tam):
    account = AccountFactory(
        tam=tam,
        customer_since=timezone.localdate() - datetime.timedelta(days=20),
        first_engaged_on=None,
        first_value_on=None,
        onboarded_on=None,
    )
    client.force_login(tam)

    response = client.get(reverse("account_detail", args=[account.pk]))

    clocks = {clock.name: clock for clock in response.context["clocks"]}
    assert clocks["first_engage"].late  # day 20, target 10
    assert not clocks["first_value"].late  # day 20, target 30
    assert "late" in response.text
