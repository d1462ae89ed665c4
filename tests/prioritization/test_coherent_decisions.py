"""Exceptions and reviews are coherent (issue 12, point 4).

One open request and one exception in force per account; an approval ends the one in
force (in the audit log); a request for the priority the account has is refused; a
proposal is justified like an exception; the EMEA proposal form goes once the manager
decided; the review queue shows the account beside each request.
"""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Account, Health
from core.models import AuditAction, AuditEntry
from orchestration.runs import recompute
from prioritization.forms import ExceptionRequestForm, ReviewProposalForm
from prioritization.models import JUSTIFICATION_MAX_LENGTH, PriorityException, ReviewStatus
from prioritization.services import (
    already_has_priority,
    justification_problem,
    priority_exception_approve,
    priority_exception_reject,
    priority_exception_request,
    priority_review_decide,
    priority_review_propose,
)
from tests.factories import AccountFactory, ManagerFactory, TamFactory, TeamFactory, region

TODAY = datetime.date(2026, 11, 24)  # FY27-Q4 (Nov-Jan) ends 2027-01-31; FY28-Q1 ends 04-30


@pytest.fixture(autouse=True)
def _today():
    moment = datetime.datetime.combine(TODAY, datetime.time(9))
    with time_machine.travel(moment, tick=False):
        yield


# --- pure parts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "requested", "problem"),
    [
        (2, 2, "The account is already Pr2."),
        (1, 1, "The account is already Pr1."),
        (3, 2, None),  # a Pr3 account held at Pr2 is what an exception is for
        (2, 1, None),
        (None, 1, None),  # not assessed yet: nothing to compare with
    ],
)
def test_asking_for_the_priority_the_account_has_is_refused(current, requested, problem):
    assert already_has_priority(current, requested) == problem


@pytest.mark.parametrize(
    ("text", "is_refused"),
    [
        ("", True),
        ("   \n", True),  # blank is empty
        ("x", False),
        ("x" * JUSTIFICATION_MAX_LENGTH, False),  # the limit itself is allowed
        ("x" * (JUSTIFICATION_MAX_LENGTH + 1), True),
        (" " + "x" * JUSTIFICATION_MAX_LENGTH + " ", False),  # counted once trimmed
    ],
)
def test_a_justification_is_required_and_at_most_2000_characters(text, is_refused):
    problem = justification_problem(text, "Say why.")
    assert (problem is not None) == is_refused
    if problem and text.strip():
        assert problem == "At most 2,000 characters (this one has 2,001)."


def test_both_forms_bound_the_justification_alike():
    too_long = "x" * (JUSTIFICATION_MAX_LENGTH + 1)
    exception = ExceptionRequestForm({"requested_priority": "1", "justification": too_long})
    proposal = ReviewProposalForm({"proposed_priority": "1", "justification": too_long})
    unjustified = ReviewProposalForm({"proposed_priority": "1", "justification": ""})

    assert not exception.is_valid() and not proposal.is_valid()
    assert "justification" in exception.errors and "justification" in proposal.errors
    assert unjustified.errors["justification"] == ["This field is required."]


# --- services --------------------------------------------------------------------------


@pytest.fixture
def people(db):
    manager = ManagerFactory()
    tam = TamFactory(team=TeamFactory(manager=manager))
    return tam, manager


@pytest.fixture
def account(people):
    account = AccountFactory(tam=people[0])  # named, onboarded, nothing fires: Pr2
    recompute()
    account.refresh_from_db()
    return account


def _approve(exception, manager, capture):
    with capture(execute=True):
        return priority_exception_approve(exception=exception, reviewer=manager)


@pytest.mark.django_db
def test_a_second_request_while_one_is_open_is_refused_with_the_reason(account, people):
    tam, manager = people
    priority_exception_request(account=account, requested_by=tam, priority=1, justification="A")

    with pytest.raises(ValidationError) as refused:
        priority_exception_request(
            account=account, requested_by=manager, priority=1, justification="B"
        )

    assert "is still waiting for a decision: one request at a time" in refused.value.messages[0]
    assert PriorityException.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_a_decided_request_leaves_room_for_the_next(account, people):
    tam, manager = people
    first = priority_exception_request(
        account=account, requested_by=tam, priority=1, justification="A"
    )
    priority_exception_reject(exception=first, reviewer=manager, comment="Not yet")

    second = priority_exception_request(
        account=account, requested_by=tam, priority=1, justification="Now it is"
    )

    assert second.status == ReviewStatus.PENDING


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_request(account, people):
    tam, _ = people
    priority_exception_request(account=account, requested_by=tam, priority=1, justification="A")

    with pytest.raises(IntegrityError), transaction.atomic():
        PriorityException.objects.create(
            account=account,
            requested_priority=1,
            justification="Through the back door",
            requested_by=tam,
            expires_on=datetime.date(2027, 1, 31),
        )


@pytest.mark.django_db
def test_a_request_for_the_priority_the_account_has_is_refused(account, people):
    tam, _ = people
    assert account.priority == 2

    with pytest.raises(ValidationError) as refused:
        priority_exception_request(
            account=account, requested_by=tam, priority=2, justification="Keep it"
        )

    assert refused.value.message_dict == {"requested_priority": ["The account is already Pr2."]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("expires_on", "is_refused"),
    [
        (datetime.date(2027, 4, 30), False),  # the end of the next fiscal quarter
        (datetime.date(2027, 5, 1), True),  # a day later
    ],
)
def test_the_expiry_cap_of_issue_11_still_holds(account, people, expires_on, is_refused):
    tam, _ = people
    call = dict(account=account, requested_by=tam, priority=1, justification="Migration")
    if is_refused:
        with pytest.raises(ValidationError, match="2027-04-30 at the latest"):
            priority_exception_request(**call, expires_on=expires_on)
    else:
        assert priority_exception_request(**call, expires_on=expires_on).expires_on == expires_on


@pytest.mark.django_db
def test_approving_a_new_exception_ends_the_one_in_force_and_records_it(
    account, people, django_capture_on_commit_callbacks
):
    tam, manager = people
    first = priority_exception_request(
        account=account, requested_by=tam, priority=1, justification="Launch"
    )
    _approve(first, manager, django_capture_on_commit_callbacks)
    account.refresh_from_db()
    assert account.priority == 1
    second = priority_exception_request(
        account=account,
        requested_by=tam,
        priority=2,
        justification="Launch done, still busy",
        expires_on=datetime.date(2027, 4, 30),
    )

    _approve(second, manager, django_capture_on_commit_callbacks)

    first.refresh_from_db()
    assert first.status == ReviewStatus.APPROVED  # decided once, not undone
    assert first.expires_on == datetime.date(2026, 11, 23)  # ended: in force until yesterday
    in_force = PriorityException.objects.filter(
        account=account, status=ReviewStatus.APPROVED, expires_on__gte=TODAY
    )
    assert list(in_force) == [second]
    ended = AuditEntry.objects.get(
        model="prioritization.priorityexception",
        object_id=str(first.pk),
        action=AuditAction.CHANGED,
    )
    assert (ended.actor, ended.before["expires_on"], ended.after["expires_on"]) == (
        manager,
        "2027-01-31",
        "2026-11-23",
    )
    assert Account.objects.get(pk=account.pk).priority == 2


# --- EMEA proposals --------------------------------------------------------------------


@pytest.fixture
def emea(db):
    manager = ManagerFactory()
    tam = TamFactory(team=TeamFactory(region=region("emea-enterprise"), manager=manager))
    account = AccountFactory(tam=tam, region=region("emea-enterprise"))
    recompute()
    return tam, manager, account


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("justification", "field_error"),
    [
        ("", "Say why this priority is right for the account this quarter."),
        ("x" * (JUSTIFICATION_MAX_LENGTH + 1), "At most 2,000 characters (this one has 2,001)."),
    ],
)
def test_a_proposal_needs_a_justification_like_an_exception(emea, justification, field_error):
    tam, _, account = emea

    with pytest.raises(ValidationError) as refused:
        priority_review_propose(
            account=account, proposed_by=tam, priority=1, justification=justification
        )

    assert refused.value.message_dict == {"justification": [field_error]}


@pytest.mark.django_db
def test_the_proposal_form_gives_way_to_the_decision(
    client, emea, django_capture_on_commit_callbacks
):
    tam, manager, account = emea
    page = reverse("account_detail", args=[account.pk])
    client.force_login(tam)
    assert 'action="{}"'.format(reverse("propose_review", args=[account.pk])) in (
        client.get(page).text
    )
    review = priority_review_propose(
        account=account, proposed_by=tam, priority=1, justification="Org change"
    )
    # Still pending: the TAM may revise the proposal.
    assert reverse("propose_review", args=[account.pk]) in client.get(page).text

    with django_capture_on_commit_callbacks(execute=True):
        priority_review_decide(review=review, manager=manager)

    text = client.get(page).text
    assert reverse("propose_review", args=[account.pk]) not in text
    assert "FY2027 Q4 is decided: Pr1" in text


@pytest.mark.django_db
def test_the_exception_form_gives_way_to_the_open_request(client, account, people):
    tam, _ = people
    page = reverse("account_detail", args=[account.pk])
    client.force_login(tam)
    priority_exception_request(account=account, requested_by=tam, priority=1, justification="A")

    text = client.get(page).text

    assert reverse("request_exception", args=[account.pk]) not in text
    assert "One request at a time: the Pr1 request above waits" in text


# --- the review queue ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_review_queue_shows_the_account_beside_each_request(client, people):
    tam, manager = people
    account = AccountFactory(tam=tam, name="Queued")
    recompute()
    # An exception's Pr3, say; the health as the recompute would have computed it.
    Account.objects.filter(pk=account.pk).update(priority=3, health=Health.YELLOW, health_score=62)
    priority_exception_request(account=account, requested_by=tam, priority=1, justification="A")
    segment = Account.objects.get(pk=account.pk).effective_segment
    client.force_login(manager)

    dashboard = client.get("/dashboard/").text
    team = f"team-{tam.team_id}"
    full_page = client.get(reverse("dashboard:queue_list", args=["exceptions"]) + f"?scope={team}")
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(
                    client.get(
                        reverse("dashboard:queue_csv", args=["exceptions"]) + f"?scope={team}"
                    ).streaming_content
                ).decode("utf-8-sig")
            )
        )
    )

    # Now Pr3 (the account's), model Pr2 (the quarter's assessment), ARR $120,000.
    facts = f"Now Pr3 · model Pr2 · {segment.name} · ARR $120,000 · health Yellow 62"
    assert facts in dashboard
    [row] = full_page.context["table"].paginated_rows
    columns = ("current_priority", "model_priority", "segment", "arr", "health")
    assert [row.get_cell(column) for column in columns] == [
        "Pr3", "Pr2", segment.name, "$120,000", "Yellow 62"
    ]  # fmt: skip
    assert [
        (r["current_priority"], r["model_priority"], r["segment"], r["arr"], r["health"])
        for r in rows
    ] == [("Pr3", "Pr2", segment.name, "120000.00", "Yellow")]
