"""Issue 11, point 7: nobody decides their own request, and an exception runs to the end of
the next fiscal quarter at the latest (an admin setting, 0 to 4 quarters after this one).

Who may decide (prioritization/services.py): the account's team manager or an admin, never
the person who asked. An admin decides a manager's request; an admin's own request needs
another admin. Every way in refuses the same: the service (and so the account page and the
dashboard, which call it), and the admin's exception and review pages. The API decides
nothing (checked below, so a decision endpoint added later must come with this rule).

Dates: today is 2026-11-24, in FY27-Q4 (Nov-Jan with a February fiscal year, DESIGN 2),
which ends 2027-01-31; the next quarter, FY28-Q1, ends 2027-04-30.
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from orchestration.runs import recompute
from prioritization.models import (
    DecisionSettings,
    PriorityException,
    PriorityReview,
    ReviewStatus,
)
from prioritization.services import (
    OWN_EXCEPTION,
    OWN_PROPOSAL,
    priority_exception_approve,
    priority_exception_reject,
    priority_exception_request,
    priority_review_decide,
    priority_review_propose,
    priority_review_reject,
)
from tests.factories import AccountFactory, AdminFactory, TamFactory, TeamFactory, region
from tests.rejected import refused

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)
END_OF_THIS_QUARTER = datetime.date(2027, 1, 31)  # FY27-Q4
END_OF_NEXT_QUARTER = datetime.date(2027, 4, 30)  # FY28-Q1


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9), tick=False):
        yield


@pytest.fixture
def managers_request(account, manager):
    """The team's manager asks for an exception on one of the team's accounts."""
    return priority_exception_request(
        account=account, requested_by=manager, priority=1, justification="Exec escalation"
    )


@pytest.fixture
def emea_account(manager):
    tam = TamFactory(team=TeamFactory(region=region("emea-enterprise"), manager=manager))
    account = AccountFactory(tam=tam, region=region("emea-enterprise"))
    recompute()
    return account


# --- the rule, in the service --------------------------------------------------------------


@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_a_manager_cannot_decide_their_own_exception(managers_request, manager, decide):
    with pytest.raises(ValidationError) as refused:
        if decide == "approve":
            priority_exception_approve(exception=managers_request, reviewer=manager)
        else:
            priority_exception_reject(exception=managers_request, reviewer=manager, comment="No")

    assert refused.value.messages == [OWN_EXCEPTION]
    managers_request.refresh_from_db()
    assert (managers_request.status, managers_request.reviewed_by) == (ReviewStatus.PENDING, None)


def test_an_admin_decides_a_managers_request(managers_request, admin_user):
    priority_exception_approve(exception=managers_request, reviewer=admin_user)

    managers_request.refresh_from_db()
    assert (managers_request.status, managers_request.reviewed_by) == ("approved", admin_user)


def test_not_even_a_superuser_decides_their_own_request_but_another_admin_may(account):
    superuser = AdminFactory()  # is_superuser (tests/factories.py)
    own = priority_exception_request(
        account=account, requested_by=superuser, priority=2, justification="Board visibility"
    )

    with pytest.raises(ValidationError, match="You asked for this exception"):
        priority_exception_approve(exception=own, reviewer=superuser)
    priority_exception_approve(exception=own, reviewer=AdminFactory())

    own.refresh_from_db()
    assert own.status == "approved"


def test_the_tam_who_asked_is_still_refused_as_not_a_reviewer(account, tam):
    """A TAM decides nothing at all: the older rule answers first, with a 403."""
    exception = priority_exception_request(
        account=account, requested_by=tam, priority=1, justification="Why not"
    )

    with pytest.raises(PermissionDenied):
        priority_exception_approve(exception=exception, reviewer=tam)


@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_a_manager_cannot_decide_their_own_emea_proposal(emea_account, manager, decide):
    review = priority_review_propose(
        account=emea_account, proposed_by=manager, priority=1, justification="Org change coming"
    )

    with pytest.raises(ValidationError) as refused:
        if decide == "approve":
            priority_review_decide(review=review, manager=manager)
        else:
            priority_review_reject(review=review, manager=manager, comment="Not now")

    assert refused.value.messages == [OWN_PROPOSAL]
    priority_review_decide(review=review, manager=AdminFactory())
    review.refresh_from_db()
    assert review.status == "approved"


# --- the account page and the dashboard ------------------------------------------------------


def test_the_page_refuses_beside_the_decision_and_offers_no_form(client, managers_request, manager):
    client.force_login(manager)
    url = reverse("decide_exception", args=[managers_request.pk])

    response = refused(
        client,
        url,
        {"decision": "approve", "comment": ""},
        page=reverse("account_detail", args=[managers_request.account_id]),
        form_id=f"exception-{managers_request.pk}",
    )

    # The request's own block says why, where the form would be.
    assert OWN_EXCEPTION in response.text.split(f'id="exception-{managers_request.pk}"', 1)[1]
    assert url not in response.text  # no decision form for one's own request
    managers_request.refresh_from_db()
    assert managers_request.status == ReviewStatus.PENDING


def test_the_dashboard_queue_says_who_must_decide_instead_of_a_form(
    client, managers_request, manager
):
    client.force_login(manager)

    response = client.get(reverse("dashboard:index"))

    assert response.status_code == 200
    assert OWN_EXCEPTION in response.text
    assert reverse("decide_exception", args=[managers_request.pk]) not in response.text


def test_another_reviewers_form_is_still_offered(client, managers_request, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("account_detail", args=[managers_request.account_id]))

    assert reverse("decide_exception", args=[managers_request.pk]) in response.text
    assert OWN_EXCEPTION not in response.text


# --- the admin ----------------------------------------------------------------------------


def _exception_form(exception, **changes):
    data = {
        "account": exception.account_id,
        "requested_priority": exception.requested_priority,
        "justification": exception.justification,
        "status": exception.status,
        "review_comment": exception.review_comment,
        "expires_on": exception.expires_on.isoformat(),
    }
    return data | changes


def test_the_admin_refuses_an_admins_own_exception_on_the_status_field(client, account):
    superuser = AdminFactory()
    own = priority_exception_request(
        account=account, requested_by=superuser, priority=1, justification="Escalation"
    )
    client.force_login(superuser)
    url = reverse("admin:prioritization_priorityexception_change", args=[own.pk])

    response = client.post(url, _exception_form(own, status="approved"))

    assert response.status_code == 200  # the form again, with the error
    assert response.context["adminform"].form.errors["status"] == [OWN_EXCEPTION]
    own.refresh_from_db()
    assert own.status == ReviewStatus.PENDING


def test_the_admin_cannot_add_an_exception_already_approved_for_oneself(client, account):
    superuser = AdminFactory()
    client.force_login(superuser)
    url = reverse("admin:prioritization_priorityexception_add")
    data = {
        "account": account.pk,
        "requested_priority": 1,
        "justification": "Escalation",
        "requested_by": superuser.pk,
        "status": "approved",
        "expires_on": END_OF_THIS_QUARTER.isoformat(),
    }

    response = client.post(url, data)

    assert response.context["adminform"].form.errors["status"] == [OWN_EXCEPTION]
    assert not PriorityException.objects.exists()


def test_an_admin_decides_a_managers_request_in_the_admin_and_is_stamped_as_decider(
    client, managers_request, admin_user
):
    client.force_login(admin_user)
    url = reverse("admin:prioritization_priorityexception_change", args=[managers_request.pk])

    response = client.post(url, _exception_form(managers_request, status="approved"))

    assert response.status_code == 302
    managers_request.refresh_from_db()
    assert (managers_request.status, managers_request.reviewed_by) == ("approved", admin_user)
    assert managers_request.reviewed_at is not None


def test_the_admin_refuses_an_admins_own_review_proposal(client, emea_account, manager):
    superuser = AdminFactory()
    review = priority_review_propose(
        account=emea_account, proposed_by=superuser, priority=1, justification="Org change coming"
    )
    client.force_login(superuser)
    url = reverse("admin:prioritization_priorityreview_change", args=[review.pk])
    data = {
        "account": emea_account.pk,
        "fiscal_quarter": review.fiscal_quarter,
        "suggested_priority": review.suggested_priority,
        "proposed_priority": 1,
        "justification": "",
        "status": "approved",
        "decided_priority": 1,
        "comment": "",
    }

    response = client.post(url, data)

    assert response.context["adminform"].form.errors["status"] == [OWN_PROPOSAL]
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING


# --- the API --------------------------------------------------------------------------------


def test_the_api_has_no_way_to_ask_for_or_decide_a_priority(client, admin_user):
    """Exceptions and reviews are decided on the pages and in the admin only; an API route
    for them would need the same refusal, and this test to grow with it."""
    client.force_login(admin_user)

    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    decision_paths = [path for path in schema["paths"] if "exception" in path or "review" in path]
    assert decision_paths == []
    assert (
        client.post("/api/v1/priority_exceptions/bulk/", "[]", "application/json").status_code
        == 404
    )


# --- the longest exception ------------------------------------------------------------------


def test_an_exception_may_run_to_the_end_of_the_next_fiscal_quarter_and_no_further(account, tam):
    longest = priority_exception_request(
        account=account,
        requested_by=tam,
        priority=1,
        justification="Migration over two quarters",
        expires_on=END_OF_NEXT_QUARTER,
    )
    with pytest.raises(ValidationError) as refused:
        priority_exception_request(
            account=account,
            requested_by=tam,
            priority=1,
            justification="Longer",
            expires_on=END_OF_NEXT_QUARTER + datetime.timedelta(days=1),
        )

    assert longest.expires_on == END_OF_NEXT_QUARTER
    assert refused.value.message_dict["expires_on"] == [
        "An exception ends by 2027-04-30 at the latest: the end of the next fiscal quarter "
        "(FY2028 Q1). Ask again then if it is still needed."
    ]


@pytest.mark.parametrize(
    ("quarters_ahead", "last_day"),
    [(0, END_OF_THIS_QUARTER), (1, END_OF_NEXT_QUARTER), (4, datetime.date(2028, 1, 31))],
)
def test_the_admin_setting_moves_the_limit(account, tam, quarters_ahead, last_day):
    DecisionSettings.objects.update_or_create(
        pk=1, defaults={"exception_quarters_ahead": quarters_ahead}
    )

    def ask(expires_on):
        return priority_exception_request(
            account=account, requested_by=tam, priority=1, justification="J", expires_on=expires_on
        )

    assert ask(last_day).expires_on == last_day
    with pytest.raises(ValidationError, match="at the latest"):
        ask(last_day + datetime.timedelta(days=1))


@pytest.mark.parametrize(
    ("expires_on", "accepted"), [("2027-04-30", True), ("2027-05-01", False), ("9999-12-31", False)]
)
def test_the_account_page_refuses_a_far_expiry_beside_the_field(
    client, account, tam, expires_on, accepted
):
    client.force_login(tam)
    page = reverse("account_detail", args=[account.pk])

    response = client.post(
        reverse("request_exception", args=[account.pk]),
        {"requested_priority": "1", "justification": "Escalation", "expires_on": expires_on},
    )

    assert response.status_code == 302
    assert PriorityException.objects.exists() is accepted
    if not accepted:
        assert response["Location"] == f"{page}#exception-request"
        assert client.get(page).context["exception_form"].errors["expires_on"]


@pytest.mark.parametrize(
    ("expires_on", "accepted"), [("2027-04-30", True), ("2027-05-01", False), ("9999-12-31", False)]
)
def test_the_admin_refuses_a_far_expiry_beside_the_field(
    client, account, tam, expires_on, accepted
):
    client.force_login(AdminFactory())
    data = {
        "account": account.pk,
        "requested_priority": 1,
        "justification": "Escalation",
        "requested_by": tam.pk,
        "status": "pending",
        "expires_on": expires_on,
    }

    response = client.post(reverse("admin:prioritization_priorityexception_add"), data)

    assert PriorityException.objects.exists() == accepted
    if not accepted:
        assert response.context["adminform"].form.errors["expires_on"]


def test_an_old_exception_is_still_editable_after_the_setting_shrinks(client, managers_request):
    """The limit applies when an expiry is set: editing the comment of an exception set under
    a longer limit does not force its expiry to change."""
    PriorityException.objects.filter(pk=managers_request.pk).update(expires_on=END_OF_NEXT_QUARTER)
    DecisionSettings.objects.update_or_create(pk=1, defaults={"exception_quarters_ahead": 0})
    managers_request.refresh_from_db()
    client.force_login(AdminFactory())
    url = reverse("admin:prioritization_priorityexception_change", args=[managers_request.pk])

    response = client.post(url, _exception_form(managers_request, review_comment="Noted"))

    assert response.status_code == 302


@pytest.mark.parametrize(("value", "valid"), [(0, True), (4, True), (5, False)])
def test_the_setting_is_bounded(client, value, valid):
    client.force_login(AdminFactory())
    url = reverse("admin:prioritization_decisionsettings_change", args=[1])

    response = client.post(url, {"exception_quarters_ahead": value})

    assert (response.status_code == 302) == valid
    assert DecisionSettings.current().exception_quarters_ahead == (value if valid else 1)


def test_the_model_refuses_a_date_outside_the_supported_range(managers_request):
    managers_request.expires_on = datetime.date(9999, 12, 31)

    with pytest.raises(ValidationError) as refused:
        managers_request.full_clean()

    assert "expires_on" in refused.value.message_dict


def test_a_review_proposal_refused_for_its_proposer_is_kept_pending(emea_account, manager):
    review = priority_review_propose(
        account=emea_account, proposed_by=manager, priority=2, justification="Org change coming"
    )

    with pytest.raises(ValidationError):
        priority_review_decide(review=review, manager=manager, priority=1, comment="Changed")

    assert PriorityReview.objects.get(pk=review.pk).status == ReviewStatus.PENDING
