"""Bounded input (issue 12 point 7): every text a person gives has a length, the same on the
form, in the write service, on the model and through the API and the import
(`lib.text_bounds`: comments and justifications 2,000 characters, notes 10,000, a
success-plan change's notes 9,000); the date of what happened is neither in the future nor
before the account's customer-since, or 2000-01-01 without one (`lib.dates`); a wrong
field says one thing.

The tests call the forms and services directly: how a page sends a rejected form back
(a status code or a redirect) is not what they are about.
"""

import datetime
import io
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from accounts import activity_log, entry_corrections
from accounts.forms import CadenceCallForm, SuccessPlanChangeForm
from accounts.models import Activity, ActivityKind, Disengagement
from accounts.priority_facts import set_fact
from lib.dates import EARLIEST_EVENT_DATE, earliest_event_date, event_date_problem
from lib.text_bounds import (
    COMMENT_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    PLAN_CHANGE_NOTES_MAX_LENGTH,
    too_long,
)
from portal.entry_corrections import EntryEditForm
from prioritization import services
from prioritization.forms import DecisionForm, ExceptionRequestForm, ReviewProposalForm
from prioritization.models import PriorityReview
from tests.api.conftest import bearer, integration_key
from tests.factories import AccountFactory, ActivityFactory, PriorityExceptionFactory

D = datetime.date
TODAY = D(2026, 11, 20)
SINCE = D(2024, 3, 1)  # the factory account's customer-since
NOW = datetime.datetime(2026, 11, 20, 10, 0)


@pytest.fixture
def today():
    with time_machine.travel(NOW, tick=False):
        yield TODAY


def _over(limit: int) -> str:
    return f"At most {limit:,} characters (this one has {limit + 1:,})."


# --- the one message and the one date rule ---------------------------------------------


@pytest.mark.parametrize(
    ("length", "problem"),
    [(COMMENT_MAX_LENGTH, None), (COMMENT_MAX_LENGTH + 1, _over(COMMENT_MAX_LENGTH))],
)
def test_text_is_refused_one_character_over_its_bound(length, problem):
    assert too_long("x" * length, COMMENT_MAX_LENGTH) == problem


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        (SINCE - datetime.timedelta(days=1), "Not before the account's customer-since date"),
        (SINCE, None),
        (TODAY, None),
        (TODAY + datetime.timedelta(days=1), "Log what happened: the date is in the future."),
    ],
)
def test_an_event_is_dated_from_customer_since_to_today(day, problem):
    found = event_date_problem(day, customer_since=SINCE, today=TODAY)

    assert (found or "").startswith(problem or "") and (found is None) == (problem is None)


def test_without_customer_since_nothing_happened_before_2000():
    assert earliest_event_date(None) == EARLIEST_EVENT_DATE == D(2000, 1, 1)
    assert event_date_problem(D(2000, 1, 1), customer_since=None, today=TODAY) is None
    assert event_date_problem(D(1999, 12, 31), customer_since=None, today=TODAY) == (
        "Not before 2000-01-01."
    )
    # A customer since before 2000 may log what happened then: its own date is the bound.
    assert event_date_problem(D(1999, 6, 1), customer_since=D(1998, 1, 5), today=TODAY) is None


# --- forms: the length, one message -----------------------------------------------------


@pytest.mark.parametrize(
    ("form_class", "data", "field"),
    [
        (ExceptionRequestForm, {"requested_priority": "1"}, "justification"),
        (ReviewProposalForm, {"proposed_priority": "1"}, "justification"),
        (DecisionForm, {"decision": "reject"}, "comment"),
    ],
)
@pytest.mark.django_db
def test_comments_and_justifications_take_2000_characters_on_the_form(form_class, data, field):
    at_bound = form_class({**data, field: "x" * COMMENT_MAX_LENGTH})
    over = form_class({**data, field: "x" * (COMMENT_MAX_LENGTH + 1)})

    assert at_bound.is_valid(), at_bound.errors
    assert over.errors == {field: [_over(COMMENT_MAX_LENGTH)]}
    # The browser stops at the bound too.
    assert f'maxlength="{COMMENT_MAX_LENGTH}"' in str(over[field])


@pytest.mark.django_db
def test_a_201_character_objective_title_gives_one_message(account, today):
    data = {
        "plan-action": "add",
        "plan-title": "T" * 201,
        "plan-plan_state": "objectives",
        "plan-occurred_on": "2026-11-19",
    }
    form = SuccessPlanChangeForm(data, account=account)

    assert not form.is_valid()
    # Not Django's "Ensure this value ..." and not "Name the objective." as well.
    assert form.errors == {"title": ["At most 200 characters (this one has 201)."]}


@pytest.mark.django_db
def test_notes_take_their_bound_on_the_logging_forms(account, today):
    def call(notes):
        return CadenceCallForm(
            {"call-occurred_on": "2026-11-19", "call-notes": notes}, account=account
        )

    def plan(notes):
        data = {"plan-action": "state", "plan-plan_state": "unclear", "plan-notes": notes}
        return SuccessPlanChangeForm({**data, "plan-occurred_on": "2026-11-19"}, account=account)

    assert call("x" * NOTES_MAX_LENGTH).is_valid()
    assert call("x" * (NOTES_MAX_LENGTH + 1)).errors == {"notes": [_over(NOTES_MAX_LENGTH)]}
    # A plan change's entry also holds the change in words: its notes have less room.
    assert plan("x" * PLAN_CHANGE_NOTES_MAX_LENGTH).is_valid()
    assert plan("x" * (PLAN_CHANGE_NOTES_MAX_LENGTH + 1)).errors == {
        "notes": [_over(PLAN_CHANGE_NOTES_MAX_LENGTH)]
    }


# --- forms: the date ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "valid"),
    [
        (SINCE - datetime.timedelta(days=1), False),
        (SINCE, True),
        (TODAY, True),
        (TODAY + datetime.timedelta(days=1), False),
    ],
)
@pytest.mark.django_db
def test_logging_and_edit_forms_take_dates_from_customer_since_to_today(account, today, day, valid):
    entry = ActivityFactory(account=account, logged_by=account.tam)
    logged = CadenceCallForm({"call-occurred_on": day.isoformat()}, account=account)
    edited = EntryEditForm({"occurred_on": day.isoformat()}, activity=entry)

    for form in (logged, edited):
        assert form.is_valid() == valid
        if not valid:
            assert list(form.errors) == ["occurred_on"]
            assert len(form.errors["occurred_on"]) == 1


@pytest.mark.django_db
def test_the_date_picker_and_help_say_the_same_days(account, today):
    widget = str(CadenceCallForm(account=account)["occurred_on"])

    assert 'min="2024-03-01"' in widget and 'max="2026-11-20"' in widget
    assert CadenceCallForm(account=account).fields["occurred_on"].help_text == (
        "Today or earlier, not before 2024-03-01 (customer-since)."
    )


@pytest.mark.django_db
def test_without_customer_since_the_forms_start_at_2000(today):
    account = AccountFactory(customer_since=None)

    def form(day):
        return CadenceCallForm({"call-occurred_on": day}, account=account)

    assert form("2000-01-01").is_valid()
    assert form("1999-12-31").errors == {"occurred_on": ["Not before 2000-01-01."]}


@pytest.mark.django_db
def test_an_objective_is_not_due_before_customer_since(account, today):
    def form(due_on):
        data = {
            "plan-action": "add",
            "plan-title": "Roll out SSO",
            "plan-due_on": due_on,
            "plan-plan_state": "objectives",
            "plan-occurred_on": "2026-11-19",
        }
        return SuccessPlanChangeForm(data, account=account)

    assert form("2027-06-30").is_valid()  # due dates look ahead
    assert form("2024-02-29").errors == {
        "due_on": ["Not before the account's customer-since date (2024-03-01)."]
    }


@pytest.mark.django_db
def test_an_expiry_in_the_past_is_refused_on_the_form(today):
    def form(day):
        data = {"requested_priority": "1", "justification": "Why", "expires_on": day}
        return ExceptionRequestForm(data)

    assert form("2026-11-20").is_valid()
    assert form("2026-11-19").errors == {"expires_on": ["The expiry date is in the past."]}


# --- services -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "refused"),
    [
        (SINCE - datetime.timedelta(days=1), True),
        (SINCE, False),
        (TODAY, False),
        (TODAY + datetime.timedelta(days=1), True),
    ],
)
@pytest.mark.django_db
def test_the_services_take_dates_from_customer_since_to_today(account, today, day, refused):
    tam = account.tam
    entry = ActivityFactory(account=account, logged_by=tam, occurred_on=D(2026, 11, 2))

    for write in (
        lambda: activity_log.log_cadence_call(account=account, user=tam, occurred_on=day),
        lambda: activity_log.log_milestone(
            account=account, user=tam, milestone="first_engaged", occurred_on=day
        ),
        lambda: activity_log.log_survey_response(
            account=account, user=tam, survey_kind="six_month", occurred_on=day, csat=4
        ),
        lambda: entry_corrections.edit_entry(
            activity=entry, user=tam, occurred_on=day, notes="moved"
        ),
    ):
        if refused:
            with pytest.raises(ValidationError) as error:
                write()
            assert list(error.value.message_dict) == ["occurred_on"]
        else:
            write()


@pytest.mark.django_db
def test_the_service_refuses_1999_where_there_is_no_customer_since(today):
    account = AccountFactory(customer_since=None)

    with pytest.raises(ValidationError) as error:
        activity_log.log_ebr(account=account, user=account.tam, occurred_on=D(1999, 12, 31))
    activity_log.log_ebr(account=account, user=account.tam, occurred_on=D(2000, 1, 1))

    assert error.value.message_dict == {"occurred_on": ["Not before 2000-01-01."]}


@pytest.mark.django_db
def test_the_services_refuse_notes_and_titles_over_their_bound(account, today):
    tam, day = account.tam, D(2026, 11, 19)

    activity_log.log_cadence_call(
        account=account, user=tam, occurred_on=day, notes="x" * NOTES_MAX_LENGTH
    )
    with pytest.raises(ValidationError) as notes:
        activity_log.log_cadence_call(
            account=account, user=tam, occurred_on=day, notes="x" * (NOTES_MAX_LENGTH + 1)
        )
    with pytest.raises(ValidationError) as title:
        activity_log.log_success_plan_change(
            account=account,
            user=tam,
            action="add",
            occurred_on=day,
            plan_state="objectives",
            management_qualified=False,
            title="T" * 201,
        )
    entry = Activity.objects.get(account=account)
    with pytest.raises(ValidationError) as edited:
        entry_corrections.edit_entry(
            activity=entry, user=tam, occurred_on=day, notes="x" * (NOTES_MAX_LENGTH + 1)
        )

    assert notes.value.message_dict == {"notes": [_over(NOTES_MAX_LENGTH)]}
    assert title.value.message_dict == {"title": ["At most 200 characters (this one has 201)."]}
    assert edited.value.message_dict == {"notes": [_over(NOTES_MAX_LENGTH)]}
    assert Activity.objects.get(account=account).notes == "x" * NOTES_MAX_LENGTH


@pytest.mark.django_db
def test_decision_comments_take_2000_characters_in_the_services(tam, manager):
    account = AccountFactory(tam=tam)
    exception = PriorityExceptionFactory(account=account, requested_by=tam)
    review = PriorityReview.objects.create(
        account=account,
        fiscal_quarter="FY27-Q4",
        suggested_priority=2,
        proposed_priority=1,
        justification="Key logo",
        proposed_by=tam,
    )
    over = "x" * (COMMENT_MAX_LENGTH + 1)

    with pytest.raises(ValidationError) as exception_comment:
        services.priority_exception_reject(exception=exception, reviewer=manager, comment=over)
    with pytest.raises(ValidationError) as review_comment:
        services.priority_review_reject(review=review, manager=manager, comment=over)
    services.priority_exception_approve(
        exception=exception, reviewer=manager, comment="x" * COMMENT_MAX_LENGTH
    )

    assert exception_comment.value.message_dict == {"review_comment": [_over(COMMENT_MAX_LENGTH)]}
    assert review_comment.value.message_dict == {"comment": [_over(COMMENT_MAX_LENGTH)]}


@pytest.mark.django_db
def test_a_justification_over_2000_characters_is_refused_by_the_service(tam):
    account = AccountFactory(tam=tam, priority=3)

    with pytest.raises(ValidationError) as error:
        services.priority_exception_request(
            account=account,
            requested_by=tam,
            priority=1,
            justification="x" * (COMMENT_MAX_LENGTH + 1),
        )
    services.priority_exception_request(
        account=account, requested_by=tam, priority=1, justification="x" * COMMENT_MAX_LENGTH
    )

    assert error.value.message_dict == {"justification": [_over(COMMENT_MAX_LENGTH)]}


@pytest.mark.django_db
def test_a_priority_fact_comment_over_2000_characters_is_refused(account):
    with pytest.raises(ValidationError) as error:
        set_fact(
            account=account,
            user=account.tam,
            fact="at-risk",
            value=True,
            comment="x" * (COMMENT_MAX_LENGTH + 1),
        )

    assert list(error.value.message_dict) == ["comment"]
    assert error.value.message_dict["comment"][0].startswith("At most 2,000 characters")


# --- models: the bound holds in full_clean (the admin) ----------------------------------


@pytest.mark.django_db
def test_the_models_hold_the_bounds(account):
    exception = PriorityExceptionFactory.build(
        account=account, requested_by=account.tam, justification="x" * (COMMENT_MAX_LENGTH + 1)
    )
    activity = ActivityFactory.build(account=account, notes="x" * (NOTES_MAX_LENGTH + 1))
    explanation = Disengagement._meta.get_field("explanation")

    with pytest.raises(ValidationError) as too_long_justification:
        exception.full_clean(exclude=["account", "requested_by"])
    with pytest.raises(ValidationError) as too_long_notes:
        activity.full_clean(exclude=["account"])
    with pytest.raises(ValidationError) as too_long_explanation:
        explanation.run_validators("x" * (COMMENT_MAX_LENGTH + 1))
    explanation.run_validators("x" * COMMENT_MAX_LENGTH)

    assert too_long_justification.value.message_dict == {
        "justification": [_over(COMMENT_MAX_LENGTH)]
    }
    assert too_long_notes.value.message_dict == {"notes": [_over(NOTES_MAX_LENGTH)]}
    assert too_long_explanation.value.messages == [_over(COMMENT_MAX_LENGTH)]


# --- the API and the import refuse what the form refuses ----------------------------------


def _activity(notes: str) -> dict:
    return {
        "external_id": "A-1",
        "account_external_id": "ACC-1",
        "kind": ActivityKind.CADENCE_CALL,
        "occurred_on": "2026-11-02",
        "notes": notes,
    }


@pytest.mark.django_db
def test_the_api_takes_notes_up_to_the_forms_bound(tam):
    AccountFactory(tam=tam, external_id="ACC-1")
    client = bearer(integration_key(name="crm", can_read=False, can_write=True))

    def post(notes):
        return client.post(
            "/api/v1/activities/bulk/",
            json.dumps([_activity(notes)]),
            content_type="application/json",
        )

    refused = post("x" * (NOTES_MAX_LENGTH + 1))
    accepted = post("x" * NOTES_MAX_LENGTH)

    assert refused.status_code == 400
    assert refused.json() == {
        "errors": [
            {"index": 0, "field": "notes", "message": f"longer than {NOTES_MAX_LENGTH} characters"}
        ]
    }
    assert accepted.status_code == 200, accepted.content
    assert len(Activity.objects.get(external_id="A-1").notes) == NOTES_MAX_LENGTH


@pytest.mark.django_db
def test_the_csv_import_refuses_longer_notes_with_line_and_column(tam, tmp_path):
    AccountFactory(tam=tam, external_id="ACC-1")
    path = tmp_path / "activities.csv"
    header = "external_id,account_external_id,kind,occurred_on,notes\n"
    path.write_text(header + f"A-1,ACC-1,cadence_call,2026-11-02,{'x' * (NOTES_MAX_LENGTH + 1)}\n")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_data", "activities", str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        f"line 2: notes: longer than {NOTES_MAX_LENGTH} characters"
    ]
    assert not Activity.objects.exists()
