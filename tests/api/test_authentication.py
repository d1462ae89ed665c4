"""Who gets in (DESIGN 10): a personal token acts as its user, an integration key reads
everything within its scopes; revoked, expired, unknown or malformed tokens get 401; a
key never opens a browser page."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Account
from api import tokens
from api.models import IntegrationKey, PersonalToken
from tests.api.conftest import bearer, integration_key, personal_token
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

ACCOUNTS = "/api/v1/accounts/"


def _external_ids(response):
    assert response.status_code == 200, response.content
    return {row["external_id"] for row in response.json()["results"]}


@pytest.fixture
def two_books(tam, other_tam):
    return AccountFactory(tam=tam), AccountFactory(tam=other_tam)


def test_a_personal_token_reads_its_users_scope(tam, two_books):
    own, _ = two_books
    assert _external_ids(bearer(personal_token(tam)).get(ACCOUNTS)) == {own.external_id}


def test_a_managers_token_reads_the_team(manager, tam, two_books):
    own, _ = two_books
    assert _external_ids(bearer(personal_token(manager)).get(ACCOUNTS)) == {own.external_id}


def test_an_integration_key_reads_every_account(two_books):
    every = set(Account.objects.values_list("external_id", flat=True))
    assert _external_ids(bearer(integration_key()).get(ACCOUNTS)) == every


def test_a_key_without_the_read_scope_may_not_read(two_books):
    response = bearer(integration_key(can_read=False, can_write=True)).get(ACCOUNTS)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "token",
    [
        "tam_pt_00000000_not-a-real-secret",  # well-formed, unknown prefix
        "tam_xx_12345678_secret",  # unknown kind
        "nonsense",
        "",
    ],
)
def test_unknown_or_malformed_tokens_get_401(tam, token):
    response = Client(headers={"Authorization": f"Bearer {token}"}).get(ACCOUNTS)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_right_prefix_with_a_wrong_secret_gets_401(tam):
    token = personal_token(tam)
    forged = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
    assert bearer(forged).get(ACCOUNTS).status_code == 401


def test_no_credentials_get_401():
    assert Client().get(ACCOUNTS).status_code == 401


def test_a_revoked_token_and_a_revoked_key_get_401(tam):
    token, key = personal_token(tam), integration_key()
    assert bearer(token).get(ACCOUNTS).status_code == 200
    assert bearer(key).get(ACCOUNTS).status_code == 200
    PersonalToken.objects.get().revoke()
    IntegrationKey.objects.get().revoke()
    assert bearer(token).get(ACCOUNTS).status_code == 401
    assert bearer(key).get(ACCOUNTS).status_code == 401


def test_an_expired_key_gets_401_from_its_expiry_on(time_machine):
    expiry = timezone.now() + datetime.timedelta(days=1)
    key = integration_key(expires_at=expiry)
    time_machine.move_to(expiry - datetime.timedelta(seconds=1), tick=False)
    assert bearer(key).get(ACCOUNTS).status_code == 200
    time_machine.move_to(expiry, tick=False)
    assert bearer(key).get(ACCOUNTS).status_code == 401


def test_an_inactive_users_token_gets_401(tam):
    token = personal_token(tam)
    tam.is_active = False
    tam.save()
    assert bearer(token).get(ACCOUNTS).status_code == 401


def test_the_session_is_accepted_with_the_users_scope(tam, two_books):
    """The docs page tries calls with the browser's session."""
    own, _ = two_books
    client = Client()
    client.force_login(tam)
    assert _external_ids(client.get(ACCOUNTS)) == {own.external_id}


# (Not named `page`: pytest-playwright would take the test for a browser test.)
@pytest.mark.parametrize("path", ["/book/", "/dashboard/", "/admin/"])
def test_an_integration_key_never_opens_a_browser_page(path):
    response = bearer(integration_key()).get(path)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_personal_token_never_opens_a_browser_page(tam):
    response = bearer(personal_token(tam)).get("/book/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_only_a_hash_is_stored_and_last_use_is_recorded(tam):
    token = personal_token(tam)
    row = PersonalToken.objects.get()
    assert row.last_used_at is None
    assert token not in {row.prefix, row.digest}
    assert row.digest == tokens.digest_of(token)
    bearer(token).get(ACCOUNTS)
    row.refresh_from_db()
    assert row.last_used_at is not None


# --- personal tokens, managed by their user ---------------------------------------------


def test_a_user_creates_lists_and_revokes_their_own_token(tam):
    client = Client()
    client.force_login(tam)
    created = client.post("/api/v1/tokens/", {"name": "weekly export"})
    assert created.status_code == 201
    secret = created.json()["token"]
    assert bearer(secret).get(ACCOUNTS).status_code == 200
    listed = client.get("/api/v1/tokens/").json()
    assert [row["name"] for row in listed] == ["weekly export"]
    assert "token" not in listed[0]  # shown once, at creation only
    assert client.delete(f"/api/v1/tokens/{listed[0]['id']}/").status_code == 204
    assert bearer(secret).get(ACCOUNTS).status_code == 401
    assert client.get("/api/v1/tokens/").json()[0]["revoked_at"] is not None


def test_a_user_cannot_see_or_revoke_anothers_token(tam, other_tam):
    personal_token(other_tam)
    theirs = PersonalToken.objects.get()
    client = bearer(personal_token(tam))
    assert client.get(f"/api/v1/tokens/{theirs.pk}/").status_code == 404
    assert client.delete(f"/api/v1/tokens/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_an_integration_key_cannot_manage_personal_tokens():
    client = bearer(integration_key(can_write=True))
    assert client.get("/api/v1/tokens/").status_code == 403
    assert client.post("/api/v1/tokens/", {"name": "x"}).status_code == 403


# --- integration keys, made by an admin ---------------------------------------------------


def test_an_admin_creates_a_key_and_sees_its_secret_once(admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/api/integrationkey/add/",
        {"name": "Warehouse", "can_read": "on", "expires_at_0": "", "expires_at_1": ""},
    )
    assert response.status_code == 200, response.content
    key = IntegrationKey.objects.get(name="Warehouse")
    shown = response.context["token"]
    assert key.digest == tokens.digest_of(shown)
    assert shown in response.content.decode()
    assert key.created_by == admin_user
    page = client.get(f"/admin/api/integrationkey/{key.pk}/change/").content.decode()
    assert shown not in page
    assert bearer(shown).get(ACCOUNTS).status_code == 200


def test_an_admin_revokes_a_key_from_the_list(admin_user):
    secret = integration_key()
    client = Client()
    client.force_login(admin_user)
    key = IntegrationKey.objects.get()
    client.post(
        "/admin/api/integrationkey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert bearer(secret).get(ACCOUNTS).status_code == 401


def test_a_key_needs_a_scope(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        IntegrationKey.objects.create(name="none", prefix="abcd1234", can_read=False)
