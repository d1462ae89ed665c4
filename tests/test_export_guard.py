"""Exports are safe to open (issue 11, point 5).

Every CSV a person may open (the book's, `export_accounts`, `export_data`,
`export_metrics`) guards the text cells a spreadsheet would run as a formula (OWASP CSV
injection: a leading `=`, `+`, `-`, `@`, tab or carriage return gets a `'`), writes
numbers as numbers, and the import removes exactly that guard (`lib.spreadsheet`).
"""

from __future__ import annotations

import ast
import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.importing import import_accounts
from accounts.models import Account, Activity, Contact
from ingestion.service import import_records
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    MetricResultFactory,
    OpportunityFactory,
    region,
)

HYPERLINK = '=HYPERLINK("http://evil.example","Click")'
ROOT = Path(__file__).resolve().parent.parent


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _command(name: str, *args: str) -> str:
    output = io.StringIO()
    call_command(name, *args, stdout=output, stderr=io.StringIO())
    return output.getvalue()


@pytest.mark.django_db
def test_the_book_export_guards_every_text_cell_and_writes_numbers_as_numbers(client, tam):
    tam.email = "+tam@example.com"
    tam.save(update_fields=["email"])
    AccountFactory(tam=tam, external_id="-SF-1", name="@SUM(A1:A9)", arr=Decimal("120000.50"))
    client.force_login(tam)

    response = client.get(reverse("book_export"))
    (row,) = _rows(b"".join(response.streaming_content).decode("utf-8-sig"))

    assert row["external_id"] == "'-SF-1"
    assert row["name"] == "'@SUM(A1:A9)"
    assert row["tam_email"] == "'+tam@example.com"
    assert row["arr"] == "120000.50"


@pytest.mark.django_db
def test_export_accounts_guards_text_and_its_file_imports_back_as_no_change(tam):
    parent = AccountFactory(tam=tam, external_id="=PARENT", name="'=already quoted")
    AccountFactory(tam=tam, external_id="@child", name=HYPERLINK, parent=parent)
    AccountFactory(tam=tam, external_id="SF-3", name="\tcmd|' /C calc'!A0", lam=Decimal("0.50"))
    text = _command("export_accounts")

    rows = {row["external_id"]: row for row in _rows(text)}
    assert set(rows) == {"'=PARENT", "'@child", "SF-3"}
    assert rows["'=PARENT"]["name"] == "''=already quoted"  # one more quote than it has
    assert rows["'@child"]["name"] == "'" + HYPERLINK
    assert rows["'@child"]["parent_external_id"] == "'=PARENT"
    assert rows["SF-3"]["name"] == "'\tcmd|' /C calc'!A0"
    assert rows["SF-3"]["lam"] == "0.50"
    assert rows["SF-3"]["tam_email"] == tam.email  # nothing to guard, nothing added

    summary = import_accounts(io.StringIO(text))

    assert (summary.rows, summary.created, summary.updated) == (3, 0, 0)
    assert dict(Account.objects.values_list("external_id", "name")) == {
        "=PARENT": "'=already quoted",
        "@child": HYPERLINK,
        "SF-3": "\tcmd|' /C calc'!A0",
    }


@pytest.mark.django_db
def test_a_hand_written_file_loses_only_a_quote_before_a_formula_character(tam):
    """`'=x` is how a person keeps a spreadsheet from running `=x`: it reads as `=x`.
    A quote before anything else is part of the text."""
    import_accounts(
        io.StringIO(
            "external_id,name,region\n"
            "SF-1,'=SUM(A1),us-enterprise\n"
            "SF-2,'quoted,us-enterprise\n"
            "SF-3, '-spaced ,us-enterprise\n"
        )
    )

    assert dict(Account.objects.values_list("external_id", "name")) == {
        "SF-1": "=SUM(A1)",
        "SF-2": "'quoted",
        "SF-3": "-spaced",
    }


@pytest.mark.django_db
def test_export_data_guards_text_and_writes_a_negative_amount_as_a_number(account):
    OpportunityFactory(account=account, external_id="+OPP-1", amount=Decimal("-5"))
    ActivityFactory(account=account, external_id="ACT-1", notes="=cmd|' /C calc'!A0\rnext")

    (opportunity,) = _rows(_command("export_data", "opportunities"))
    (activity,) = _rows(_command("export_data", "activities"))

    assert opportunity["external_id"] == "'+OPP-1"
    assert opportunity["amount"] == "-5.00"  # a downsell: a number, not text
    assert activity["notes"] == "'=cmd|' /C calc'!A0\rnext"


@pytest.mark.django_db
def test_export_data_of_hostile_text_imports_back_as_it_was(account, tmp_path):
    ActivityFactory(account=account, external_id="-ACT-1", notes="'=already quoted")
    ActivityFactory(account=account, external_id="ACT-2", notes="@SUM(A1)\rsecond line")
    path = tmp_path / "activities.csv"
    call_command("export_data", "activities", str(path), stderr=io.StringIO())
    Activity.objects.all().delete()

    _command("import_data", "activities", str(path))

    assert dict(Activity.objects.values_list("external_id", "notes")) == {
        "-ACT-1": "'=already quoted",
        "ACT-2": "@SUM(A1)\rsecond line",
    }


@pytest.mark.django_db
def test_export_metrics_guards_a_scope_name_and_writes_negative_figures_as_numbers(team):
    team.name = "=evil team"
    team.save(update_fields=["name"])
    MetricResultFactory(
        scope_type="team",
        scope=str(team.pk),
        numerator=Decimal("-1200.50"),
        denominator=Decimal(4),
        value=Decimal("-5.0000"),
        attained=False,
    )

    (row,) = _rows(_command("export_metrics", "--quarter", "FY27-Q4"))

    assert row["scope"] == "'=evil team"
    assert (row["numerator"], row["denominator"], row["value"]) == ("-1200.5", "4", "-5")
    assert (row["target"], row["attained"]) == ("0.75", "false")


@pytest.mark.django_db
def test_an_api_value_that_looks_guarded_is_stored_as_sent(account):
    """The API carries no export guard, so nothing is taken off what it sends."""
    import_records(
        "accounts",
        [{"external_id": "'=API-1", "name": "'=SUM(A1)", "region": region().code}],
        source="test",
    )
    import_records(
        "contacts",
        [{"external_id": "C-1", "account_external_id": account.external_id, "name": "''+x"}],
        source="test",
    )

    assert Account.objects.get(external_id="'=API-1").name == "'=SUM(A1)"
    assert Contact.objects.get(external_id="C-1").name == "''+x"


# Writers of CSV that no person opens: an upload re-written for the import itself, and
# the benchmarks' generated input files.
NOT_FOR_PEOPLE = {"ingestion/service.py", "lib/spreadsheet.py"}


def test_every_csv_a_person_may_open_is_written_through_the_guarded_writer():
    """A new export that calls `csv.writer` itself would write formulas unguarded."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        top = relative.split("/")[0]
        if top in {".venv", "tests", "bench"} or top.startswith(".") or "/migrations/" in relative:
            continue
        if relative in NOT_FOR_PEOPLE:
            continue
        for node in ast.walk(ast.parse(path.read_text(), relative)):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
                and node.attr in {"writer", "DictWriter"}
            ):
                offenders.append(f"{relative}:{node.lineno}")

    assert offenders == [], "write CSV with lib.spreadsheet.SpreadsheetWriter"


@pytest.mark.django_db
def test_an_api_account_value_holding_a_bare_carriage_return_is_stored_as_sent():
    """API accounts are re-written as CSV text for the accounts importer: a value with a
    lone `\r` must stay inside its cell there, not end the row."""
    summary = import_records(
        "accounts",
        [{"external_id": "CR-1", "name": "Two\rlines", "region": region().code}],
        source="test",
    )

    assert summary.created == 1
    assert Account.objects.get(external_id="CR-1").name == "Two\rlines"
