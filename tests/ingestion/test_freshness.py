"""Freshness (DESIGN 10): a kind not fed within its limit is flagged in admin.

The limit is the admin's `stale_after_days`, else the kind's default: 7 days for usage,
activities and accounts, 30 for the rest. Stale means more than the limit has passed.
"""

import datetime
import html
import re

import pytest
import time_machine
from django.urls import reverse

from ingestion.models import Feed

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def fed(kind, days_ago, *, limit=None):
    return Feed.objects.create(
        kind=kind,
        last_fed_at=NOW - datetime.timedelta(days=days_ago),
        source=f"{kind}.csv",
        rows=1,
        stale_after_days=limit,
    )


def changelist(client, **params):
    response = client.get(reverse("admin:ingestion_feed_changelist"), params)
    assert response.status_code == 200
    return response


def kinds_listed(response):
    return re.findall(r'class="field-kind"><a [^>]*>([a-z_]+)</a>', response.text)


def test_a_kind_fed_longer_ago_than_its_limit_is_stale():
    assert fed("usage", 8, limit=7).is_stale(NOW)
    assert not fed("activities", 6, limit=7).is_stale(NOW)
    assert not fed("accounts", 7, limit=7).is_stale(NOW)  # exactly at the limit: still fresh


def test_without_a_limit_set_the_kinds_default_applies():
    assert fed("usage", 8).limit_days == 7 and Feed.objects.get(kind="usage").is_stale(NOW)
    webinars = fed("webinars", 20)
    assert webinars.limit_days == 30 and not webinars.is_stale(NOW)
    assert fed("teams", 20, limit=14).is_stale(NOW)  # the admin's limit wins


def test_admin_flags_stale_kinds_filters_them_and_warns(client, admin_user):
    fed("usage", 8, limit=7)
    fed("activities", 6, limit=7)
    client.force_login(admin_user)

    page = changelist(client)
    text = html.unescape(page.text).lower()  # the admin capitalises messages
    assert "usage: last fed 8 days ago from usage.csv, longer than its limit of 7 days." in text
    assert "activities: last fed" not in text
    assert "never fed: teams, people, accounts," in text
    assert kinds_listed(changelist(client, freshness="stale")) == ["usage"]
    assert kinds_listed(changelist(client, freshness="fresh")) == ["activities"]


def test_an_admin_sets_a_kinds_limit(client, admin_user):
    feed = fed("arr_snapshots", 40)
    client.force_login(admin_user)
    url = reverse("admin:ingestion_feed_change", args=[feed.pk])

    response = client.post(url, {"stale_after_days": "100"})

    assert response.status_code == 302
    feed.refresh_from_db()
    assert feed.stale_after_days == 100 and not feed.is_stale(NOW)
    assert feed.source == "arr_snapshots.csv"  # what the import wrote stays as it was
