"""The account page says how old its usage data and its health input are (DESIGN 10)."""

import datetime
import html

import pytest
import time_machine
from django.urls import reverse

from accounts.models import UsageSnapshot
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0), tick=False):
        yield


def page_text(client, account):
    response = client.get(reverse("account_detail", args=[account.pk]))
    assert response.status_code == 200
    return html.unescape(response.text)


def test_the_page_gives_the_age_of_the_latest_usage_and_of_the_sentiment(client, tam):
    account = AccountFactory(tam=tam, tam_sentiment_on=datetime.date(2026, 10, 21))
    for days in (19, 12, 33):
        UsageSnapshot.objects.create(
            account=account,
            taken_on=TODAY - datetime.timedelta(days=days),
            licensed_users=100,
            active_users=30,
        )
    client.force_login(tam)

    text = page_text(client, account)

    assert "Usage data from 12 days ago; health input from 30 days ago" in text
    assert "(the TAM's sentiment, 2026-10-21)" in text


def test_without_usage_or_sentiment_the_page_says_so(client, tam):
    account = AccountFactory(tam=tam, tam_sentiment_on=None)
    client.force_login(tam)

    assert "No usage data; health input date unknown" in page_text(client, account)


def test_usage_taken_today_is_from_today(client, tam):
    account = AccountFactory(tam=tam, tam_sentiment_on=TODAY - datetime.timedelta(days=1))
    UsageSnapshot.objects.create(account=account, taken_on=TODAY, licensed_users=5, active_users=1)
    client.force_login(tam)

    assert "Usage data from today; health input from 1 day ago" in page_text(client, account)
