"""Password reset by e-mail (issue 11, point 6): Django's views with our templates, open
without signing in, the same answer whether or not the address belongs to someone."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import TamFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-and-long-passphrase-7"
ROOT = Path(__file__).resolve().parents[2]


def _ask(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def _link_in(message) -> str:
    return re.search(r"https?://testserver(/password-reset/\S+/\S+/)", message.body).group(1)


def test_the_login_page_links_to_the_reset(client):
    page = client.get(reverse("login"))

    assert f'href="{reverse("password_reset")}">Forgot your password?' in page.text


def test_the_reset_from_the_mail_to_signing_in_with_the_new_password(client):
    tam = TamFactory(email="ada@example.com")

    asked = _ask(client, "ADA@example.com")  # addresses match whatever their case
    assert asked.status_code == 302
    assert asked["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"]
    assert message.subject == "Your TAM Portal password"
    assert tam.username in message.body

    # The link sends to a page without the token in its address, then takes the password.
    form_page = client.get(_link_in(message), follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    set_password = form_page.redirect_chain[-1][0]
    done = client.post(set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("password_reset_complete")

    signed_in = client.post(reverse("login"), {"username": tam.username, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    old_password = client.post(
        reverse("login"), {"username": tam.username, "password": "test-password-123"}
    )
    assert old_password.status_code == 200


def test_a_used_link_no_longer_works(client):
    TamFactory(email="ada@example.com")
    _ask(client, "ada@example.com")
    link = _link_in(mail.outbox[0])
    set_password = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link, follow=True)

    assert not again.context["validlink"]
    assert "This link no longer works" in again.text


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    TamFactory(email="ada@example.com")

    known = _ask(client, "ada@example.com")
    unknown = _ask(client, "nobody@example.com")
    known_page = client.get(known["Location"])
    unknown_page = client.get(unknown["Location"])

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known_page.text == unknown_page.text
    assert "If an account uses that address" in unknown_page.text
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]


def test_a_mistyped_address_is_said_on_the_field(client):
    response = _ask(client, "not an address")

    assert response.status_code == 200
    assert "Enter a valid email address." in response.text
    assert mail.outbox == []


def _mail_settings(**environment):
    """EMAIL_* as tam_portal/settings.py reads them from this environment (a fresh process)."""
    script = (
        "from tam_portal import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, "
        "s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL, sep='|')"
    )
    clean = {name: value for name, value in os.environ.items() if not name.startswith("EMAIL")}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip().split("|")


def test_the_embedded_default_prints_mails():
    backend, *_ = _mail_settings()

    assert backend == "django.core.mail.backends.console.EmailBackend"


def test_production_sends_by_smtp_from_the_environment():
    assert _mail_settings(
        EMAIL_URL="smtp+tls://portal:s%40cret@mail.example.com:587",
        DEFAULT_FROM_EMAIL="TAM Portal <tam@example.com>",
    ) == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.com",
        "587",
        "portal",
        "s@cret",
        "True",
        "TAM Portal <tam@example.com>",
    ]
