"""Correcting a timeline entry (issue 12 point 3): edit its date, notes or scores, or remove it.

Who may: whoever logged it, the manager of the account's team and admins; anyone else who
sees the account may not (the views answer 403; outside the scope, 404). An imported entry
(it has an external id) is corrected in its source system: the next import would overwrite
a change made here, so the page refuses it.

A correction is recorded in the audit log (`core.audit.record`, via "account page"), which
the timeline reads back for its "edited by" and "removed by" notes. The facts the entry set
are recomputed from the entries left (`timeline_rules`): a milestone's date, the last NPS,
the plan's state; a change to one the priority rules read announces the account.
Objectives an entry added or completed stay as they are: they are the plan's own rows.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core import audit
from core.models import AuditAction, AuditEntry
from people.models import User

from . import timeline_rules
from .activity_log import MILESTONE_FIELDS, _locked, _save_facts, require_event_date
from .models import Account, Activity, ActivityKind, Milestone

VIA = "account page"
EDITED = frozenset({"occurred_on", "notes", "nps", "csat"})


def is_imported(activity: Activity) -> bool:
    return bool(activity.external_id)


def may_correct(user: User, activity: Activity, account: Account) -> bool:
    """Whether `user` (who sees the account) may edit or remove the entry."""
    if is_imported(activity):
        return False
    if user.is_portal_admin or activity.logged_by_id == user.pk:
        return True
    return _manages(user, account)


def correctable_ids(user: User, account: Account, activities) -> set[int]:
    """The entries of a timeline page the user may correct, in at most one query."""
    manages = user.is_portal_admin or _manages(user, account)
    return {
        activity.pk
        for activity in activities
        if not is_imported(activity) and (manages or activity.logged_by_id == user.pk)
    }


def _manages(user: User, account: Account) -> bool:
    tam = account.tam
    return tam is not None and tam.team_id is not None and tam.team.manager_id == user.pk


def _require_may_correct(user: User, activity: Activity, account: Account) -> None:
    if is_imported(activity):
        raise PermissionDenied("Imported entries are corrected in their source system.")
    if not may_correct(user, activity, account):
        raise PermissionDenied("Only who logged it, the team's manager or an admin may.")


def edit_entry(
    *,
    activity: Activity,
    user: User,
    occurred_on: date,
    notes: str = "",
    nps: int | None = None,
    csat: int | None = None,
) -> Activity:
    """Change the entry's date and notes (and a survey's scores); its facts follow."""
    account = activity.account
    _require_may_correct(user, activity, account)
    require_event_date(account, occurred_on)
    survey = activity.kind == ActivityKind.SURVEY_RESPONSE
    if survey and nps is None and csat is None:
        raise ValidationError({"nps": "Give the NPS, the CSAT or both."})
    with transaction.atomic():
        locked = _locked(account)
        entry = Activity.objects.select_for_update().get(pk=activity.pk)
        before = audit.snapshot(entry)
        was = (entry.occurred_on, entry.pk, entry.nps)
        entry.occurred_on = occurred_on
        entry.notes = notes.strip()
        if survey:
            entry.nps, entry.csat = nps, csat
        # Only what the page changes is checked: an old row's other fields are not its concern.
        entry.clean_fields(
            exclude=[field.name for field in Activity._meta.fields if field.name not in EDITED]
        )
        entry.save()
        _recompute(locked, entry, was=was, removed=False)
        if audit.record(obj=entry, before=before, after=audit.snapshot(entry), actor=user, via=VIA):
            return entry
        raise ValidationError({"occurred_on": "Nothing changes: the entry already says so."})


def remove_entry(*, activity: Activity, user: User) -> None:
    account = activity.account
    _require_may_correct(user, activity, account)
    with transaction.atomic():
        locked = _locked(account)
        entry = Activity.objects.select_for_update().get(pk=activity.pk)
        before = audit.snapshot(entry)
        was = (entry.occurred_on, entry.pk, entry.nps)
        entry.delete()
        entry.pk = was[1]  # the audit entry names what was removed
        _recompute(locked, entry, was=was, removed=True)
        audit.record(obj=entry, before=before, after=None, actor=user, via=VIA)


def _recompute(account: Account, entry: Activity, *, was: tuple, removed: bool) -> None:
    """The fact the entry set, from the entries left (`timeline_rules`)."""
    if entry.kind == ActivityKind.ONBOARDING_MILESTONE:
        _recompute_milestone(account, entry, was_on=was[0])
    elif entry.kind == ActivityKind.SURVEY_RESPONSE and (
        was[2] is not None or entry.nps is not None
    ):
        _recompute_latest(account, entry, was, "last_nps", {"nps__isnull": False}, "nps", removed)
    elif entry.kind == ActivityKind.SUCCESS_PLAN_CHANGE and entry.success_plan:
        _recompute_latest(
            account, entry, was, "success_plan", {"success_plan__gt": ""}, "success_plan", removed
        )


def _recompute_milestone(account: Account, entry: Activity, *, was_on: date) -> None:
    field = MILESTONE_FIELDS[entry.milestone]
    dates = account.activities.filter(
        kind=ActivityKind.ONBOARDING_MILESTONE, milestone=entry.milestone
    ).values_list("occurred_on", flat=True)
    recorded = getattr(account, field)
    derived = entry.milestone == Milestone.FIRST_VALUE and account.first_value_derived
    now = timeline_rules.milestone_after_correction(
        recorded_on=None if derived and recorded != was_on else recorded,
        corrected_was_on=was_on,
        entry_dates=list(dates),
    )
    if derived and now is None:
        return  # the licence-use stand-in stays until somebody enters a date
    changes = {field: now} if now != recorded else {}
    if changes and entry.milestone == Milestone.FIRST_VALUE:
        changes["first_value_derived"] = False
    _save_facts(account, changes)


def _recompute_latest(account, entry, was, fact, having, value_field, removed) -> None:
    left = [
        (row["occurred_on"], row["pk"], row[value_field])
        for row in account.activities.filter(kind=entry.kind, **having).values(
            "occurred_on", "pk", value_field
        )
    ]
    before = [row for row in left if row[1] != entry.pk]
    before.append((was[0], entry.pk, was[2] if fact == "last_nps" else entry.success_plan))
    recorded = getattr(account, fact)
    held = recorded == before[-1][2] and timeline_rules.holds_latest(
        entry=before[-1], entries=before
    )
    now = timeline_rules.latest_after_correction(
        recorded=recorded, held_by_corrected=held, corrected_id=entry.pk, entries=left
    )
    if now is None and fact == "success_plan":
        now = recorded  # no change of state is left to read: the plan keeps its state
    _save_facts(account, {fact: now} if now != recorded else {})


def corrections_for(account: Account, activity_ids) -> tuple[dict[int, AuditEntry], list]:
    """The timeline's notes: the latest edit of each entry shown, and the removals."""
    edits = {}
    for row in (
        AuditEntry.objects.filter(
            model="accounts.activity",
            action=AuditAction.CHANGED,
            object_id__in=[str(pk) for pk in activity_ids],
        )
        .select_related("actor")
        .order_by("at", "id")
    ):
        edits[int(row.object_id)] = row
    removals = list(
        AuditEntry.objects.filter(
            model="accounts.activity",
            action=AuditAction.DELETED,
            before__account__endswith=f"(#{account.pk})",
        )
        .select_related("actor")
        .order_by("-at", "-id")[:20]
    )
    return edits, removals


def annotate_timeline(user: User, account: Account, page) -> list[AuditEntry]:
    """Mark each entry of a timeline page with whether the user may correct it and its
    latest edit; returns the account's removals (newest first) for the removal notes."""
    activities = list(page.object_list)
    allowed = correctable_ids(user, account, activities)
    edits, removals = corrections_for(account, [activity.pk for activity in activities])
    for activity in activities:
        activity.can_correct = activity.pk in allowed
        activity.imported = is_imported(activity)
        activity.last_edit = edits.get(activity.pk)
    page.object_list = activities
    return removals
