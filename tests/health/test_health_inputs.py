"""`health.inputs.read_health_inputs`: the latest reading on or before today, set-based."""

import datetime

import pytest

from accounts.models import ActivityKind, Health, SuccessPlanState, UsageSnapshot
from health.inputs import read_health_inputs
from health.scorecard import SentimentReading, SurveyReading, UsageReading
from tests.factories import AccountFactory, ActivityFactory, StageAdoptionFactory, stage

TODAY = datetime.date(2026, 11, 20)
TOMORROW = datetime.date(2026, 11, 21)


def survey(account, day, **scores):
    return ActivityFactory(
        account=account,
        kind=ActivityKind.SURVEY_RESPONSE,
        survey_kind="renewal",
        occurred_on=day,
        **scores,
    )


@pytest.mark.django_db
def test_reads_the_latest_of_each_input_on_or_before_today(tam):
    account = AccountFactory(
        tam=tam,
        priority=1,
        tam_sentiment=Health.YELLOW,
        tam_sentiment_on=datetime.date(2026, 10, 1),
        success_plan=SuccessPlanState.OBJECTIVES,
    )
    for day, active in ((datetime.date(2026, 9, 1), 10), (datetime.date(2026, 11, 1), 60)):
        UsageSnapshot.objects.create(
            account=account, taken_on=day, licensed_users=100, active_users=active
        )
    UsageSnapshot.objects.create(  # not taken yet: does not count
        account=account, taken_on=TOMORROW, licensed_users=100, active_users=99
    )
    StageAdoptionFactory(account=account, stage=stage("Create"))
    StageAdoptionFactory(account=account, stage=stage("Plan"))
    StageAdoptionFactory(account=account, stage=stage("Verify"), enabled_on=TOMORROW)
    survey(account, datetime.date(2025, 1, 5), nps=3)
    survey(account, datetime.date(2026, 6, 5), nps=9)
    survey(account, datetime.date(2026, 8, 5), csat=4)
    survey(account, TOMORROW, nps=0, csat=1)
    ActivityFactory(account=account, occurred_on=datetime.date(2026, 11, 2))
    ActivityFactory(account=account, occurred_on=datetime.date(2026, 10, 2))
    ActivityFactory(account=account, occurred_on=TOMORROW)

    inputs = read_health_inputs([account.id], TODAY)[account.id]

    assert inputs.today == TODAY
    assert inputs.usage == UsageReading(60, 100, datetime.date(2026, 11, 1))
    assert inputs.stages_adopted == 2
    assert inputs.sentiment == SentimentReading("yellow", datetime.date(2026, 10, 1))
    assert inputs.success_plan == "objectives"
    assert inputs.latest_nps == SurveyReading(9, datetime.date(2026, 6, 5))
    assert inputs.latest_csat == SurveyReading(4, datetime.date(2026, 8, 5))
    assert inputs.cadence_interval_days == 30  # Pr1, the rhythm setting's default
    assert inputs.last_cadence_call == datetime.date(2026, 11, 2)


@pytest.mark.django_db
def test_new_priorities_replace_the_stored_ones_and_missing_data_is_none(tam):
    first, second = AccountFactory(tam=tam, priority=3), AccountFactory(tam=tam, priority=1)

    inputs = read_health_inputs([first.id, second.id, 0], TODAY, priorities={first.id: 2})

    assert set(inputs) == {first.id, second.id}
    assert inputs[first.id].cadence_interval_days == 60  # the new Pr2, not the stored Pr3
    assert inputs[second.id].cadence_interval_days == 30
    blank = inputs[second.id]
    assert (blank.usage, blank.sentiment, blank.latest_nps, blank.latest_csat) == (None,) * 4
    assert blank.last_cadence_call is None
    assert blank.stages_adopted == 0


@pytest.mark.django_db
def test_sentiment_dated_after_today_is_not_given_yet(tam):
    account = AccountFactory(tam=tam, tam_sentiment=Health.RED, tam_sentiment_on=TOMORROW)

    assert read_health_inputs([account.id], TODAY)[account.id].sentiment is None
