"""The account page: its metrics and timeline, and the forms that log on it."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import fact_records, priority_facts
from accounts.models import (
    Activity,
    ActivityKind,
    Contact,
    Stage,
    StageAdoption,
    SuccessPlanObjective,
)
from health.models import HealthHistory
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    InitiativeFactory,
    OpportunityFactory,
    StageAdoptionFactory,
    SuccessPlanObjectiveFactory,
    WebinarFactory,
)
from tests.rejected import refused
from triage import services as triage_services
from triage.models import RiskCase

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def log_url(account, kind):
    return reverse("log_activity", args=[account.pk, kind])


def page_url(account):
    return reverse("account_detail", args=[account.pk])


def log_form(response, kind):
    return next(entry["form"] for entry in response.context["log_forms"] if entry["kind"] == kind)


def refused_log(client, account, kind, data):
    """Post a log form that must be refused; the account page the browser is sent back to."""
    return refused(
        client, log_url(account, kind), data, page=page_url(account), form_id=f"log-{kind}"
    )


@pytest.fixture
def new_account(tam):
    """A customer in onboarding: every clock running."""
    return AccountFactory(
        tam=tam,
        customer_since=TODAY - 40 * DAY,
        first_engaged_on=None,
        first_value_on=None,
        onboarded_on=None,
    )


@pytest.fixture
def logged_in(client, tam):
    client.force_login(tam)
    return client


# --- happy paths ------------------------------------------------------------------------


def test_a_cadence_call_is_logged_and_shows_on_the_timeline(logged_in, account, tam):
    response = logged_in.post(
        log_url(account, "cadence-call"),
        {"call-occurred_on": (TODAY - DAY).isoformat(), "call-notes": "Talked about CI minutes"},
        follow=True,
    )

    assert response.redirect_chain[-1] == (f"{page_url(account)}#timeline", 302)
    call = Activity.objects.get(account=account)
    assert (call.kind, call.occurred_on, call.logged_by) == (
        ActivityKind.CADENCE_CALL,
        TODAY - DAY,
        tam,
    )
    assert "Cadence call logged." in response.text
    entry = response.context["timeline"].object_list[0]
    assert entry == call
    assert "Talked about CI minutes" in response.text
    assert f"logged by {tam}" in response.text


def test_an_ebr_is_logged_and_counts_in_the_metrics(logged_in, account):
    response = logged_in.post(
        log_url(account, "ebr"), {"ebr-occurred_on": TODAY.isoformat()}, follow=True
    )

    assert Activity.objects.get(account=account).kind == ActivityKind.EBR
    figures = {figure.label: figure for figure in response.context["metrics"].figures}
    assert figures["EBR in the last 12 months"].value == f"yes, on {TODAY.isoformat()}"


def test_a_milestone_sets_the_accounts_date_and_stops_its_clock(logged_in, new_account):
    engaged_on = TODAY - 35 * DAY

    response = logged_in.post(
        log_url(new_account, "milestone"),
        {"milestone-milestone": "first_engaged", "milestone-occurred_on": engaged_on.isoformat()},
        follow=True,
    )

    new_account.refresh_from_db()
    assert new_account.first_engaged_on == engaged_on
    assert Activity.objects.get(account=new_account).milestone == "first_engaged"
    clock = next(c for c in response.context["clocks"] if c.name == "first_engage")
    assert clock.reached_on == engaged_on and clock.days == 5


def test_a_milestone_logged_again_later_is_refused_and_the_input_kept(logged_in, new_account):
    new_account.first_engaged_on = TODAY - 30 * DAY
    new_account.save()
    later = (TODAY - 10 * DAY).isoformat()

    response = refused_log(
        logged_in,
        new_account,
        "milestone",
        {"milestone-milestone": "first_engaged", "milestone-occurred_on": later},
    )

    form = log_form(response, "milestone")
    assert "Already recorded on" in form.errors["occurred_on"][0]
    assert f'value="{later}"' in response.text
    assert not Activity.objects.filter(account=new_account).exists()


def test_a_milestone_logged_again_earlier_corrects_the_date(logged_in, new_account):
    new_account.first_engaged_on = TODAY - 30 * DAY
    new_account.save()

    logged_in.post(
        log_url(new_account, "milestone"),
        {
            "milestone-milestone": "first_engaged",
            "milestone-occurred_on": (TODAY - 38 * DAY).isoformat(),
        },
    )

    new_account.refresh_from_db()
    assert new_account.first_engaged_on == TODAY - 38 * DAY


def test_an_entered_first_value_replaces_the_derived_one(logged_in, new_account):
    new_account.first_value_on = TODAY - 5 * DAY
    new_account.first_value_derived = True
    new_account.save()

    logged_in.post(
        log_url(new_account, "milestone"),
        {"milestone-milestone": "first_value", "milestone-occurred_on": TODAY.isoformat()},
    )

    new_account.refresh_from_db()
    assert (new_account.first_value_on, new_account.first_value_derived) == (TODAY, False)


def test_onboarding_recomputes_the_accounts_priority(
    logged_in, new_account, django_capture_on_commit_callbacks
):
    from orchestration.selection import recompute_accounts

    recompute_accounts([new_account.pk])
    new_account.refresh_from_db()
    assert new_account.priority_reasons == "onboarding"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        logged_in.post(
            log_url(new_account, "milestone"),
            {"milestone-milestone": "onboarded", "milestone-occurred_on": TODAY.isoformat()},
        )

    new_account.refresh_from_db()
    assert len(callbacks) == 1
    assert new_account.onboarded_on == TODAY
    assert "onboarding" not in new_account.priority_reasons.split(";")


def test_a_cadence_call_queues_no_recompute(logged_in, account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        logged_in.post(log_url(account, "cadence-call"), {"call-occurred_on": TODAY.isoformat()})

    assert callbacks == []


def test_a_survey_response_is_logged_and_its_nps_becomes_the_last_nps(logged_in, account):
    response = logged_in.post(
        log_url(account, "survey"),
        {
            "survey-survey_kind": "renewal",
            "survey-occurred_on": TODAY.isoformat(),
            "survey-nps": "4",
            "survey-csat": "2",
        },
        follow=True,
    )

    account.refresh_from_db()
    survey = Activity.objects.get(account=account)
    assert (survey.survey_kind, survey.nps, survey.csat) == ("renewal", 4, 2)
    assert account.last_nps == 4
    assert "Renewal survey, NPS 4, CSAT 2" in response.text


def test_an_older_survey_does_not_overwrite_a_later_nps(logged_in, account):
    ActivityFactory(
        account=account, kind="survey_response", survey_kind="renewal", nps=9, occurred_on=TODAY
    )
    account.last_nps = 9
    account.save()

    logged_in.post(
        log_url(account, "survey"),
        {
            "survey-survey_kind": "onboarding",
            "survey-occurred_on": (TODAY - 90 * DAY).isoformat(),
            "survey-nps": "3",
        },
    )

    account.refresh_from_db()
    assert account.last_nps == 9
    assert Activity.objects.filter(account=account, nps=3).exists()


def test_a_success_plan_objective_is_added_and_logged(logged_in, account):
    response = logged_in.post(
        log_url(account, "success-plan"),
        {
            "plan-action": "add",
            "plan-title": "Migrate 40 teams to CI",
            "plan-due_on": (TODAY + 60 * DAY).isoformat(),
            "plan-plan_state": "objectives",
            "plan-occurred_on": TODAY.isoformat(),
        },
        follow=True,
    )

    account.refresh_from_db()
    objective = SuccessPlanObjective.objects.get(account=account)
    assert objective.title == "Migrate 40 teams to CI" and not objective.green
    assert account.success_plan == "objectives"
    change = Activity.objects.get(account=account)
    assert change.kind == ActivityKind.SUCCESS_PLAN_CHANGE
    assert change.success_plan == "objectives"
    assert "Objective added: Migrate 40 teams to CI" in change.notes
    assert "Objective added: Migrate 40 teams to CI" in response.text


def test_completing_the_last_objective_turns_the_plan_green(
    logged_in, account, django_capture_on_commit_callbacks
):
    account.success_plan = "objectives"
    account.save()
    SuccessPlanObjectiveFactory.create_batch(2, account=account, green=True)
    last = SuccessPlanObjectiveFactory(account=account, green=False)

    with django_capture_on_commit_callbacks() as callbacks:
        response = logged_in.post(
            log_url(account, "success-plan"),
            {
                "plan-action": "complete",
                "plan-objective": last.pk,
                "plan-plan_state": "green",
                "plan-occurred_on": TODAY.isoformat(),
            },
        )

    assert response.status_code == 302
    account.refresh_from_db()
    last.refresh_from_db()
    assert last.green
    assert (account.success_plan, account.success_plan_green_on) == ("green", TODAY)
    assert len(callbacks) == 1  # the plan state is a priority fact


def test_a_green_plan_needs_three_green_objectives(logged_in, account):
    SuccessPlanObjectiveFactory(account=account, green=True)

    response = refused_log(
        logged_in,
        account,
        "success-plan",
        {
            "plan-action": "state",
            "plan-plan_state": "green",
            "plan-occurred_on": TODAY.isoformat(),
            "plan-notes": "Customer signed off",
        },
    )

    assert "at least 3 objectives" in log_form(response, "success-plan").errors["plan_state"][0]
    assert "Customer signed off" in response.text
    account.refresh_from_db()
    assert account.success_plan == "none"
    assert not Activity.objects.filter(account=account).exists()


def test_another_accounts_objective_cannot_be_completed(logged_in, account, tam):
    theirs = SuccessPlanObjectiveFactory(account=AccountFactory(tam=tam))

    response = refused_log(
        logged_in,
        account,
        "success-plan",
        {
            "plan-action": "complete",
            "plan-objective": theirs.pk,
            "plan-plan_state": "none",
            "plan-occurred_on": TODAY.isoformat(),
        },
    )

    assert log_form(response, "success-plan").errors["objective"]
    theirs.refresh_from_db()
    assert not theirs.green


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "data", "field", "message", "kept"),
    [
        (
            "cadence-call",
            {"call-occurred_on": "2100-06-01", "call-notes": "Planned"},
            "occurred_on",
            "the date is in the future",
            "Planned",
        ),
        ("ebr", {"ebr-occurred_on": "", "ebr-notes": "Board"}, "occurred_on", "required", "Board"),
        (
            "milestone",
            {"milestone-milestone": "", "milestone-occurred_on": "2026-01-02"},
            "milestone",
            "required",
            "2026-01-02",
        ),
        (
            "survey",
            {"survey-survey_kind": "six_month", "survey-occurred_on": "2026-01-02",
             "survey-nps": "11", "survey-csat": "3"},
            "nps",
            "less than or equal to 10",
            'value="11"',
        ),
        (
            "survey",
            {"survey-survey_kind": "renewal", "survey-occurred_on": "2026-01-02",
             "survey-csat": "0", "survey-notes": "Unhappy"},
            "csat",
            "greater than or equal to 1",
            "Unhappy",
        ),
        (
            "survey",
            {"survey-survey_kind": "renewal", "survey-occurred_on": "2026-01-02",
             "survey-notes": "No scores"},
            "nps",
            "Give the NPS, the CSAT or both",
            "No scores",
        ),
        (
            "success-plan",
            {"plan-action": "add", "plan-title": "", "plan-plan_state": "none",
             "plan-occurred_on": "2026-01-02", "plan-notes": "Kick-off"},
            "title",
            "Name the objective",
            "Kick-off",
        ),
        (
            "success-plan",
            {"plan-action": "complete", "plan-plan_state": "none",
             "plan-occurred_on": "2026-01-02", "plan-notes": "Done"},
            "objective",
            "Choose the objective",
            "Done",
        ),
    ],
)  # fmt: skip
def test_errors_show_beside_their_field_with_the_input_kept(
    logged_in, account, kind, data, field, message, kept
):
    response = refused_log(logged_in, account, kind, data)

    form = log_form(response, kind)
    assert any(message in error for error in form.errors[field]), form.errors
    bound = form[field]
    # The error is rendered inside the field's own block, next to its input.
    block = response.text.split(f'for="{bound.id_for_label}"', 1)[1].split("</p>", 1)[0]
    assert 'class="field-error"' in block
    assert kept in response.text
    assert f'<details class="log-form" open id="log-{kind}">' in response.text
    assert not Activity.objects.filter(account=account).exists()


def test_a_milestone_before_customer_since_is_refused(logged_in, new_account):
    response = refused_log(
        logged_in,
        new_account,
        "milestone",
        {
            "milestone-milestone": "onboarded",
            "milestone-occurred_on": (new_account.customer_since - DAY).isoformat(),
        },
    )

    assert "customer-since" in log_form(response, "milestone").errors["occurred_on"][0]


def test_an_unknown_kind_is_404(logged_in, account):
    assert logged_in.post(log_url(account, "webinar")).status_code == 404


def test_logging_is_post_only(logged_in, account):
    assert logged_in.get(log_url(account, "ebr")).status_code == 405


# --- who may log --------------------------------------------------------------------------


def test_another_tam_gets_404_and_logs_nothing(client, account, other_tam):
    client.force_login(other_tam)

    response = client.post(log_url(account, "cadence-call"), {"call-occurred_on": "2026-01-02"})

    assert response.status_code == 404
    assert not Activity.objects.exists()
    assert client.get(reverse("account_timeline", args=[account.pk])).status_code == 404


def test_the_teams_manager_may_log(client, account, manager):
    client.force_login(manager)

    response = client.post(log_url(account, "ebr"), {"ebr-occurred_on": TODAY.isoformat()})

    assert response.status_code == 302
    assert Activity.objects.get(account=account).logged_by == manager


def test_csrf_is_enforced(account, tam):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tam)
    data = {"call-occurred_on": TODAY.isoformat()}

    assert client.post(log_url(account, "cadence-call"), data).status_code == 403
    assert not Activity.objects.exists()

    client.get(page_url(account))
    token = client.cookies["csrftoken"].value
    response = client.post(log_url(account, "cadence-call"), {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Activity.objects.count() == 1


# --- the page -----------------------------------------------------------------------------


def _page_queries(client, account):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page_url(account))
    assert response.status_code == 200
    return len(queries)


# The page's queries for the TAM, whatever the account holds (issue 13 point 9: a year
# of health history among them). Counted on SQLite; PostgreSQL may read
# the health inputs in fewer (`health.inputs`). What they are: the session and the user;
# the account; its exceptions and reviews; the explanation's (configuration, the account's
# row, its rank, its related facts); objectives and contacts; the metrics' (targets,
# activities, stages, ARR at the quarter's start, the rhythm setting); the health's
# (inputs, scorecard, history); the timeline's count and rows with their corrections and
# removals; the segment names of the rules in words; the quarterly assessments; the
# initiatives and opportunities the TAM keeps; the risk cases and their updates; the
# fact changes; the stage choices.
ACCOUNT_PAGE_QUERIES = 42


def _grow(account, tam, *, days_of_history, updates, facts, webinar):
    """Add to the account: a history row a day, dated activities of every kind the page
    reads, updates on its open risk case, and fact changes (the account's own facts, an
    initiative and an opportunity, each changed `facts` times)."""
    HealthHistory.objects.bulk_create(
        HealthHistory(account=account, on=TODAY - days * DAY, score=60 + days % 30, band="yellow")
        for days in range(days_of_history)
        if not HealthHistory.objects.filter(account=account, on=TODAY - days * DAY).exists()
    )
    for day in range(days_of_history // 10):
        ActivityFactory(account=account, logged_by=tam, occurred_on=TODAY - day * 3 * DAY)
    ActivityFactory(account=account, kind="ebr", logged_by=tam)
    ActivityFactory(account=account, kind="survey_response", survey_kind="renewal", nps=8, csat=4)
    ActivityFactory(account=account, kind="webinar_attendance", webinar=webinar)
    ActivityFactory(account=account, kind="playbook", playbook_kind="expansion")
    SuccessPlanObjectiveFactory(account=account)
    adopted = StageAdoption.objects.filter(account=account).values("stage")
    StageAdoptionFactory(account=account, stage=Stage.objects.exclude(pk__in=adopted).first())
    case = RiskCase.objects.filter(account=account).first() or triage_services.open_case(
        account=account,
        opened_by=tam,
        reason="budget",
        classification="expected_avoidable",
        arr_at_risk="1000",
        note="Budget cut announced.",
    )
    for number in range(updates):
        triage_services.add_update(case=case, by=tam, note=f"Update {number}.")
    initiative = account.initiatives.first() or InitiativeFactory(account=account)
    opportunity = account.opportunities.first() or OpportunityFactory(account=account)
    for number in range(facts):
        for row in (account, initiative, opportunity):
            row.refresh_from_db()
        priority_facts.set_fact(
            account=account,
            user=tam,
            fact="critical-project",
            value=not account.critical_project,
            comment=f"Change {number}.",
        )
        fact_records.change_initiative(
            account=account,
            user=tam,
            initiative_id=initiative.pk,
            hours=initiative.tam_hours_per_week + 1,
            status="active",
            comment=f"Hours {number}.",
        )
        fact_records.change_opportunity(
            account=account,
            user=tam,
            opportunity_id=opportunity.pk,
            close_date=opportunity.close_date + DAY,
            status="open",
            comment=f"Close date {number}.",
        )
    account.refresh_from_db()


def test_the_page_queries_do_not_grow_with_the_accounts_rows(logged_in, account, tam):
    webinar = WebinarFactory()
    _grow(account, tam, days_of_history=1, updates=1, facts=1, webinar=webinar)
    logged_in.get(page_url(account))  # the session and per-process caches warm
    small = _page_queries(logged_in, account)

    # A year of daily health history, dozens of activities, many case updates and fact
    # changes of every kind.
    _grow(account, tam, days_of_history=365, updates=12, facts=8, webinar=webinar)
    response = logged_in.get(page_url(account))
    assert len(response.context["account_health"].trend) == 365
    assert len(response.context["fact_changes"]) == 20
    large = _page_queries(logged_in, account)

    assert large == small
    assert small <= ACCOUNT_PAGE_QUERIES


def test_the_timeline_is_paginated_newest_first(logged_in, account, tam):
    for day in range(30):
        ActivityFactory(account=account, occurred_on=TODAY - day * DAY, notes=f"call {day}")

    first = logged_in.get(page_url(account))
    entries = list(first.context["timeline"].object_list)
    assert len(entries) == 25
    assert entries[0].occurred_on == TODAY and entries[-1].occurred_on == TODAY - 24 * DAY
    assert "Show older entries" in first.text

    older = logged_in.get(page_url(account), {"timeline": 2})
    assert [a.notes for a in older.context["timeline"].object_list] == [
        f"call {day}" for day in range(25, 30)
    ]
    assert "Back to the newest entries" in older.text

    fragment = logged_in.get(
        reverse("account_timeline", args=[account.pk]), {"timeline": 2}, HTTP_HX_REQUEST="true"
    )
    assert fragment.text.count('class="timeline-entry') == 5
    assert "<html" not in fragment.text


def test_the_metrics_show_the_accounts_own_figures(logged_in, account):
    account.priority = 1
    account.save()
    ActivityFactory(account=account, kind="survey_response", survey_kind="renewal", nps=9, csat=5)
    ActivityFactory(account=account, kind="cadence_call", occurred_on=TODAY - 45 * DAY)
    StageAdoptionFactory(account=account)

    response = logged_in.get(page_url(account))

    figures = {figure.label: figure for figure in response.context["metrics"].figures}
    assert figures["Latest renewal survey"].value.startswith("NPS 9, CSAT 5")
    assert figures["Stages adopted"].value == "1: Create"
    cadence = figures["Cadence calls this quarter"]
    assert cadence.target == "every 30 days (Pr1)" and cadence.state == "missed"
    assert "Metrics this quarter" in response.text


def test_contacts_show_with_their_role_and_a_departed_champion_stays_visible(logged_in, account):
    Contact.objects.create(account=account, name="Ada Quinn", role="economic_buyer")
    Contact.objects.create(
        account=account, name="Bo Reyes", role="champion", left_on=datetime.date(2026, 10, 2)
    )
    Contact.objects.create(account=account, name="Cy Lane", role="champion", title="SRE lead")

    html = logged_in.get(page_url(account)).content.decode()

    section = html[html.index('id="contacts"') : html.index('class="jump"')]
    # current contacts first, by role (champion before economic buyer), the departed last
    assert section.index("Cy Lane") < section.index("Ada Quinn") < section.index("Bo Reyes")
    assert "Economic buyer" in section
    assert "left on 2026-10-02" in section
    assert "champion gone" in section


def test_an_account_without_contacts_says_where_they_come_from(logged_in, account):
    html = logged_in.get(page_url(account)).content.decode()

    assert "No contacts recorded" in html


def test_contacts_cost_one_query_however_many(logged_in, account):
    Contact.objects.create(account=account, name="One", role="user")
    small = _page_queries(logged_in, account)
    for number in range(15):
        Contact.objects.create(account=account, name=f"Contact {number}", role="user")

    assert _page_queries(logged_in, account) == small
