"""The recompute service against the database: what it writes, when, and what it keeps."""

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import OperationalError

from accounts.models import Account
from orchestration import engine as recompute_module
from orchestration.lock import release, take_lock
from orchestration.models import RecomputeRequest, RecomputeRun, RunStatus
from orchestration.runs import recompute
from orchestration.selection import recompute_accounts
from prioritization.models import PriorityAssessment
from segments.models import Segment
from tests.factories import AccountFactory, InitiativeFactory, TamFactory, TeamFactory, region

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)  # FY27-Q4: 2026-11-01 .. 2027-01-31
NEXT_QUARTER_DAY = datetime.date(2027, 2, 10)  # FY28-Q1
CASES = Path(__file__).resolve().parent.parent / "data" / "priority_cases.csv"


def _at(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9)), tick=False)


@pytest.fixture(autouse=True)
def _today():
    with _at(TODAY):
        yield


def _snapshot():
    return (
        list(
            Account.objects.order_by("pk").values("pk", "segment", "priority", "priority_reasons")
        ),
        list(PriorityAssessment.objects.order_by("pk").values()),
    )


# --- the hand-built cases, end to end ----------------------------------------------------

EXPECTED = {
    # external id: (segment, priority, reasons), as DESIGN sections 3 and 4 prescribe
    "US-01": ("strategic", "Pr2", "default"),
    "US-02": ("named", "Pr1", "uptier_opportunity"),  # closes on as-of + 6 months exactly
    "US-03": ("named", "Pr2", "default"),  # one day past the window
    "US-04": ("mid-touch", "Pr2", "default"),  # 2 hours is not "more than 2"
    "US-05": ("mid-touch", "Pr1", "stage_adoption;churn_risk"),
    "US-06": ("onboarding", "Pr1", "onboarding"),  # $50k is not "> $50k"
    "US-07": ("onboarding", "Pr4", "onboarding_complete"),
    "US-08": ("mid-touch", "Pr2", "default"),  # > $5k with high LAM
    "US-09": ("digital", "Pr4", "digital"),  # $5k exactly is not "> $5k"
    "US-10": ("named", "Pr3", "unmanaged_child"),  # at risk, but Pr3 comes first
    "US-11": ("", "Pr4", "digital"),  # no segment
    "US-12": ("named", "Pr1", "onboarding"),
    "US-13": ("named", "Pr2", "default"),  # the digital flag counts only in a trial region
    "PS-01": ("named", "Pr4", "digital"),
    "PS-02": ("named", "Pr1", "infra_change"),
    # EMEA: EM-10 scores 2, EM-01..EM-09 and EM-12 score 1; top 8 by score then ARR.
    **{f"EM-0{n}": ("named", "Pr1", "emea_parameters;org_change") for n in range(1, 8)},
    "EM-08": ("named", "Pr2", "default;over_cap"),
    "EM-09": ("named", "Pr2", "default;over_cap"),
    "EM-10": ("named", "Pr1", "emea_parameters;org_change;weekly_engagement"),
    "EM-11": ("named", "Pr2", "default"),
    "EM-12": ("named", "Pr2", "default;over_cap"),  # stage adoption counts as a play
    "CO-01": ("mid-touch", "Pr1", "top_arr"),
    "CO-02": ("mid-touch", "Pr1", "top_arr;churn_risk"),  # NPS 6
    "CO-03": ("onboarding", "Pr4", "onboarding_complete"),
}


def test_import_recompute_export_gives_what_design_prescribes():
    call_command("import_accounts", str(CASES), stdout=io.StringIO(), stderr=io.StringIO())
    output = io.StringIO()
    call_command("export_accounts", stdout=output)

    exported = {
        row["external_id"]: (row["segment"], row["priority"], row["priority_reasons"])
        for row in csv.DictReader(io.StringIO(output.getvalue()))
    }
    assert exported == EXPECTED


# --- runs ---------------------------------------------------------------------------------


def test_a_second_run_changes_nothing():
    call_command("import_accounts", str(CASES), "--no-recompute", stdout=io.StringIO())
    first = recompute()
    before = _snapshot()

    second = recompute()

    assert (first.accounts, first.priorities_changed, first.assessments_created) == (30, 30, 30)
    assert (
        second.segments_changed,
        second.priorities_changed,
        second.assessments_created,
        second.assessments_updated,
    ) == (0, 0, 0, 0)
    assert _snapshot() == before


def test_each_run_is_recorded_with_its_counts(account):
    run = recompute(trigger="nightly")

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert run.trigger == "nightly"
    assert run.as_of == TODAY
    assert run.accounts == 1
    assert run.finished_at >= run.started_at
    # The account is in US Enterprise, which ranks nothing: only the priority pass reads it.
    assert run.details["chunks"] == 1


def test_chunks_give_the_same_answer_as_one_pass():
    call_command("import_accounts", str(CASES), "--no-recompute", stdout=io.StringIO())
    recompute(chunk_size=7)  # EMEA and commercial rankings span several chunks
    chunked = _snapshot()[0]
    Account.objects.update(priority=None, priority_reasons="", segment=None)
    PriorityAssessment.objects.all().delete()

    recompute()

    assert _snapshot()[0] == chunked


def test_command_prints_the_counts_and_takes_as_of(account):
    output = io.StringIO()

    call_command("recompute", "--as-of", "2026-11-30", stdout=output)

    assert "Recomputed 1 accounts as of 2026-11-30" in output.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("recompute", "--as-of", "30/11/2026")


def test_command_during_another_run_queues_a_full_run_to_follow(account):
    output = io.StringIO()
    held = take_lock()

    try:
        call_command("recompute", stdout=output)
    finally:
        release(held)

    assert "a full run will follow it" in output.getvalue()
    assert list(RecomputeRequest.objects.values_list("account_id", flat=True)) == [None]


# --- segments -----------------------------------------------------------------------------


def test_an_admin_pin_decides_the_priority_but_the_computed_segment_is_kept(account):
    account.arr = Decimal("3000")
    account.segment_override = Segment.objects.get(code="named")
    account.segment_override_reason = "Global logo; ARR understated by a reseller deal"
    account.save()

    recompute()

    account.refresh_from_db()
    assert account.segment is None  # computed: below every threshold
    assert account.effective_segment.code == "named"
    assert (account.priority, account.priority_reasons) == (2, "default")


def test_a_threshold_change_moves_accounts_on_the_next_run(account):
    account.arr = Decimal("90000")
    account.save()
    recompute()
    assert Account.objects.get().segment.code == "mid-touch"

    Segment.objects.filter(code="named").update(min_arr=Decimal("80000"))
    recompute()

    assert Account.objects.get().segment.code == "named"


# --- quarters -----------------------------------------------------------------------------


def test_assessment_is_updated_during_the_quarter_and_frozen_after_it(account):
    recompute()
    account.at_risk = True
    account.save()
    recompute()
    q4 = PriorityAssessment.objects.get(account=account, fiscal_quarter="FY27-Q4")
    assert (q4.effective_priority, q4.reasons) == (1, "churn_risk")

    with _at(NEXT_QUARTER_DAY):
        account.at_risk = False
        account.save()
        recompute()
        # A rerun dated in the ended quarter changes neither that quarter nor the account.
        recompute(as_of=TODAY)

    q4.refresh_from_db()
    assert (q4.effective_priority, q4.reasons) == (1, "churn_risk")
    q1 = PriorityAssessment.objects.get(account=account, fiscal_quarter="FY28-Q1")
    assert (q1.effective_priority, q1.reasons) == (2, "default")
    account.refresh_from_db()
    assert (account.priority, account.priority_reasons) == (2, "default")


def test_a_run_dated_in_an_ended_quarter_adds_missing_history_only(account):
    with _at(NEXT_QUARTER_DAY):
        run = recompute(as_of=TODAY)

    assert run.assessments_created == 1
    assert PriorityAssessment.objects.get().fiscal_quarter == "FY27-Q4"
    account.refresh_from_db()
    assert account.priority is None  # the account's current priority is not back-dated


# --- rankings over the population ---------------------------------------------------------


def test_commercial_top_30_by_arr_within_the_region(tam):
    noram = region("commercial-noram")
    accounts = [
        AccountFactory(tam=tam, region=noram, arr=Decimal(60000 + n), success_plan="green")
        for n in range(31)
    ]

    recompute()

    smallest = Account.objects.get(pk=accounts[0].pk)
    largest = Account.objects.get(pk=accounts[-1].pk)
    thirtieth = Account.objects.get(pk=accounts[1].pk)
    assert (largest.priority, largest.priority_reasons) == (1, "top_arr")
    assert (thirtieth.priority, thirtieth.priority_reasons) == (1, "top_arr")
    assert (smallest.priority, smallest.priority_reasons) == (2, "default")

    # Recomputing one account ranks it against the same population.
    Account.objects.filter(pk__in=[smallest.pk, thirtieth.pk]).update(priority=None)
    decisions = recompute_accounts([smallest.pk, thirtieth.pk])
    assert {pk: d.reasons for pk, d in decisions.items()} == {
        smallest.pk: ("default",),
        thirtieth.pk: ("top_arr",),
    }


def test_emea_cap_is_per_tam():
    emea = region("emea-enterprise")
    team = TeamFactory(region=emea)
    first, second = TamFactory(team=team), TamFactory(team=team)
    for tam in (first, second):
        for n in range(10):
            AccountFactory(tam=tam, region=emea, arr=Decimal(150000 + n), org_change=True)

    recompute()

    for tam in (first, second):
        priorities = sorted(Account.objects.filter(tam=tam).values_list("priority", flat=True))
        assert priorities == [1] * 8 + [2] * 2


def test_initiative_hours_come_from_the_active_initiative(account):
    InitiativeFactory(account=account, kind="infrastructure_change", tam_hours_per_week=3)
    InitiativeFactory(
        account=account,
        kind="stage_adoption",
        tam_hours_per_week=5,
        starts_on=datetime.date(2026, 8, 1),
        ends_on=datetime.date(2026, 10, 31),
        status="closed",
    )

    recompute()

    account.refresh_from_db()
    assert (account.priority, account.priority_reasons) == (1, "infra_change")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_chunk_that_meets_a_transient_error_is_retried(monkeypatch, tam):
    AccountFactory(tam=tam, at_risk=True)
    calls = {"count": 0}
    real_load_related = recompute_module.load_related

    def flaky_load_related(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 1:
            raise OperationalError("deadlock detected")
        return real_load_related(*args, **kwargs)

    monkeypatch.setattr(recompute_module, "load_related", flaky_load_related)
    monkeypatch.setattr(recompute_module.time, "sleep", lambda seconds: None)

    run = recompute()

    assert run.status == RunStatus.SUCCEEDED
    assert calls["count"] == 2
    assert Account.objects.get().priority == 1


def test_a_run_that_fails_is_recorded_with_its_error(monkeypatch, account):
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(recompute_module, "load_related", broken)

    with pytest.raises(ValueError, match="a bug"):
        recompute()

    run = RecomputeRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert "ValueError: a bug" in run.error


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_threads_give_the_same_answer_as_one_thread(settings):
    call_command("import_accounts", str(CASES), "--no-recompute", stdout=io.StringIO())
    settings.RECOMPUTE_WORKERS = 1
    recompute(chunk_size=7)
    one_thread = _snapshot()[0]
    Account.objects.update(priority=None, priority_reasons="", segment=None)
    PriorityAssessment.objects.all().delete()
    settings.RECOMPUTE_WORKERS = 3

    run = recompute(chunk_size=7)  # chunks finish in any order; rankings span them

    assert run.status == RunStatus.SUCCEEDED
    assert (run.accounts, run.assessments_created) == (30, 30)
    assert _snapshot()[0] == one_thread
