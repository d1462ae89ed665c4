"""Failed sign-ins are throttled per username and address (issue 11, point 6; people/sign_in.py).

Five wrong passwords for one username from one address lock that pair for 15 minutes
(settings: AXES_FAILURE_LIMIT, AXES_COOLOFF_TIME): the login page says so, a locked-out
attempt is refused before the password is hashed, other users and addresses are not
affected, an admin unlocks by deleting the access attempt, and bearer tokens keep working.
"""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client, RequestFactory
from django.urls import reverse

from people.sign_in import client_address
from tests.api.conftest import bearer, personal_token
from tests.factories import TamFactory

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"  # tests.factories.UserFactory
LOCKED = "Too many failed sign-ins for this user from this address"
WRONG = "Please enter a correct username and password"


class CountingHasher(MD5PasswordHasher):
    """The tests' MD5 hasher, counting the passwords it checks."""

    checked = 0

    def verify(self, password, encoded):
        CountingHasher.checked += 1
        return super().verify(password, encoded)


@pytest.fixture(autouse=True)
def _counting_hasher(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.checked = 0


def _sign_in(client, username, password, url=None, **extra):
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, **extra
    )


def _fail(client, username, times, url=None, **extra):
    return [_sign_in(client, username, "wrong", url=url, **extra) for _ in range(times)]


def _signed_in(client):
    return client.get(reverse("book")).status_code == 200


def test_the_fifth_wrong_password_locks_the_pair_with_a_message_on_the_login_page(client, tam):
    first_four = _fail(client, tam.username, 4)
    fifth = _sign_in(client, tam.username, "wrong")

    assert [r.status_code for r in first_four] == [200] * 4
    assert all(WRONG in r.text and LOCKED not in r.text for r in first_four)
    assert fifth.status_code == 429
    assert "try again in 15 minutes or ask an admin to unlock it" in fifth.text
    # The login page itself, with the form to try again later.
    assert fifth.templates[0].name == "registration/login.html"
    assert 'name="password"' in fifth.text


def test_a_locked_out_pair_is_refused_even_with_the_right_password_before_hashing(client, tam):
    _fail(client, tam.username, 5)
    hashed_so_far = CountingHasher.checked

    sixth = _sign_in(client, tam.username, "wrong")
    right = _sign_in(client, tam.username, PASSWORD)

    assert sixth.status_code == right.status_code == 429
    assert LOCKED in sixth.text and LOCKED in right.text
    assert not _signed_in(client)
    assert hashed_so_far == 5  # each of the five failures was checked ...
    assert CountingHasher.checked == 5  # ... the refused ones were not


def test_other_users_and_other_addresses_are_not_affected(tam):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    _fail(attacker, tam.username, 5)
    colleague = TamFactory(team=tam.team)

    colleague_from_the_same_address = Client(REMOTE_ADDR="203.0.113.9")
    owner_from_the_office = Client(REMOTE_ADDR="198.51.100.7")

    assert (
        _sign_in(colleague_from_the_same_address, colleague.username, PASSWORD).status_code == 302
    )
    assert _sign_in(owner_from_the_office, tam.username, PASSWORD).status_code == 302
    assert _signed_in(owner_from_the_office)
    assert _sign_in(attacker, tam.username, PASSWORD).status_code == 429


def test_the_lock_ends_after_the_cool_off(tam):
    client = Client()
    start = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        _fail(client, tam.username, 5)
    with time_machine.travel(start + datetime.timedelta(minutes=14), tick=False):
        assert _sign_in(client, tam.username, PASSWORD).status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
        assert _sign_in(client, tam.username, PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_count(client, tam):
    _fail(client, tam.username, 4)
    assert _sign_in(client, tam.username, PASSWORD).status_code == 302
    client.post(reverse("logout"))

    after = _fail(client, tam.username, 4)

    assert [r.status_code for r in after] == [200] * 4


def test_an_admin_sees_the_lockout_and_deleting_it_unlocks(client, tam, admin_user):
    _fail(client, tam.username, 5)
    attempt = AccessAttempt.objects.get(username=tam.username)
    admin = Client()
    admin.force_login(admin_user)

    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    deleted = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert listing.status_code == 200
    assert tam.username in listing.text and "127.0.0.1" in listing.text
    assert deleted.status_code == 302
    assert _sign_in(client, tam.username, PASSWORD).status_code == 302
    assert _signed_in(client)


def test_the_admin_login_shares_the_count_with_the_portals(client, admin_user):
    url = reverse("admin:login")
    _fail(client, admin_user.username, 4)
    fifth = _sign_in(client, admin_user.username, "wrong", url=url)
    right = _sign_in(client, admin_user.username, PASSWORD, url=url)

    assert fifth.status_code == right.status_code == 429
    assert LOCKED in right.text
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_admin_login_counts_its_own_failures(client, admin_user):
    url = reverse("admin:login")
    for _ in range(5):
        response = _sign_in(client, admin_user.username, "wrong", url=url)

    assert response.status_code == 429
    assert LOCKED in response.text
    # Back to the admin after the lock, not to the book.
    assert f'name="next" value="{reverse("admin:index")}"' in response.text


def test_a_bearer_token_keeps_working_for_a_locked_out_user(client, tam):
    token = personal_token(tam)
    _fail(client, tam.username, 5)

    response = bearer(token).get("/api/v1/accounts/")

    assert response.status_code == 200


# --- the address failures are counted against -------------------------------------------


def _address(settings, proxies, forwarded=None, remote="10.0.0.5"):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory(REMOTE_ADDR=remote, headers=headers).get("/login/"))


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings):
    assert _address(settings, 0, forwarded="198.51.100.7") == "10.0.0.5"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        # One proxy appends the address it was reached from; what the client sent is left.
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "1.1.1.1, 198.51.100.7", "198.51.100.7"),
        (2, "1.1.1.1, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
        # Too few hops, or not an address: the proxy's own address.
        (2, "198.51.100.7", "10.0.0.5"),
        (1, "", "10.0.0.5"),
        (1, "unknown", "10.0.0.5"),
        (1, "198.51.100.7:5555", "10.0.0.5"),
    ],
)
def test_behind_trusted_proxies_the_client_is_counted_from_the_right(
    settings, proxies, forwarded, expected
):
    assert _address(settings, proxies, forwarded=forwarded) == expected


def test_a_forged_forwarded_header_does_not_dodge_the_lock(tam):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(5):
        _sign_in(attacker, tam.username, "wrong", headers={"X-Forwarded-For": f"192.0.2.{n}"})

    response = _sign_in(attacker, tam.username, PASSWORD, headers={"X-Forwarded-For": "192.0.2.99"})

    assert response.status_code == 429


def test_behind_a_proxy_two_clients_are_counted_apart(settings, tam):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker, owner = Client(**proxy), Client(**proxy)
    for _ in range(5):
        _sign_in(attacker, tam.username, "wrong", headers={"X-Forwarded-For": "203.0.113.9"})

    blocked = _sign_in(attacker, tam.username, PASSWORD, headers={"X-Forwarded-For": "203.0.113.9"})
    allowed = _sign_in(owner, tam.username, PASSWORD, headers={"X-Forwarded-For": "198.51.100.7"})

    assert blocked.status_code == 429
    assert allowed.status_code == 302
