"""The logging services and the pure rules behind them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts import activity_log
from accounts.models import Activity
from accounts.timeline_rules import becomes_last_nps, milestone_problem, plan_state_problem

D = datetime.date
TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("recorded", "derived", "logged", "refused"),
    [
        (None, False, D(2026, 3, 1), False),
        (D(2026, 3, 5), False, D(2026, 3, 1), False),  # earlier corrects
        (D(2026, 3, 5), False, D(2026, 3, 5), True),  # the same day again
        (D(2026, 3, 5), False, D(2026, 3, 9), True),  # later changes nothing
        (D(2026, 3, 5), True, D(2026, 3, 9), False),  # derived first value gives way
    ],
)
def test_milestone_problem(recorded, derived, logged, refused):
    problem = milestone_problem(recorded_on=recorded, recorded_derived=derived, logged_on=logged)

    assert (problem is not None) == refused


def test_becomes_last_nps():
    assert becomes_last_nps(answered_on=D(2026, 3, 1), latest_other_answer=None)
    assert becomes_last_nps(answered_on=D(2026, 3, 1), latest_other_answer=D(2026, 3, 1))
    assert not becomes_last_nps(answered_on=D(2026, 3, 1), latest_other_answer=D(2026, 3, 2))


@pytest.mark.parametrize(
    ("state", "objectives", "ok"),
    [
        ("green", [True, True, True], True),
        ("green", [True, True], False),
        ("green", [True, True, False], False),
        ("objectives", [], False),
        ("objectives", [False], True),
        ("none", [], True),
        ("unclear", [False, True], True),
    ],
)
def test_plan_state_problem(state, objectives, ok):
    assert (plan_state_problem(state, objectives) is None) == ok


def test_a_user_outside_the_account_cannot_log(account, other_tam):
    with pytest.raises(PermissionDenied):
        activity_log.log_cadence_call(account=account, user=other_tam, occurred_on=TODAY)

    assert not Activity.objects.exists()


def test_the_service_refuses_a_future_date_itself(account):
    with pytest.raises(ValidationError) as error:
        activity_log.log_ebr(
            account=account, user=account.tam, occurred_on=TODAY + datetime.timedelta(days=1)
        )

    assert "occurred_on" in error.value.message_dict


def test_a_survey_without_scores_is_refused(account):
    with pytest.raises(ValidationError) as error:
        activity_log.log_survey_response(
            account=account, user=account.tam, survey_kind="renewal", occurred_on=TODAY
        )

    assert "nps" in error.value.message_dict


def test_a_plan_change_that_changes_nothing_is_refused(account):
    with pytest.raises(ValidationError) as error:
        activity_log.log_success_plan_change(
            account=account,
            user=account.tam,
            action="state",
            occurred_on=TODAY,
            plan_state=account.success_plan,
            management_qualified=account.success_plan_management_qualified,
        )

    assert "Nothing changes" in error.value.message_dict["plan_state"][0]


def test_management_qualification_is_dated_and_can_be_withdrawn(account):
    account.success_plan = "unclear"
    account.save()
    for qualified in (True, False):
        activity_log.log_success_plan_change(
            account=account,
            user=account.tam,
            action="state",
            occurred_on=TODAY,
            plan_state="unclear",
            management_qualified=qualified,
        )
        account.refresh_from_db()
        assert account.success_plan_management_qualified is qualified
        assert account.success_plan_management_qualified_on == (TODAY if qualified else None)

    notes = list(Activity.objects.order_by("id").values_list("notes", flat=True))
    assert notes == ["Management-qualified", "Management qualification withdrawn"]
