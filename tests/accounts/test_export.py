"""export_accounts: the import's columns plus the computed ones, readable back unchanged."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from accounts.csv_format import EXPORT_COLUMNS, IMPORT_COLUMNS
from accounts.importing import import_accounts
from accounts.models import Account
from orchestration.runs import recompute
from people.models import User
from segments.models import Segment
from tests.factories import AccountFactory, InitiativeFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


def _export() -> str:
    output = io.StringIO()
    call_command("export_accounts", stdout=output)
    return output.getvalue()


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _without_health(text: str) -> list[list[str]]:
    """The file's cells, byte for byte, without the computed health columns."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    kept = [index for index, name in enumerate(rows[0]) if name not in ("health", "health_score")]
    return [[row[index] for index in kept] for row in rows]


def test_header_leads_with_identity_and_computed_columns_then_every_import_column():
    header = _export().splitlines()[0].split(",")

    assert header[:9] == [
        "external_id",
        "name",
        "region",
        "tam_email",
        "segment",
        "priority",
        "priority_reasons",
        "health",
        "health_score",
    ]
    assert set(header) == set(IMPORT_COLUMNS) | {
        "segment", "priority", "priority_reasons", "health", "health_score",
    }  # fmt: skip
    assert tuple(header) == EXPORT_COLUMNS


def test_one_row_per_account_with_computed_and_related_facts(tam):
    named = Segment.objects.get(code="named")
    account = AccountFactory(
        external_id="SF-7",
        name="Initech, Inc.",
        tam=tam,
        segment=named,
        priority=1,
        priority_reasons="uptier_opportunity;churn_risk",
        at_risk=True,
    )
    OpportunityFactory(account=account, close_date=datetime.date(2027, 2, 1))
    InitiativeFactory(account=account, kind="infrastructure_change", tam_hours_per_week=4)

    (row,) = _rows(_export())

    assert row["external_id"] == "SF-7"
    assert row["name"] == "Initech, Inc."
    assert row["tam_email"] == tam.email
    assert row["segment"] == "named"
    assert row["priority"] == "Pr1"
    assert row["priority_reasons"] == "uptier_opportunity;churn_risk"
    assert row["arr"] == "120000.00"
    assert row["at_risk"] == "true"
    assert row["uptier_close_date"] == "2027-02-01"
    assert row["growth_close_date"] == ""
    assert row["infra_change_hours"] == "4.00"
    assert row["expansion_play"] == "false"


def test_an_admin_pin_is_the_exported_segment(tam):
    AccountFactory(
        tam=tam,
        segment=Segment.objects.get(code="mid-touch"),
        segment_override=Segment.objects.get(code="strategic"),
        segment_override_reason="Global logo; ARR understated by a reseller deal",
    )

    assert _rows(_export())[0]["segment"] == "strategic"


def test_writes_a_file_when_given_a_path(tmp_path, tam):
    AccountFactory.create_batch(3, tam=tam)
    path = tmp_path / "accounts.csv"

    call_command("export_accounts", str(path), stderr=io.StringIO())

    assert len(_rows(path.read_text())) == 3


# Names a spreadsheet would run as formulas, or that look guarded already (issue 11, 5).
HOSTILE_NAMES = (
    '=HYPERLINK("http://evil.example","Click")',
    "+1 555 0100",
    "-3.5",
    "@SUM(A1:A9)",
    "\tcmd|' /C calc'!A0",
    "\r=1+1",
    "'=already quoted",
    "''+twice quoted",
    "'plain quote",
)


@time_machine.travel(datetime.datetime(2026, 11, 24, 9, tzinfo=datetime.UTC), tick=False)
def test_round_trip_export_import_into_empty_database_export():
    """The demo portfolio exported, imported into an emptied database, recomputed (as every
    import is) and exported again gives the same file, byte for byte, and the same names,
    hostile ones included."""
    call_command("seed_demo", accounts=120, seed=7, as_of=TODAY, stdout=io.StringIO())
    accounts = Account.objects.order_by("external_id")[: len(HOSTILE_NAMES)]
    for account, name in zip(accounts, HOSTILE_NAMES, strict=True):
        Account.objects.filter(pk=account.pk).update(name=name)
    names_before = dict(Account.objects.values_list("external_id", "name"))
    first = _export()
    rows = _rows(first)
    assert len(rows) == 120
    assert all(row["priority"] for row in rows)

    Account.objects.all().delete()
    User.objects.all().delete()
    import_accounts(io.StringIO(first), today=TODAY)
    recompute(as_of=TODAY)
    second = _export()

    # The health reads the timeline and the usage history, which this file does not carry
    # (emptied with the accounts): its two computed columns are compared apart.
    assert _without_health(second) == _without_health(first)
    assert dict(Account.objects.values_list("external_id", "name")) == names_before
