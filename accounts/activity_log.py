"""Logging on the account timeline: cadence calls, EBRs, onboarding milestones, success-plan
changes and survey responses (DESIGN section 1, what a TAM does).

Who may log: whoever may see the account (`Account.objects.visible_to`): its TAM, the
manager of the TAM's team (managers cover for their team's TAMs and log what they attended)
and admins. Each entry records who logged it.

An entry also updates the account facts it stands for (`timeline_rules`): a milestone sets
the account's date, a survey's NPS the last NPS, a success-plan change the plan. When one of
the facts the priority rules read changed, the account alone is recomputed once the
transaction commits, as a priority decision does, so its page and book row show the new
priority at once; the onboarding clocks are computed live and need nothing.

What a person gives is bounded as the forms bound it (issue 12 point 7): the date of what
happened is neither in the future nor before the account's customer-since
(`lib.dates.event_date_problem`), an objective is not due before it, and notes and titles
are at most their length (`lib.text_bounds`), so no way in stores what the page refuses.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.changes import rule_inputs_changed
from lib.dates import event_date_problem, too_early_problem
from lib.text_bounds import NOTES_MAX_LENGTH, PLAN_CHANGE_NOTES_MAX_LENGTH, too_long
from people.models import User

from . import timeline_rules
from .models import (
    Account,
    Activity,
    ActivityKind,
    Milestone,
    SuccessPlanObjective,
    SuccessPlanState,
)

# The facts of an account the priority rules read (prioritization/rules.py AccountFacts).
PRIORITY_FACTS = frozenset({"onboarded_on", "last_nps", "success_plan"})

MILESTONE_FIELDS = {
    Milestone.FIRST_ENGAGED: "first_engaged_on",
    Milestone.FIRST_VALUE: "first_value_on",
    Milestone.ONBOARDED: "onboarded_on",
}


class PlanAction:
    ADD = "add"
    COMPLETE = "complete"
    EDIT = "edit"
    STATE = "state"
    CHOICES = [
        (ADD, "Add an objective"),
        (COMPLETE, "Mark an objective green"),
        (EDIT, "Change an objective's title or due date"),
        (STATE, "Change only the plan's state or qualification"),
    ]


TIMELINE_PAGE_SIZE = 25
OBJECTIVE_TITLE_MAX_LENGTH = SuccessPlanObjective._meta.get_field("title").max_length


def timeline_page(account: Account, number) -> Page:
    """Newest first; a page is two queries (count and rows) however long the timeline."""
    activities = account.activities.select_related("logged_by", "webinar", "stage")
    return Paginator(activities, TIMELINE_PAGE_SIZE).get_page(number)


def _require_in_scope(user: User, account: Account) -> None:
    if not Account.objects.visible_to(user).filter(pk=account.pk).exists():
        raise PermissionDenied("This account is not in your book.")


def require_event_date(account: Account, occurred_on: date) -> None:
    """The date of something that happened on the account: not in the future, not before
    its customer-since (or 2000-01-01 without one)."""
    problem = event_date_problem(
        occurred_on, customer_since=account.customer_since, today=timezone.localdate()
    )
    if problem:
        raise ValidationError({"occurred_on": problem})


def require_text_within(field: str, text: str, max_length: int) -> None:
    """`text` (as it will be stored: stripped) at most `max_length` characters."""
    problem = too_long(text.strip(), max_length)
    if problem:
        raise ValidationError({field: problem})


def _locked(account: Account) -> Account:
    """The account row, locked: two people logging at once must not both win a milestone."""
    return Account.objects.select_for_update().get(pk=account.pk)


def _save_facts(account: Account, changes: dict) -> None:
    if not changes:
        return
    for name, value in changes.items():
        setattr(account, name, value)
    account.save(update_fields=[*changes, "updated_at"])
    if PRIORITY_FACTS.intersection(changes):
        rule_inputs_changed([account.pk])


def _create(account, user, kind, occurred_on, notes, **details) -> Activity:
    return Activity.objects.create(
        account=account,
        kind=kind,
        occurred_on=occurred_on,
        logged_by=user,
        notes=notes.strip(),
        **details,
    )


def _require_loggable(user: User, account: Account, occurred_on: date, notes: str) -> None:
    _require_in_scope(user, account)
    require_event_date(account, occurred_on)
    require_text_within("notes", notes, NOTES_MAX_LENGTH)


def log_cadence_call(*, account: Account, user: User, occurred_on: date, notes: str = ""):
    _require_loggable(user, account, occurred_on, notes)
    return _create(account, user, ActivityKind.CADENCE_CALL, occurred_on, notes)


def log_ebr(*, account: Account, user: User, occurred_on: date, notes: str = ""):
    _require_loggable(user, account, occurred_on, notes)
    return _create(account, user, ActivityKind.EBR, occurred_on, notes)


def log_milestone(
    *, account: Account, user: User, milestone: str, occurred_on: date, notes: str = ""
) -> Activity:
    """The milestone on the timeline and on the account (see `timeline_rules.milestone_problem`)."""
    _require_loggable(user, account, occurred_on, notes)
    field = MILESTONE_FIELDS.get(milestone)
    if field is None:
        raise ValidationError({"milestone": "Choose first engaged, first value or onboarded."})
    with transaction.atomic():
        locked = _locked(account)
        derived = milestone == Milestone.FIRST_VALUE and locked.first_value_derived
        problem = timeline_rules.milestone_problem(
            recorded_on=getattr(locked, field), recorded_derived=derived, logged_on=occurred_on
        )
        if problem:
            raise ValidationError({"occurred_on": problem})
        changes = {field: occurred_on}
        if milestone == Milestone.FIRST_VALUE:
            changes["first_value_derived"] = False
        _save_facts(locked, changes)
        return _create(
            locked, user, ActivityKind.ONBOARDING_MILESTONE, occurred_on, notes, milestone=milestone
        )


def log_survey_response(
    *,
    account: Account,
    user: User,
    survey_kind: str,
    occurred_on: date,
    nps: int | None = None,
    csat: int | None = None,
    notes: str = "",
) -> Activity:
    _require_loggable(user, account, occurred_on, notes)
    if nps is None and csat is None:
        raise ValidationError({"nps": "Give the NPS, the CSAT or both."})
    if nps is not None and not 0 <= nps <= 10:
        raise ValidationError({"nps": "NPS is from 0 to 10."})
    if csat is not None and not 1 <= csat <= 5:
        raise ValidationError({"csat": "CSAT is from 1 to 5."})
    with transaction.atomic():
        locked = _locked(account)
        if nps is not None:
            latest = locked.activities.filter(
                kind=ActivityKind.SURVEY_RESPONSE, nps__isnull=False
            ).aggregate(latest=Max("occurred_on"))["latest"]
            if timeline_rules.becomes_last_nps(answered_on=occurred_on, latest_other_answer=latest):
                _save_facts(locked, {"last_nps": nps} if locked.last_nps != nps else {})
        return _create(
            locked,
            user,
            ActivityKind.SURVEY_RESPONSE,
            occurred_on,
            notes,
            survey_kind=survey_kind,
            nps=nps,
            csat=csat,
        )


def log_success_plan_change(
    *,
    account: Account,
    user: User,
    action: str,
    occurred_on: date,
    plan_state: str,
    management_qualified: bool,
    objective: SuccessPlanObjective | None = None,
    title: str = "",
    due_on: date | None = None,
    notes: str = "",
) -> Activity:
    """An objective added, completed or changed and/or the plan's state, as one entry.

    The entry's notes are the change in words, then the person's notes: those are bounded
    below the entry's bound by the room the words take (`lib.text_bounds`).
    """
    _require_in_scope(user, account)
    require_event_date(account, occurred_on)
    require_text_within("notes", notes, PLAN_CHANGE_NOTES_MAX_LENGTH)
    title = title.strip()
    require_text_within("title", title, OBJECTIVE_TITLE_MAX_LENGTH)
    due_problem = too_early_problem(due_on, account.customer_since) if due_on else None
    if due_problem:
        raise ValidationError({"due_on": due_problem})
    with transaction.atomic():
        locked = _locked(account)
        objectives = {item.pk: item for item in locked.objectives.select_for_update()}
        if objective is not None and objective.pk not in objectives:
            raise ValidationError({"objective": "That objective is another account's."})
        current = objectives.get(objective.pk) if objective is not None else None
        problem_before = timeline_rules.plan_state_problem(
            locked.success_plan, [item.green for item in objectives.values()]
        )
        summary = _change_objective(locked, action, current, title, due_on, objectives)
        problem = timeline_rules.plan_state_problem(
            plan_state, [item.green for item in objectives.values()]
        )
        # A plan already at odds with its objectives (an import sets the state alone) may
        # keep its state while its objectives are filled in; a change must not break it.
        if problem and (plan_state != locked.success_plan or not problem_before):
            raise ValidationError({"plan_state": problem})
        changes = _plan_changes(locked, plan_state, management_qualified, occurred_on)
        if not summary and not changes:
            raise ValidationError({"plan_state": "Nothing changes: the plan is already so."})
        summary += _describe_plan_changes(locked, changes)
        _save_facts(locked, changes)
        return _create(
            locked,
            user,
            ActivityKind.SUCCESS_PLAN_CHANGE,
            occurred_on,
            "\n".join(part for part in ("; ".join(summary), notes.strip()) if part),
            success_plan=plan_state if "success_plan" in changes else "",
        )


def _change_objective(account, action, objective, title, due_on, objectives) -> list[str]:
    """Apply the objective part of a plan change; returns what it did, in words."""
    due_text = f" (due {due_on.isoformat()})" if due_on else ""
    if action == PlanAction.ADD:
        if not title:
            raise ValidationError({"title": "Name the objective."})
        added = SuccessPlanObjective.objects.create(account=account, title=title, due_on=due_on)
        objectives[added.pk] = added
        return [f"Objective added: {title}{due_text}"]
    if action == PlanAction.STATE:
        return []
    if objective is None:
        raise ValidationError({"objective": "Choose the objective."})
    if action == PlanAction.COMPLETE:
        if objective.green:
            raise ValidationError({"objective": "This objective is already green."})
        objective.green = True
        objective.save(update_fields=["green"])
        return [f"Objective green: {objective.title}"]
    return _edit_objective(objective, title, due_on)


def _edit_objective(objective, title, due_on) -> list[str]:
    if not title and due_on is None:
        raise ValidationError({"title": "Give a new title, a new due date or both."})
    words = []
    if title and title != objective.title:
        words.append(f"Objective renamed: {objective.title} → {title}")
        objective.title = title
    if due_on is not None and due_on != objective.due_on:
        words.append(f"Objective {objective.title} now due {due_on.isoformat()}")
        objective.due_on = due_on
    if not words:
        raise ValidationError({"title": "The objective already has this title and due date."})
    objective.save(update_fields=["title", "due_on"])
    return words


def _plan_changes(account, plan_state, management_qualified, occurred_on) -> dict:
    changes = {}
    if plan_state != account.success_plan:
        changes["success_plan"] = plan_state
        if plan_state == SuccessPlanState.GREEN:
            changes["success_plan_green_on"] = occurred_on
    if management_qualified != account.success_plan_management_qualified:
        changes["success_plan_management_qualified"] = management_qualified
        changes["success_plan_management_qualified_on"] = (
            occurred_on if management_qualified else None
        )
    return changes


def _describe_plan_changes(account, changes) -> list[str]:
    words = []
    if "success_plan" in changes:
        before = SuccessPlanState(account.success_plan).label
        after = SuccessPlanState(changes["success_plan"]).label
        words.append(f"Plan: {before} → {after}")
    if "success_plan_management_qualified" in changes:
        qualified = changes["success_plan_management_qualified"]
        words.append("Management-qualified" if qualified else "Management qualification withdrawn")
    return words
