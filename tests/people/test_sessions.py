"""Sessions end after the admin's idle time, and nothing signed in is cached (issue 11, point 6;
people/sessions.py, people/middleware.py)."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import SecuritySettings
from people.sessions import LAST_SEEN
from tests.api.conftest import bearer, personal_token

pytestmark = pytest.mark.django_db

HOURS_12 = 12 * 60 * 60


@pytest.fixture(autouse=True)
def _no_cached_setting():
    # The idle time is cached for a minute; each test starts from the database's row.
    cache.delete(SecuritySettings.CACHE_KEY)
    yield
    cache.delete(SecuritySettings.CACHE_KEY)


def _last_seen(client):
    return client.session[LAST_SEEN]


def _seen_ago(client, seconds):
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


# --- idle sessions --------------------------------------------------------------------------


def test_signing_in_stamps_the_session(client, tam):
    before = int(time.time())
    client.post(reverse("login"), {"username": tam.username, "password": "test-password-123"})

    assert before <= _last_seen(client) <= int(time.time())


def test_the_default_is_twelve_hours_and_it_is_one_row():
    assert SecuritySettings.objects.get().session_idle_minutes == 12 * 60
    assert SecuritySettings.session_idle_seconds() == HOURS_12


def test_a_session_idle_for_longer_than_twelve_hours_ends(client, tam):
    client.force_login(tam)
    _seen_ago(client, HOURS_12 + 61)

    response = client.get(reverse("book"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    login_page = client.get(response["Location"])
    assert "You were signed out after 12 hours without activity" in login_page.text
    assert client.get(reverse("book")).status_code == 302  # still signed out


def test_a_session_idle_for_less_stays_and_is_seen_again(client, tam):
    client.force_login(tam)
    _seen_ago(client, HOURS_12 - 60)

    response = client.get(reverse("book"))

    assert response.status_code == 200
    assert int(time.time()) - _last_seen(client) <= 1


def test_within_the_minute_the_session_is_not_written(client, tam):
    client.force_login(tam)
    _seen_ago(client, 30)
    stamped = _last_seen(client)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("book")).status_code == 200

    assert _last_seen(client) == stamped
    writes = [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert not [sql for sql in writes if Session._meta.db_table in sql]
    assert not [q for q in queries if SecuritySettings._meta.db_table in q["sql"]]


def test_after_a_minute_the_session_is_written_once_and_the_setting_read_once(client, tam):
    client.force_login(tam)
    _seen_ago(client, 90)

    with CaptureQueriesContext(connection) as first:
        client.get(reverse("book"))
    _seen_ago(client, 90)
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("book"))

    def reads_of_the_setting(queries):
        return sum(SecuritySettings._meta.db_table in q["sql"] for q in queries)

    assert reads_of_the_setting(first) == 1
    assert reads_of_the_setting(second) == 0  # cached


def test_the_admins_idle_time_applies(client, tam):
    setting = SecuritySettings.current()
    setting.session_idle_minutes = 30
    setting.save()
    client.force_login(tam)

    _seen_ago(client, 29 * 60)
    assert client.get(reverse("book")).status_code == 200
    _seen_ago(client, 31 * 60)
    response = client.get(reverse("book"))

    assert response.status_code == 302
    assert "after 30 minutes without activity" in client.get(response["Location"]).text


def test_an_admin_edits_the_idle_time_in_the_admin_within_its_range(admin_client):
    url = reverse("admin:people_securitysettings_change", args=[1])

    too_short = admin_client.post(url, {"session_idle_minutes": "4"})
    too_long = admin_client.post(url, {"session_idle_minutes": "20161"})
    saved = admin_client.post(url, {"session_idle_minutes": "90"})

    assert too_short.status_code == too_long.status_code == 200
    assert "greater than or equal to 5" in too_short.text
    assert "less than or equal to 20160" in too_long.text
    assert saved.status_code == 302
    assert SecuritySettings.session_idle_seconds() == 90 * 60


def test_the_setting_cannot_be_added_twice_or_deleted(admin_client):
    assert admin_client.get(reverse("admin:people_securitysettings_add")).status_code == 403
    delete = reverse("admin:people_securitysettings_delete", args=[1])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert SecuritySettings.objects.count() == 1


def test_a_session_from_before_the_rule_counts_from_now(client, tam):
    client.force_login(tam)
    session = client.session
    del session[LAST_SEEN]
    session.save()

    assert client.get(reverse("book")).status_code == 200
    assert int(time.time()) - _last_seen(client) <= 1


# --- Cache-Control: no-store ----------------------------------------------------------------


def _no_store(response):
    return response.headers.get("Cache-Control") == "no-store"


def test_the_book_the_account_page_and_the_export_are_not_stored(client, account):
    client.force_login(account.tam)

    book = client.get(reverse("book"))
    page = client.get(reverse("account_detail", args=[account.pk]))
    export = client.get(reverse("book_export"))

    assert (book.status_code, page.status_code, export.status_code) == (200, 200, 200)
    assert _no_store(book) and _no_store(page) and _no_store(export)
    assert export["Content-Type"].startswith("text/csv")


def test_the_api_is_not_stored_with_a_token_or_the_session(client, tam):
    client.force_login(tam)

    by_token = bearer(personal_token(tam)).get("/api/v1/accounts/")
    by_session = client.get("/api/v1/accounts/")

    assert by_token.status_code == by_session.status_code == 200
    assert _no_store(by_token) and _no_store(by_session)


def test_a_signed_in_redirect_and_error_are_not_stored_either(client, tam):
    client.force_login(tam)

    assert _no_store(client.get("/"))
    assert _no_store(client.get("/accounts/999999/"))


def test_an_anonymous_redirect_is_left_alone(client):
    response = client.get(reverse("book"))

    assert response.status_code == 302
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_static_files_keep_their_cache_headers(settings, tam):
    # WhiteNoise serves from the app's static directories here (a deployment serves the
    # collected files, with the same headers); the middleware reads its settings when the
    # client first loads it, so this client is made after the change.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()
    client.force_login(tam)

    response = client.get("/static/css/portal.css")
    response.close()

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=60, public"  # WhiteNoise's, not no-store
