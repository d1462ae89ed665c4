"""import_accounts: all or nothing, every problem reported, re-import changes nothing."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts.csv_cells import Problem
from accounts.importing import ImportRejected, import_accounts
from accounts.models import (
    Account,
    Initiative,
    InitiativeStatus,
    Opportunity,
    OpportunityStatus,
    StageAdoption,
)
from people.models import Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# A Tuesday in FY27-Q4 (2026-11-01 .. 2027-01-31).
TODAY = datetime.date(2026, 11, 24)

GOOD_FILE = """\
external_id,name,region,parent_external_id,managed,tam_email,arr,lam,lam_confidence,customer_since,first_engaged_on,onboarded_on,health,at_risk,success_plan,stages_adopted,uptier_close_date,stage_adoption_hours,infra_change_hours,expansion_play,last_nps
SF-1,Acme Corp,us-enterprise,,true,Jane.Doe@example.com,120000,600000,high,2024-01-15,2024-01-20,2024-02-20,green,no,objectives,Create;verify,2027-03-01,3,,yes,9
SF-2,Acme Child,us-enterprise,SF-1,no,jane.doe@example.com,9000.5,,,,,,,,,,,,0,,
SF-3,Globex,commercial-emea,,1,new.tam@example.com,55000,,low,2026-11-02,,,yellow,YES,,Plan,,,2.5,false,
"""


def _import(text, **options):
    return import_accounts(io.StringIO(text), today=TODAY, **options)


def _call(path, *args, stderr=None):
    out, err = io.StringIO(), stderr or io.StringIO()
    call_command("import_accounts", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _printed(rejected) -> list[str]:
    """The problems as the command prints them."""
    return [str(problem) for problem in rejected.value.problems]


@pytest.fixture
def jane(db):
    return UserFactory(email="jane.doe@example.com", role=Role.TAM)


def test_good_file_creates_accounts_with_every_fact(jane):
    summary = _import(GOOD_FILE)

    assert (summary.created, summary.updated, summary.unchanged) == (3, 0, 0)
    acme = Account.objects.get(external_id="SF-1")
    assert acme.tam == jane  # matched case-insensitively
    assert acme.arr == Decimal("120000.00")
    assert acme.lam_confidence == "high"
    assert acme.customer_since == datetime.date(2024, 1, 15)
    assert acme.tam_sentiment == "green"
    assert acme.last_nps == 9
    assert acme.success_plan == "objectives"
    child = Account.objects.get(external_id="SF-2")
    assert child.parent == acme
    assert child.managed is False
    assert child.arr == Decimal("9000.50")
    assert child.last_nps is None
    assert child.success_plan == "none"  # an empty cell means none
    globex = Account.objects.get(external_id="SF-3")
    assert globex.at_risk is True
    assert globex.region.code == "commercial-emea"


def test_unknown_tam_email_creates_an_inactive_tam(jane):
    summary = _import(GOOD_FILE)

    assert summary.users_created == ["new.tam@example.com"]
    new_tam = User.objects.get(email="new.tam@example.com")
    assert (new_tam.role, new_tam.is_active, new_tam.has_usable_password()) == (
        Role.TAM,
        False,
        False,
    )
    assert Account.objects.get(external_id="SF-3").tam == new_tam


def test_related_columns_set_stages_opportunity_and_initiatives(jane):
    _import(GOOD_FILE)

    acme = Account.objects.get(external_id="SF-1")
    assert sorted(acme.stage_adoptions.values_list("stage__name", flat=True)) == [
        "Create",
        "Verify",
    ]
    assert acme.stage_adoptions.first().enabled_on == TODAY
    opportunity = acme.opportunities.get()
    assert (opportunity.kind, opportunity.close_date, opportunity.status) == (
        "tier_upgrade",
        datetime.date(2027, 3, 1),
        OpportunityStatus.OPEN,
    )
    initiatives = {i.kind: i for i in acme.initiatives.all()}
    assert set(initiatives) == {"stage_adoption", "expansion_play"}
    # Set for the fiscal quarter of the import date: FY27-Q4 starts on 2026-11-01.
    assert initiatives["stage_adoption"].starts_on == datetime.date(2026, 11, 1)
    assert initiatives["stage_adoption"].tam_hours_per_week == Decimal("3.00")
    assert initiatives["stage_adoption"].ends_on is None
    # Zero hours opens nothing.
    assert not Initiative.objects.filter(account__external_id="SF-2").exists()
    globex = Account.objects.get(external_id="SF-3")
    assert globex.initiatives.get().tam_hours_per_week == Decimal("2.50")


def test_reimporting_the_same_file_changes_nothing(jane):
    _import(GOOD_FILE)
    before = {
        "accounts": list(Account.objects.order_by("pk").values()),
        "stages": list(StageAdoption.objects.order_by("pk").values()),
        "opportunities": list(Opportunity.objects.order_by("pk").values()),
        "initiatives": list(Initiative.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values()),
    }

    summary = _import(GOOD_FILE)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 3)
    assert summary.related == {}
    assert summary.users_created == []
    assert before == {
        "accounts": list(Account.objects.order_by("pk").values()),
        "stages": list(StageAdoption.objects.order_by("pk").values()),
        "opportunities": list(Opportunity.objects.order_by("pk").values()),
        "initiatives": list(Initiative.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values()),
    }


def test_a_changed_row_updates_only_that_account(jane):
    _import(GOOD_FILE)
    untouched = Account.objects.get(external_id="SF-3").updated_at

    summary = _import(GOOD_FILE.replace("SF-1,Acme Corp", "SF-1,Acme Corporation"))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 2)
    assert Account.objects.get(external_id="SF-1").name == "Acme Corporation"
    assert Account.objects.get(external_id="SF-3").updated_at == untouched


def test_a_column_left_out_keeps_the_field_and_an_empty_cell_clears_it(jane):
    _import(GOOD_FILE)

    _import("external_id,name,region,health\nSF-1,Acme Corp,us-enterprise,\n")

    acme = Account.objects.get(external_id="SF-1")
    assert acme.tam_sentiment == ""  # the empty cell: unknown
    assert acme.arr == Decimal("120000.00")  # column absent: kept
    assert acme.tam == jane
    assert acme.stage_adoptions.count() == 2


def test_empty_cells_close_the_opportunity_and_initiatives(jane):
    _import(GOOD_FILE)

    summary = _import(
        "external_id,name,region,uptier_close_date,stage_adoption_hours,expansion_play,"
        "stages_adopted\nSF-1,Acme Corp,us-enterprise,,0,false,Create\n"
    )

    acme = Account.objects.get(external_id="SF-1")
    assert acme.opportunities.get().status == OpportunityStatus.CLOSED
    assert set(acme.initiatives.values_list("status", "ends_on")) == {
        (InitiativeStatus.CLOSED, TODAY)
    }
    assert list(acme.stage_adoptions.values_list("stage__name", flat=True)) == ["Create"]
    assert summary.related["stage adoptions removed"] == 1


def test_new_close_date_moves_the_open_opportunity(jane):
    _import(GOOD_FILE)

    _import("external_id,name,region,uptier_close_date\nSF-1,Acme Corp,us-enterprise,2027-06-30\n")

    opportunity = Opportunity.objects.get(account__external_id="SF-1")
    assert (opportunity.close_date, opportunity.status) == (datetime.date(2027, 6, 30), "open")


def test_parent_may_already_be_in_the_database(jane):
    _import(GOOD_FILE)

    _import("external_id,name,region,parent_external_id\nSF-9,Acme Two,us-enterprise,SF-1\n")

    assert Account.objects.get(external_id="SF-9").parent.external_id == "SF-1"


def test_dry_run_reports_but_writes_nothing(jane):
    users_before = User.objects.count()

    summary = _import(GOOD_FILE, dry_run=True)

    assert summary.dry_run
    assert (summary.created, summary.updated) == (3, 0)
    assert summary.users_created == ["new.tam@example.com"]
    assert Account.objects.count() == 0
    assert User.objects.count() == users_before
    assert StageAdoption.objects.count() == 0


BAD_ROWS_FILE = """\
external_id,name,region,parent_external_id,managed,arr,customer_since
OK-1,Fine,us-enterprise,,true,100,2024-01-01
BAD-2,Mars Inc,mars,,true,100,2024-01-01
BAD-3,Bad Date,us-enterprise,,true,100,2024-02-30
BAD-4,Negative,us-enterprise,,true,-5,2024-01-01
OK-1,Twice,us-enterprise,,true,100,2024-01-01
BAD-6,Orphan,us-enterprise,NOPE-1,true,100,2024-01-01
BAD-7,Unsure,us-enterprise,,maybe,100,2024-01-01
"""


def test_every_bad_row_is_reported_and_nothing_is_written():
    users_before = User.objects.count()

    with pytest.raises(ImportRejected) as rejected:
        _import(BAD_ROWS_FILE)

    assert _printed(rejected) == [
        "line 3: region: unknown region 'mars'",
        "line 4: customer_since: not a valid date: '2024-02-30' (day is out of range for month)",
        "line 5: arr: must not be negative: -5",
        "line 6: external_id: duplicate of line 2 (OK-1)",
        "line 7: parent_external_id: no account 'NOPE-1' in this file or the database",
        "line 8: managed: not a boolean (true/false/yes/no/1/0): 'maybe'",
    ]
    assert Account.objects.count() == 0
    assert User.objects.count() == users_before


def test_unknown_column_rejects_the_file():
    with pytest.raises(ImportRejected) as rejected:
        _import("external_id,name,region,arr_usd\nX-1,X,us-enterprise,5\n")

    assert rejected.value.problems == [Problem(1, "arr_usd", "unknown column")]
    assert Account.objects.count() == 0


@pytest.mark.parametrize(
    ("header", "row", "line", "column", "message"),
    [
        ("external_id,name", "X-1,X", 1, "region", "required column missing"),
        ("external_id,name,region", "X-1,,us-enterprise", 2, "name", "required"),
        ("external_id,name,region,last_nps", "X-1,X,us-enterprise,11", 2, "last_nps", "must"),
        ("external_id,name,region,arr", "X-1,X,us-enterprise,12k", 2, "arr", "not a number"),
        ("external_id,name,region,health", "X-1,X,us-enterprise,blue", 2, "health", "must"),
        (
            "external_id,name,region,stages_adopted",
            "X-1,X,us-enterprise,Cook",
            2,
            "stages_adopted",
            "unknown stage",
        ),
        ("external_id,name,region,tam_email", "X-1,X,us-enterprise,jane", 2, "tam_email", "e-mail"),
        (
            "external_id,name,region,renewal_date",
            "X-1,X,us-enterprise,01/02/2027",
            2,
            "renewal_date",
            "ISO date",
        ),
        ("external_id,name,region", "X-1,X,us-enterprise,extra", 2, "row", "has 4 cells"),
        (
            "external_id,name,region,parent_external_id",
            "X-1,X,us-enterprise,X-1",
            2,
            "parent_external_id",
            "own parent",
        ),
    ],
)
def test_each_kind_of_bad_cell_is_named(header, row, line, column, message):
    with pytest.raises(ImportRejected) as rejected:
        _import(f"{header}\n{row}\n")

    assert any(
        (problem.line, problem.column) == (line, column) and message in problem.message
        for problem in rejected.value.problems
    ), rejected.value.problems
    assert Account.objects.count() == 0


def test_problems_come_back_as_data_with_line_and_column():
    """Two bad rows: each problem says its line and column as fields, no text to parse."""
    with pytest.raises(ImportRejected) as rejected:
        _import(
            "external_id,name,region,arr\n"
            "D-1,Fine,us-enterprise,100\n"
            "D-2,Costly,us-enterprise,lots\n"
            "D-3,Lost,atlantis,100\n"
        )

    assert rejected.value.problems == [
        Problem(line=3, column="arr", message="not a number: 'lots'"),
        Problem(line=4, column="region", message="unknown region 'atlantis'"),
    ]
    assert [(problem.line, problem.column) for problem in rejected.value.problems] == [
        (3, "arr"),
        (4, "region"),
    ]
    assert str(rejected.value.problems[0]) == "line 3: arr: not a number: 'lots'"


def test_parent_cycle_is_rejected():
    with pytest.raises(ImportRejected) as rejected:
        _import(
            "external_id,name,region,parent_external_id\n"
            "C-1,One,us-enterprise,C-2\nC-2,Two,us-enterprise,C-1\n"
        )

    assert _printed(rejected) == [
        "line 2: parent_external_id: parents form a cycle: C-1 -> C-2 -> C-1",
        "line 3: parent_external_id: parents form a cycle: C-1 -> C-2 -> C-1",
    ]


def test_line_numbers_count_physical_lines_of_quoted_cells():
    with pytest.raises(ImportRejected) as rejected:
        _import('external_id,name,region\nQ-1,"Two\nline name",us-enterprise\nQ-2,X,nowhere\n')

    assert rejected.value.problems == [Problem(4, "region", "unknown region 'nowhere'")]


def test_command_exits_non_zero_and_lists_problems(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_ROWS_FILE)

    stderr = io.StringIO()
    with pytest.raises(CommandError, match="6 problem") as error:
        _call(path, stderr=stderr)

    assert error.value.returncode == 1
    # DESIGN 9: each problem on its own line as `line N: column: problem`.
    assert stderr.getvalue().splitlines()[:2] == [
        "line 3: region: unknown region 'mars'",
        "line 4: customer_since: not a valid date: '2024-02-30' (day is out of range for month)",
    ]
    assert Account.objects.count() == 0


def test_command_dry_run_and_summary(tmp_path, jane):
    path = tmp_path / "good.csv"
    path.write_text(GOOD_FILE, encoding="utf-8-sig")  # a BOM, as spreadsheets write

    out, _ = _call(path, "--dry-run")
    assert "3 accounts would be created" in out
    assert "Dry run: nothing was written." in out
    assert Account.objects.count() == 0

    out, _ = _call(path)
    assert "3 accounts were created, 0 updated, 0 unchanged" in out
    assert "new.tam@example.com" in out

    out, _ = _call(path)
    assert "0 accounts were created, 0 updated, 3 unchanged" in out


def test_command_reports_unreadable_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        _call(tmp_path / "missing.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("external_id,name,region\nL-1,Caf\xe9,us-enterprise\n".encode("latin-1"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        _call(latin1, stderr=err)
    assert err.getvalue().startswith("line 2: file: not UTF-8 text (byte 0xe9 at column 8)")
