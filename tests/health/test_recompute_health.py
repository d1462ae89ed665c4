"""The health step of the recompute (issue 13 point 2, DESIGN 11).

The hand-built account, with the default scorecard and engagement switched off (so its
priority, whatever the rules make it, does not move the score):
licence use 80 of 100 (green, 100 x 15), 2 stages (yellow, 50 x 10), yellow sentiment
(50 x 50), objectives (yellow, 50 x 10), NPS 6 (red, 0 x 5): 5000 / 90 = 55.56 -> 56,
yellow (>= 50, < 75).
"""

import datetime
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, ActivityKind, Health, SuccessPlanState, UsageSnapshot
from health.models import HealthHistory, HealthScorecard
from orchestration import health_step
from orchestration.models import RunStatus
from orchestration.runs import recompute
from orchestration.selection import recompute_accounts
from tests.factories import AccountFactory, ActivityFactory, StageAdoptionFactory, stage
from tests.health.history_paths import history_written

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)  # FY27-Q4
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime.combine(TODAY, datetime.time(9)), tick=False):
        yield


@pytest.fixture(autouse=True)
def _no_engagement(db):
    HealthScorecard.objects.filter(segment=None).update(engagement_enabled=False)


@pytest.fixture
def known(tam):
    account = AccountFactory(
        tam=tam,
        tam_sentiment=Health.YELLOW,
        tam_sentiment_on=TODAY - timedelta(days=5),
        success_plan=SuccessPlanState.OBJECTIVES,
    )
    UsageSnapshot.objects.create(
        account=account, taken_on=TODAY - timedelta(days=10), licensed_users=100, active_users=80
    )
    StageAdoptionFactory(account=account, stage=stage("Create"))
    StageAdoptionFactory(account=account, stage=stage("Plan"))
    ActivityFactory(
        account=account,
        kind=ActivityKind.SURVEY_RESPONSE,
        survey_kind="renewal",
        occurred_on=TODAY - timedelta(days=30),
        nps=6,
    )
    return account


def health_of(account):
    account.refresh_from_db()
    return account.health, account.health_score


def history(account):
    return list(
        HealthHistory.objects.filter(account=account)
        .order_by("on")
        .values_list("on", "band", "score")
    )


def set_sentiment(account, band):
    Account.objects.filter(pk=account.pk).update(tam_sentiment=band, tam_sentiment_on=TODAY)


def test_a_full_run_writes_the_score_the_band_and_the_first_history_row(known):
    run = recompute()

    assert run.status == RunStatus.SUCCEEDED
    assert health_of(known) == ("yellow", 56)
    assert history(known) == [(TODAY, "yellow", 56)]
    row = HealthHistory.objects.get(account=known)
    assert row.measures["licence_use"]["band"] == "green"
    assert row.measures["voice"]["value"] == ["nps", 6]
    assert run.details["health_bands_changed"] == 1
    assert run.details["health_history_written"] == 1


def test_the_one_account_recompute_writes_it_too(known):
    recompute_accounts([known.id])

    assert health_of(known) == ("yellow", 56)
    assert history(known) == [(TODAY, "yellow", 56)]


def test_a_second_run_with_nothing_changed_writes_no_history(known):
    recompute()
    run = recompute()

    assert run.details["health_history_written"] == 0
    assert run.details["health_bands_changed"] == 0
    assert history(known) == [(TODAY, "yellow", 56)]


def test_a_sentiment_change_writes_one_row_and_a_second_change_that_day_rewrites_it(known):
    recompute()
    HealthHistory.objects.filter(account=known).update(on=YESTERDAY)

    # Red: 2500 / 90 = 27.8 -> 28 (and red whatever the score).
    set_sentiment(known, Health.RED)
    recompute_accounts([known.id])
    assert health_of(known) == ("red", 28)
    assert history(known) == [(YESTERDAY, "yellow", 56), (TODAY, "red", 28)]

    # Green the same day: 7500 / 90 = 83.3 -> 83: today's row holds the later values.
    set_sentiment(known, Health.GREEN)
    run = recompute()
    assert health_of(known) == ("green", 83)
    assert history(known) == [(YESTERDAY, "yellow", 56), (TODAY, "green", 83)]
    assert run.details["health_bands_changed"] == 1


def test_no_data_gives_unknown_and_no_history_row(tam):
    # Every account has a success-plan state and a count of stages (none is red), so
    # "no data" needs a scorecard that reads only what this account lacks.
    HealthScorecard.objects.filter(segment=None).update(
        outcomes_enabled=False, stage_adoption_enabled=False
    )
    account = AccountFactory(tam=tam)

    run = recompute()

    assert health_of(account) == ("", None)
    assert history(account) == []
    assert run.details["health_changed"] == 0


def test_an_account_failing_its_health_keeps_it_and_the_run_goes_on(monkeypatch, known, tam):
    other = AccountFactory(tam=tam, tam_sentiment=Health.GREEN, tam_sentiment_on=TODAY)
    Account.objects.filter(pk=known.pk).update(health=Health.GREEN, health_score=90)
    scored = health_step.score_health

    def failing(scorecard, inputs):
        if inputs.usage is not None:  # only `known` has usage
            raise ZeroDivisionError("a broken input")
        return scored(scorecard, inputs)

    monkeypatch.setattr(health_step, "score_health", failing)
    run = recompute()

    assert run.status == RunStatus.COMPLETED_WITH_ERRORS
    assert [(f["account_id"], f["step"]) for f in run.failures] == [(known.id, "health")]
    assert health_of(known) == ("green", 90)
    assert history(known) == []
    # Its priority, decided before the health step, is written all the same.
    known.refresh_from_db()
    assert known.priority is not None
    # The other account: sentiment green (100 x 50) and outcomes none (0 x 10), stages
    # none (0 x 10): 5000 / 70 = 71.4 -> 71, yellow.
    assert health_of(other) == ("yellow", 71)


def test_priorities_and_health_go_out_in_one_account_update(known):
    """Issue 13 point 9: the health is scored before the chunk's account write, so an
    account whose priority and health both change is updated once, not twice."""
    with CaptureQueriesContext(connection) as queries:
        recompute()

    account_table = Account._meta.db_table
    updates = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith(f'UPDATE "{account_table}"') and "health" in query["sql"]
    ]
    assert len(updates) == 1
    assert "priority" in updates[0]
    known.refresh_from_db()
    assert (known.priority is not None, known.health, known.health_score) == (True, "yellow", 56)


def test_previous_priority_and_its_date_are_written_when_the_priority_changes(known):
    recompute()
    known.refresh_from_db()
    decided = known.priority
    assert decided is not None
    # An account's first priority is not a change to report.
    assert (known.previous_priority, known.priority_changed_on) == (None, None)

    stored = 4 if decided != 4 else 3
    Account.objects.filter(pk=known.pk).update(priority=stored)
    recompute()
    known.refresh_from_db()
    assert (known.priority, known.previous_priority, known.priority_changed_on) == (
        decided,
        stored,
        TODAY,
    )

    # Nothing changes the next day: the change and its date stay as they were.
    with time_machine.travel(
        datetime.datetime.combine(TODAY + timedelta(days=1), datetime.time(9))
    ):
        recompute()
    known.refresh_from_db()
    assert (known.previous_priority, known.priority_changed_on) == (stored, TODAY)


def test_history_copied_is_the_history_inserted(tam):
    """PostgreSQL writes today's rows by COPY and one INSERT ... ON CONFLICT; the other
    databases by bulk_create: on the same rows, including a same-day rewrite and JSON
    whose text needs COPY's escaping, both leave the same table."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the portable path is the only one elsewhere")
    first, second, third = (AccountFactory(tam=tam) for _ in range(3))
    HealthHistory.objects.create(account=first, on=TODAY, band="green", score=90)
    awkward = '{"note": "tab\\there, back\\\\slash, newline\\n, quote \\" and \\u00e9"}'
    rows = {
        first.pk: ("yellow", 60, '{"licence": {"band": "yellow"}}'),
        second.pk: ("red", None, awkward),
        third.pk: ("", None, "{}"),
    }

    portable = history_written(rows, TODAY, tam, portable=True)
    assert portable == history_written(rows, TODAY, tam, portable=False)
    assert [row[2:4] for row in portable] == [("yellow", 60), ("red", None), ("", None)]
    assert portable[1][4]["note"] == 'tab\there, back\\slash, newline\n, quote " and é'
