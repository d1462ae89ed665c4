"""import_data KIND FILE: every kind of DESIGN 10 upserts on its key, all or nothing."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError

from accounts.models import (
    ArrSnapshot,
    Contact,
    Initiative,
    Opportunity,
    StageAdoption,
    SuccessPlanObjective,
    UsageSnapshot,
    Webinar,
)
from ingestion.models import Feed
from orchestration.models import RecomputeRun
from people.models import Team, User

pytestmark = pytest.mark.django_db

# Each good file, and the model and count it leaves (DESIGN 10's table, its header names).
GOOD = {
    "opportunities": (
        "external_id,account_external_id,kind,close_date,status,amount\n"
        "OPP-1,ACC-1,tier_upgrade,2027-03-01,open,50000\n"
        "OPP-2,ACC-1,growth,2026-10-01,won,\n",
        Opportunity,
    ),
    "initiatives": (
        "external_id,account_external_id,kind,stage,hours_per_week,starts_on,ends_on,status\n"
        "INI-1,ACC-1,stage_adoption,verify,3.5,2026-11-01,,active\n"
        "INI-2,ACC-1,expansion_play,,,2026-08-01,2026-10-31,done\n",
        Initiative,
    ),
    "stage_adoptions": (
        "account_external_id,stage,enabled_on,users_share,initial_adoption_on,broad_adoption_on\n"
        "ACC-1,Create,2025-01-10,0.55,2025-02-01,2025-06-01\n"
        "ACC-1,plan,2025-03-10,0.05,,\n",
        StageAdoption,
    ),
    "objectives": (
        "external_id,account_external_id,title,due_on,green\n"
        "OBJ-1,ACC-1,Move CI to the product,2027-01-15,yes\n",
        SuccessPlanObjective,
    ),
    "contacts": (
        "external_id,account_external_id,name,email,title,role,left_on\n"
        "CON-1,ACC-1,Grace Hopper,grace@customer.example,VP Engineering,champion,2026-09-30\n"
        "CON-2,ACC-1,Alan Turing,,CTO,economic_buyer,\n",
        Contact,
    ),
    "webinars": (
        "external_id,title,kind,held_on,onboarding,host_email\n"
        "WEB-9,Getting started,webinar,2026-10-05,true,tam@example.com\n",
        Webinar,
    ),
    "usage": (
        "account_external_id,taken_on,licensed_users,active_users\n"
        "ACC-1,2026-11-02,200,90\n"
        "ACC-1,2026-11-09,200,120\n",
        UsageSnapshot,
    ),
    "arr_snapshots": (
        "account_external_id,fiscal_quarter,arr\nACC-1,FY27-Q3,100000\nACC-1,FY27-Q4,120000.5\n",
        ArrSnapshot,
    ),
}


@pytest.fixture
def account(account):
    account.external_id = "ACC-1"
    account.save()
    account.tam.email = "tam@example.com"
    account.tam.save()
    return account


@pytest.mark.parametrize("kind", sorted(GOOD))
def test_a_good_file_creates_then_a_reimport_changes_nothing(account, run_import, kind):
    text, model = GOOD[kind]
    rows = text.count("\n") - 1

    out, _ = run_import(kind, text)
    assert f"{rows} rows: {rows} were created, 0 updated, 0 unchanged" in out
    assert model.objects.count() == rows

    out, _ = run_import(kind, text)
    assert f"{rows} rows: 0 were created, 0 updated, {rows} unchanged" in out
    assert "Nothing changed" in out
    assert model.objects.count() == rows
    assert Feed.objects.get(kind=kind).rows == rows


@pytest.mark.parametrize("kind", sorted(GOOD))
def test_an_export_reimports_as_nothing_changed(account, run_import, export, kind):
    run_import(kind, GOOD[kind][0])

    out, _ = run_import(kind, export(kind), name="exported.csv")

    assert "Nothing changed" in out


def test_a_changed_record_is_updated_by_its_source_id(account, run_import):
    run_import("opportunities", GOOD["opportunities"][0])
    moved = GOOD["opportunities"][0].replace("2027-03-01,open,50000", "2027-04-01,open,60000")

    out, _ = run_import("opportunities", moved)

    assert "2 rows: 0 were created, 1 updated, 1 unchanged" in out
    opportunity = Opportunity.objects.get(external_id="OPP-1")
    assert (opportunity.close_date, opportunity.amount) == (
        datetime.date(2027, 4, 1),
        Decimal("60000.00"),
    )


def test_a_dry_run_writes_nothing(account, run_import):
    out, _ = run_import("contacts", GOOD["contacts"][0], "--dry-run")

    assert "2 rows: 2 would be created" in out
    assert Contact.objects.count() == 0
    assert not Feed.objects.exists()


def test_utf8_with_bom_and_crlf_is_read(account, run_import):
    text = GOOD["contacts"][0].replace("Grace Hopper", "Grâce Höpper").replace("\n", "\r\n")

    run_import("contacts", "\ufeff" + text)

    assert Contact.objects.get(external_id="CON-1").name == "Grâce Höpper"


# Bad rows of every sort: (kind, file, the problems printed, in order).
BAD = {
    "bad date": (
        "opportunities",
        "external_id,account_external_id,kind,close_date\nOPP-1,ACC-1,growth,2027-13-01\n",
        ["line 2: close_date: not a valid date: '2027-13-01' (month must be in 1..12)"],
    ),
    "unknown account": (
        "objectives",
        "external_id,account_external_id,title\nOBJ-1,ACC-404,Ship it\n",
        ["line 2: account_external_id: no account 'ACC-404'"],
    ),
    "unknown stage": (
        "stage_adoptions",
        "account_external_id,stage,enabled_on\nACC-1,Teleport,2026-01-01\n",
        ["line 2: stage: no stage 'Teleport'"],
    ),
    "unknown person": (
        "webinars",
        "external_id,title,held_on,host_email\nW-1,Intro,2026-01-01,nobody@example.com\n",
        ["line 2: host_email: no person with e-mail 'nobody@example.com'"],
    ),
    "duplicate key": (
        "usage",
        "account_external_id,taken_on,licensed_users,active_users\n"
        "ACC-1,2026-11-02,10,5\nACC-1,2026-11-02,10,6\n",
        ["line 3: taken_on: duplicate of line 2 (ACC-1, 2026-11-02)"],
    ),
    "out of range": (
        "stage_adoptions",
        "account_external_id,stage,enabled_on,users_share\nACC-1,Plan,2026-01-01,1.5\n",
        ["line 2: users_share: must be between 0 and 1: 1.5"],
    ),
    "unknown column": (
        "arr_snapshots",
        "account_external_id,fiscal_quarter,arr,currency\nACC-1,FY27-Q4,5,USD\n",
        ["line 1: currency: unknown column"],
    ),
    "missing required column": (
        "contacts",
        "external_id,account_external_id\nC-1,ACC-1\n",
        ["line 1: name: required column missing"],
    ),
    "bad quarter": (
        "arr_snapshots",
        "account_external_id,fiscal_quarter,arr\nACC-1,2027Q4,5\n",
        ["line 2: fiscal_quarter: not a fiscal quarter like FY27-Q4: '2027Q4'"],
    ),
    "ends before it starts": (
        "initiatives",
        "external_id,account_external_id,kind,starts_on,ends_on\n"
        "I-1,ACC-1,stage_adoption,2026-11-01,2026-10-01\n",
        ["line 2: ends_on: is before starts_on (2026-11-01)"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_row_is_reported_and_nothing_is_written(account, run_import, case):
    kind, text, expected = BAD[case]
    good_first = {
        "opportunities": "OPP-0,ACC-1,growth,2027-01-01\n",
        "objectives": "OBJ-0,ACC-1,Fine\n",
        "usage": "",
    }

    with pytest.raises(CommandError, match="nothing was written"):
        run_import(kind, text + good_first.get(kind, ""))

    assert run_import.stderr.splitlines() == expected
    assert not Feed.objects.exists()
    for model in (Opportunity, SuccessPlanObjective, StageAdoption, UsageSnapshot, Webinar):
        assert not model.objects.exists()


def test_teams_and_people_are_keyed_by_name_and_email(account, run_import, export):
    run_import("teams", "name,region,manager_email\nNorth,us-enterprise,tam@example.com\n")
    out, _ = run_import(
        "people",
        "email,name,role,team,active\nAda.L@Example.com,Ada Lovelace,manager,North,no\n",
    )

    assert "1 rows: 1 were created" in out
    ada = User.objects.get(email="ada.l@example.com")
    assert (ada.get_full_name(), ada.role, ada.team.name, ada.is_active) == (
        "Ada Lovelace",
        "manager",
        "North",
        False,
    )
    assert not ada.has_usable_password()
    assert Team.objects.get(name="North").manager == account.tam
    assert "Nothing changed" in run_import("people", export("people"), name="p.csv")[0]


def test_an_import_that_changes_rule_inputs_is_recomputed_by_one_debounced_run(
    account, run_import, django_capture_on_commit_callbacks
):
    # The file's open tier upgrade closes 2027-03-01: within 6 months of this day, so the
    # US Enterprise account becomes Pr1 (DESIGN 4).
    with (
        time_machine.travel(datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run_import("opportunities", GOOD["opportunities"][0])

    account.refresh_from_db()
    assert (account.priority, account.priority_reasons) == (1, "uptier_opportunity")
    run = RecomputeRun.objects.get()
    assert run.trigger == "import"
    assert run.details["requested_by"] == ["import: opportunities.csv"]
