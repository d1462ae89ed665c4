"""The metrics job against the database: scopes, no data, targets, trend, export."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command

from accounts.models import Activity, ArrSnapshot, UsageSnapshot
from lib.fiscal import parse_quarter_label
from metrics.compute import compute_quarter, derive_first_value_dates
from metrics.models import MetricResult
from orchestration.runs import recompute
from segments.models import Segment
from tests.factories import AccountFactory, ActivityFactory, TamFactory, TeamFactory

pytestmark = pytest.mark.django_db

Q3 = parse_quarter_label("FY27-Q3")  # 2026-08-01 .. 2026-10-31
TODAY = datetime.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9), tick=False):
        yield


def _result(key, scope_type="company", scope="all", quarter="FY27-Q3"):
    return MetricResult.objects.get(
        metric__key=key, scope_type=scope_type, scope=scope, fiscal_quarter=quarter
    )


@pytest.fixture
def pr1_book(tam):
    """Three named Pr1 accounts of one TAM, two with an EBR within 12 months of Q3's end."""
    named = Segment.objects.get(code="named")
    accounts = [AccountFactory(tam=tam, segment=named, priority=1) for _ in range(3)]
    ActivityFactory(account=accounts[0], kind="ebr", occurred_on=datetime.date(2026, 10, 31))
    ActivityFactory(account=accounts[1], kind="ebr", occurred_on=datetime.date(2025, 11, 1))
    ActivityFactory(account=accounts[2], kind="ebr", occurred_on=datetime.date(2025, 10, 31))
    return accounts


def test_ebr_coverage_per_scope_with_the_segment_target(pr1_book, tam):
    """EBRs on 2026-10-31 and 2025-11-01 are within the 12 months before 2026-10-31; the
    one on 2025-10-31 is not: 2/3 = 0.6667. Named's target is 50% (attained); the company
    scope takes the metric's default 75% (not attained)."""
    compute_quarter(Q3)

    company = _result("ebr_coverage")
    assert (company.numerator, company.denominator, company.value) == (2, 3, Decimal("0.6667"))
    assert (company.target, company.attained) == (Decimal("0.75"), False)
    named = _result("ebr_coverage", "segment", "named")
    assert (named.target, named.attained) == (Decimal("0.5"), True)
    assert _result("ebr_coverage", "tam", str(tam.pk)).value == Decimal("0.6667")
    assert _result("ebr_coverage", "team", str(tam.team_id)).value == Decimal("0.6667")


@pytest.fixture
def two_teams_two_segments(tam):
    """EBR coverage (Strategic: every account; Named: Pr1) with an EBR in Q3 or none:

    | team | Strategic      | Named (Pr1)  | team overall |
    | A    | 1 of 2         | 1 of 1       | 2 of 3       |
    | B    | 1 of 1         | 0 of 3       | 1 of 4       |
    | all  | 2 of 3         | 1 of 4       | 3 of 7       |
    """
    team_b_tam = TamFactory(team=TeamFactory(name="Team B"))
    strategic, named = Segment.objects.get(code="strategic"), Segment.objects.get(code="named")
    ebr_on = datetime.date(2026, 9, 15)
    book = [
        (tam, strategic, True), (tam, strategic, False), (tam, named, True),
        (team_b_tam, strategic, True),
        (team_b_tam, named, False), (team_b_tam, named, False), (team_b_tam, named, False),
    ]  # fmt: skip
    for owner, segment, had_ebr in book:
        account = AccountFactory(tam=owner, segment=segment, priority=1)
        if had_ebr:
            ActivityFactory(account=account, kind="ebr", occurred_on=ebr_on)
    return tam.team, team_b_tam.team


def test_team_x_segment_counts_a_teams_accounts_in_one_segment(two_teams_two_segments):
    """Team A's Strategic 1/2 and Named 1/1 differ from team A's 2/3 and from the segments'
    2/3 and 1/4; each is measured against its segment's target (Named 50%, Strategic the
    default 75%), where team A's own figure takes the default."""
    team_a, team_b = two_teams_two_segments

    compute_quarter(Q3)

    def figure(scope_type, scope):
        result = _result("ebr_coverage", scope_type, scope)
        return (result.numerator, result.denominator, result.value, result.target, result.attained)

    a_strategic = figure("team_segment", f"{team_a.pk}:strategic")
    a_named = figure("team_segment", f"{team_a.pk}:named")
    assert a_strategic == (1, 2, Decimal("0.5"), Decimal("0.75"), False)
    assert a_named == (1, 1, 1, Decimal("0.5"), True)
    assert figure("team_segment", f"{team_b.pk}:named") == (0, 3, 0, Decimal("0.5"), False)
    assert figure("team_segment", f"{team_b.pk}:strategic")[2] == 1
    assert figure("team", str(team_a.pk)) == (2, 3, Decimal("0.6667"), Decimal("0.75"), False)
    assert figure("segment", "strategic")[2] == Decimal("0.6667")
    assert figure("segment", "named")[2] == Decimal("0.25")
    # Scopes grow with teams x segments in use, nothing else.
    assert set(
        MetricResult.objects.filter(
            metric__key="ebr_coverage", fiscal_quarter="FY27-Q3", scope_type="team_segment"
        ).values_list("scope", flat=True)
    ) == {f"{team.pk}:{code}" for team in (team_a, team_b) for code in ("strategic", "named")}


def test_export_metrics_names_a_team_x_segment_scope(two_teams_two_segments):
    team_a, _ = two_teams_two_segments
    compute_quarter(Q3)
    output = io.StringIO()

    call_command("export_metrics", "--quarter", "FY27-Q3", stdout=output)

    rows = csv.DictReader(io.StringIO(output.getvalue()))
    by_scope = {(row["metric"], row["scope_type"], row["scope"]): row for row in rows}
    assert by_scope[("ebr_coverage", "team_segment", f"{team_a.name} / named")]["value"] == "1"


def test_an_empty_population_is_no_data_not_zero(pr1_book):
    """Nobody answered a renewal survey: a result exists, with no value and no verdict."""
    compute_quarter(Q3)

    result = _result("renewal_nps_csat")
    assert (result.value, result.numerator, result.denominator, result.attained) == (
        None,
        None,
        None,
        None,
    )


def test_a_second_run_writes_nothing(pr1_book):
    compute_quarter(Q3)

    again = compute_quarter(Q3)

    assert (again.results_created, again.results_updated, again.results_deleted) == (0, 0, 0)


def test_quarter_over_quarter_metrics_compare_with_the_previous_quarter(tam):
    """Two playbooks completed in Q2, one in Q3: Q3's count 1 is not "up" on Q2's 2."""
    account = AccountFactory(tam=tam, segment=Segment.objects.get(code="strategic"))
    for completed in (datetime.date(2026, 5, 3), datetime.date(2026, 7, 31)):
        ActivityFactory(
            account=account, kind="playbook", playbook_kind="stage_adoption",
            started_on=datetime.date(2026, 4, 1), completed_on=completed, occurred_on=completed,
        )  # fmt: skip
    ActivityFactory(
        account=account, kind="playbook", playbook_kind="stage_adoption",
        started_on=datetime.date(2026, 8, 1), completed_on=datetime.date(2026, 8, 11),
        occurred_on=datetime.date(2026, 8, 11),
    )  # fmt: skip

    compute_quarter(Q3.previous)
    compute_quarter(Q3)

    q2, q3 = _result("playbooks_completed", quarter="FY27-Q2"), _result("playbooks_completed")
    assert (q2.value, q3.value) == (2, 1)
    assert (q3.target, q3.attained) == (2, False)
    assert _result("days_per_playbook").value == 10  # 2026-08-01 -> 2026-08-11


def test_first_value_is_derived_from_licence_use_when_not_entered(tam):
    """Licence use reaches 10% (5 of 50) on 2026-09-14: first value that day, 14 days in."""
    account = AccountFactory(
        tam=tam, customer_since=datetime.date(2026, 8, 31), first_value_on=None, onboarded_on=None
    )
    for day, active in ((datetime.date(2026, 9, 7), 4), (datetime.date(2026, 9, 14), 5)):
        UsageSnapshot.objects.create(
            account=account, taken_on=day, licensed_users=50, active_users=active
        )
    entered = AccountFactory(tam=tam, first_value_on=datetime.date(2024, 3, 20))
    UsageSnapshot.objects.create(
        account=entered, taken_on=datetime.date(2024, 3, 5), licensed_users=10, active_users=9
    )

    assert derive_first_value_dates() == 1

    account.refresh_from_db()
    entered.refresh_from_db()
    assert (account.first_value_on, account.first_value_derived) == (
        datetime.date(2026, 9, 14),
        True,
    )
    assert (entered.first_value_on, entered.first_value_derived) == (
        datetime.date(2024, 3, 20),
        False,
    )


def test_export_metrics_names_scopes_and_labels_the_quarter(pr1_book, tam):
    compute_quarter(Q3)
    output = io.StringIO()

    call_command("export_metrics", "--quarter", "FY27-Q3", stdout=output)

    rows = list(csv.DictReader(io.StringIO(output.getvalue())))
    assert list(rows[0]) == [
        "metric", "scope_type", "scope", "quarter", "numerator", "denominator", "value",
        "target", "attained",
    ]  # fmt: skip
    by_scope = {(row["metric"], row["scope_type"], row["scope"]): row for row in rows}
    tam_row = by_scope[("ebr_coverage", "tam", tam.email)]
    assert (tam_row["quarter"], tam_row["value"], tam_row["attained"]) == (
        "FY27-Q3",
        "0.6667",
        "false",
    )
    assert by_scope[("renewal_nps_csat", "company", "whole company")]["value"] == ""
    assert {row["metric"] for row in rows} >= {"time_to_first_engage", "gross_retention"}


def test_export_metrics_rejects_a_bad_quarter():
    with pytest.raises(CommandError, match="FY27-Q4"):
        call_command("export_metrics", "--quarter", "2027Q1", stdout=io.StringIO())


def test_the_recompute_run_computes_the_current_quarter(tam):
    AccountFactory(tam=tam, arr=Decimal("200000"))
    run = recompute()

    assert run.details["metrics_quarter"] == "FY27-Q4"
    assert MetricResult.objects.filter(fiscal_quarter="FY27-Q4").exists()
    assert not Activity.objects.exists()  # no population anywhere: results with no data
    assert _result("ebr_coverage", quarter="FY27-Q4").value is None


def test_churn_shows_in_the_segment_the_quarter_started_in(tam):
    """A Named account ($150k at Q3's start) churns to $0: its segment is none now, but
    gross retention of the Named segment shows the loss: 0 / 150,000 retained."""
    account = AccountFactory(tam=tam, arr=Decimal(0), segment=None)
    ArrSnapshot.objects.create(account=account, fiscal_quarter="FY27-Q3", arr=Decimal(150000))
    ArrSnapshot.objects.create(account=account, fiscal_quarter="FY27-Q4", arr=Decimal(0))

    compute_quarter(Q3)

    named = _result("gross_retention", "segment", "named")
    assert (named.numerator, named.denominator, named.value) == (0, 150000, 0)
    assert _result("gross_retention").value == 0
    team_named = _result("gross_retention", "team_segment", f"{tam.team_id}:named")
    assert (team_named.numerator, team_named.denominator) == (0, 150000)
