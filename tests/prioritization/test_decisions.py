"""Exceptions and EMEA reviews: who may ask and decide, what wins, and for how long."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Account
from orchestration.runs import recompute
from prioritization.models import PriorityAssessment, ReviewStatus
from prioritization.services import (
    priority_exception_approve,
    priority_exception_reject,
    priority_exception_request,
    priority_review_decide,
    priority_review_propose,
    priority_review_reject,
)
from tests.factories import AccountFactory, ManagerFactory, TamFactory, TeamFactory, region

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)  # FY27-Q4 ends 2027-01-31


def _at(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9)), tick=False)


@pytest.fixture(autouse=True)
def _today():
    with _at(TODAY):
        yield


def _priority(account):
    account.refresh_from_db()
    return account.priority, account.priority_reasons


@pytest.fixture
def us_account(tam):
    account = AccountFactory(tam=tam)  # named, onboarded, nothing fires: Pr2 default
    recompute()
    return account


# --- exceptions ----------------------------------------------------------------------------


def test_a_pending_exception_changes_nothing(us_account, tam):
    exception = priority_exception_request(
        account=us_account, requested_by=tam, priority=1, justification="Exec sponsor churned"
    )

    assert exception.status == ReviewStatus.PENDING
    assert exception.expires_on == datetime.date(2027, 1, 31)  # end of the fiscal quarter
    recompute()
    assert _priority(us_account) == (2, "default")


@pytest.mark.parametrize(
    ("priority", "justification", "field"),
    [(1, "   ", "justification"), (3, "Needs care", "requested_priority")],
)
def test_an_exception_needs_pr1_or_pr2_and_a_justification(
    us_account, tam, priority, justification, field
):
    with pytest.raises(ValidationError) as error:
        priority_exception_request(
            account=us_account, requested_by=tam, priority=priority, justification=justification
        )

    assert field in error.value.message_dict


def test_only_the_accounts_people_may_ask(us_account, other_tam):
    with pytest.raises(PermissionDenied):
        priority_exception_request(
            account=us_account, requested_by=other_tam, priority=1, justification="Mine now"
        )


def test_approval_by_the_teams_manager_takes_effect_at_once_and_survives_recomputes(
    us_account, tam, manager, django_capture_on_commit_callbacks
):
    exception = priority_exception_request(
        account=us_account, requested_by=tam, priority=1, justification="Large, no LAM"
    )

    with django_capture_on_commit_callbacks(execute=True):
        priority_exception_approve(exception=exception, reviewer=manager, comment="Agreed in 1:1")

    assert _priority(us_account) == (1, "p1_exception;default")
    recompute()
    assert _priority(us_account) == (1, "p1_exception;default")
    assessment = PriorityAssessment.objects.get(account=us_account, fiscal_quarter="FY27-Q4")
    assert (assessment.computed_priority, assessment.effective_priority) == (2, 1)
    assert (assessment.source, assessment.decided_by) == ("exception", manager)


def test_an_exception_applies_through_its_last_day_and_not_after(us_account, tam, manager):
    exception = priority_exception_request(
        account=us_account, requested_by=tam, priority=1, justification="Migration"
    )
    priority_exception_approve(exception=exception, reviewer=manager)

    with _at(datetime.date(2027, 1, 31)):
        recompute()
        assert _priority(us_account) == (1, "p1_exception;default")
    with _at(datetime.date(2027, 2, 1)):
        recompute()
        assert _priority(us_account) == (2, "default")


@pytest.mark.parametrize("who", ["tam", "other_manager"])
def test_only_the_teams_manager_or_an_admin_decides(us_account, tam, who):
    exception = priority_exception_request(
        account=us_account, requested_by=tam, priority=1, justification="Why not"
    )
    reviewer = tam if who == "tam" else ManagerFactory()

    with pytest.raises(PermissionDenied):
        priority_exception_approve(exception=exception, reviewer=reviewer)


def test_an_admin_may_decide(us_account, tam, admin_user, django_capture_on_commit_callbacks):
    exception = priority_exception_request(
        account=us_account, requested_by=tam, priority=1, justification="Board visibility"
    )

    with django_capture_on_commit_callbacks(execute=True):
        priority_exception_approve(exception=exception, reviewer=admin_user)

    assert _priority(us_account)[0] == 1


def test_rejection_needs_a_comment_and_leaves_the_model(us_account, tam, manager):
    exception = priority_exception_request(
        account=us_account, requested_by=tam, priority=1, justification="Feels important"
    )
    with pytest.raises(ValidationError):
        priority_exception_reject(exception=exception, reviewer=manager, comment="")

    priority_exception_reject(exception=exception, reviewer=manager, comment="No risk shown")

    assert _priority(us_account) == (2, "default")
    with pytest.raises(ValidationError, match="already rejected"):
        priority_exception_approve(exception=exception, reviewer=manager)


def test_an_exception_does_not_lift_an_unmanaged_child(
    tam, manager, django_capture_on_commit_callbacks
):
    parent = AccountFactory(tam=tam)
    child = AccountFactory(tam=tam, parent=parent, managed=False)
    exception = priority_exception_request(
        account=child, requested_by=tam, priority=1, justification="Busy child"
    )

    with django_capture_on_commit_callbacks(execute=True):
        priority_exception_approve(exception=exception, reviewer=manager)

    assert _priority(child) == (3, "unmanaged_child")


# --- EMEA review ---------------------------------------------------------------------------


@pytest.fixture
def emea_people():
    manager = ManagerFactory()
    tam = TamFactory(team=TeamFactory(region=region("emea-enterprise"), manager=manager))
    return tam, manager


@pytest.fixture
def emea_account(emea_people):
    account = AccountFactory(tam=emea_people[0], region=region("emea-enterprise"))
    recompute()
    return account


def test_the_proposal_is_prefilled_with_the_models_suggestion(emea_account, emea_people):
    tam, _ = emea_people

    review = priority_review_propose(
        account=emea_account, proposed_by=tam, priority=1, justification="Org change coming"
    )

    assert (review.fiscal_quarter, review.suggested_priority, review.proposed_priority) == (
        "FY27-Q4",
        2,
        1,
    )
    assert _priority(emea_account) == (2, "default")  # nothing until the manager decides


def test_the_approved_review_decides_the_quarter_only(
    emea_account, emea_people, django_capture_on_commit_callbacks
):
    tam, manager = emea_people
    review = priority_review_propose(
        account=emea_account, proposed_by=tam, priority=1, justification="Org change coming"
    )

    with django_capture_on_commit_callbacks(execute=True):
        priority_review_decide(review=review, manager=manager)

    assert _priority(emea_account) == (1, "review;default")
    with _at(datetime.date(2027, 2, 3)):
        recompute()
        assert _priority(emea_account) == (2, "default")


def test_the_manager_may_change_the_proposal_with_a_reason(
    emea_account, emea_people, django_capture_on_commit_callbacks
):
    tam, manager = emea_people
    review = priority_review_propose(
        account=emea_account, proposed_by=tam, priority=1, justification="Org change coming"
    )
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True):
        priority_review_decide(review=review, manager=manager, priority=2)

    with django_capture_on_commit_callbacks(execute=True):
        priority_review_decide(
            review=review, manager=manager, priority=2, comment="Sales not aligned yet"
        )

    review.refresh_from_db()
    assert (review.status, review.decided_priority) == (ReviewStatus.APPROVED, 2)
    assert _priority(emea_account) == (2, "review;default")


def test_a_rejected_proposal_keeps_the_suggestion(emea_account, emea_people):
    tam, manager = emea_people
    review = priority_review_propose(
        account=emea_account, proposed_by=tam, priority=1, justification="Org change coming"
    )

    priority_review_reject(review=review, manager=manager, comment="Not this quarter")

    assert _priority(emea_account) == (2, "default")


def test_an_exception_wins_over_a_review(
    emea_account, emea_people, django_capture_on_commit_callbacks
):
    tam, manager = emea_people
    review = priority_review_propose(
        account=emea_account, proposed_by=tam, priority=1, justification="Org change coming"
    )
    with django_capture_on_commit_callbacks(execute=True):
        priority_review_decide(review=review, manager=manager)
    exception = priority_exception_request(
        account=emea_account, requested_by=tam, priority=2, justification="Customer asked"
    )

    with django_capture_on_commit_callbacks(execute=True):
        priority_exception_approve(exception=exception, reviewer=manager)

    assert _priority(emea_account) == (2, "p2_exception;default")


def test_reviews_are_the_emea_process_only(us_account, tam):
    with pytest.raises(ValidationError, match="EMEA"):
        priority_review_propose(
            account=us_account, proposed_by=tam, priority=1, justification="Org change coming"
        )


def test_a_decided_review_cannot_be_proposed_again(
    emea_account, emea_people, django_capture_on_commit_callbacks
):
    tam, manager = emea_people
    review = priority_review_propose(
        account=emea_account, proposed_by=tam, priority=1, justification="Org change coming"
    )
    with django_capture_on_commit_callbacks(execute=True):
        priority_review_decide(review=review, manager=manager)

    with pytest.raises(ValidationError, match="already approved"):
        priority_review_propose(
            account=emea_account, proposed_by=tam, priority=2, justification="Org change coming"
        )
    assert Account.objects.get(pk=emea_account.pk).priority == 1
