"""The book's CSV for people (issue 12, point 12) and its churned / renewal-passed flags.

The CSV is the one people open in Excel: it starts with a UTF-8 byte order mark and names
the TAM. Churned is ARR exactly 0 (an ARR of 0.01 is a paying customer, an unknown ARR is
not churn); a renewal is passed when its date is before today, and a renewal dated today
is not yet passed (it is still to be held that day). Today is frozen at 2026-11-20.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Account
from portal.book.labels import account_flags
from tests.factories import AccountFactory, TamFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0), tick=False):
        yield


def _export_bytes(client, **params) -> bytes:
    response = client.get(reverse("book_export"), params)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _rows(client, **params) -> dict[str, dict[str, str]]:
    text = _export_bytes(client, **params).decode("utf-8-sig")
    return {row["name"]: row for row in csv.DictReader(io.StringIO(text))}


def _name_cell(client, name: str, **params) -> str:
    """The book's name cell of the row for `name` (the flags show under the name)."""
    text = client.get(reverse("book"), params).text
    start = text.index(f">{name}</a>")
    return text[start : text.index("</td>", start)]


# --- the flags, at their boundaries ---------------------------------------------------------


@pytest.mark.parametrize(
    ("arr", "renewal_date", "flags"),
    [
        (Decimal("0"), None, ["Churned"]),
        (Decimal("0.00"), None, ["Churned"]),
        (Decimal("0.01"), None, []),
        (None, None, []),  # ARR unknown: not churned, just not known
        (Decimal("100"), YESTERDAY, ["Renewal passed"]),
        (Decimal("100"), TODAY, []),  # renews today: not yet passed
        (Decimal("0"), YESTERDAY, ["Churned", "Renewal passed"]),
    ],
)
def test_the_flags_at_their_boundaries(arr, renewal_date, flags):
    assert account_flags(arr, renewal_date, TODAY) == flags


# --- the CSV ----------------------------------------------------------------------------------


def test_the_book_csv_starts_with_a_utf8_bom_for_excel(client, tam):
    AccountFactory(tam=tam, name="Zürich Versicherung")
    client.force_login(tam)

    content = _export_bytes(client)

    assert content.startswith(b"\xef\xbb\xbf")
    assert content.count(b"\xef\xbb\xbf") == 1  # once, at the start of the stream only
    assert "Zürich Versicherung".encode() in content
    header = content[3:].split(b"\n", 1)[0].decode()
    assert header.startswith("external_id,name,tam_email,")


def test_the_book_csv_names_the_tam_and_keeps_the_email(client, manager, team):
    ada = TamFactory(team=team, first_name="Ada", last_name="Lovelace", email="ada@example.com")
    AccountFactory(tam=ada, name="Analytical")
    client.force_login(manager)

    row = _rows(client)["Analytical"]

    assert row["tam_email"] == "ada@example.com"
    assert row["tam_name"] == "Ada Lovelace"


def test_the_tam_name_is_guarded_like_every_text_cell(client, tam):
    tam.first_name, tam.last_name = "=cmd", "X"
    tam.save(update_fields=["first_name", "last_name"])
    AccountFactory(tam=tam, name="Guarded")
    client.force_login(tam)

    assert _rows(client)["Guarded"]["tam_name"] == "'=cmd X"


def test_the_book_csv_carries_the_flags(client, tam):
    AccountFactory(tam=tam, name="Gone", arr=Decimal("0"), renewal_date=YESTERDAY)
    AccountFactory(tam=tam, name="Cent", arr=Decimal("0.01"), renewal_date=TODAY)
    AccountFactory(tam=tam, name="Lapsed", arr=Decimal("5000"), renewal_date=YESTERDAY)
    client.force_login(tam)

    rows = _rows(client)

    assert rows["Gone"]["flags"] == "Churned;Renewal passed"
    assert rows["Cent"]["flags"] == ""
    assert rows["Lapsed"]["flags"] == "Renewal passed"


# --- the page ---------------------------------------------------------------------------------


def test_the_book_shows_the_badges_under_the_name(client, tam):
    AccountFactory(tam=tam, name="Gone", arr=Decimal("0"), renewal_date=YESTERDAY)
    AccountFactory(tam=tam, name="Cent", arr=Decimal("0.01"), renewal_date=TODAY)
    client.force_login(tam)

    gone = _name_cell(client, "Gone")
    cent = _name_cell(client, "Cent")

    assert '<span class="flag flag-churned">Churned</span>' in gone
    assert '<span class="flag flag-renewal-passed">Renewal passed</span>' in gone
    assert 'class="flag' not in cent


def test_the_flag_filter_keeps_the_flagged_rows_in_the_page_and_the_csv(client, tam):
    AccountFactory(tam=tam, name="Gone", arr=Decimal("0"), renewal_date=TODAY)
    AccountFactory(tam=tam, name="Cent", arr=Decimal("0.01"), renewal_date=YESTERDAY)
    AccountFactory(tam=tam, name="Fine", arr=Decimal("10"), renewal_date=TODAY)
    client.force_login(tam)

    churned = client.get(reverse("book"), {"flag": "churned"}).text
    assert "1 account matches the filters." in churned and ">Gone</a>" in churned
    assert set(_rows(client, flag="churned")) == {"Gone"}
    assert set(_rows(client, flag="renewal_passed")) == {"Cent"}
    assert Account.objects.count() == 3
