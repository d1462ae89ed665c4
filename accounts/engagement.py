"""Starting and ending a TAM's engagement with a customer (DESIGN section 7, page 004).

Page 004, "Start a new customer engagement" / "Start a customer upgrade engagement": the
TAM is aligned with the account (and sets themselves as its TAM), the customer's
collaboration project is based on the Enterprise or the Commercial Customer Success Plan
template, and the SAL/AE sets up the "Welcome to GitLab" call. "Disengaging with a
customer": when a customer downgrades or churns below the TAM alignment threshold, or a
strategic engagement below it (a tier upgrade) is unsuccessful, the TAM holds the
conversation face to face with the SAL/AE, is honest about the reason, reviews the
assistance options and sends a follow-up.

Decisions (DESIGN section 7 leaves them open):

- The template follows the region: Commercial regions use the Commercial template, every
  other region the Enterprise one; there is no override, the template is stored so history
  says what was used even if the region changes.
- The collaboration project link is https. It is required for the Enterprise template (page
  004: the project should exist before the TAM is involved; if not, the TAM creates it) and
  may be left empty for the Commercial template (the TAM creates one only where it helps);
  an engagement without a project is flagged (`Engagement.has_collaboration_project`, the
  admin list).
- An account is in at most one engagement at a time: its latest one, unless a
  disengagement ended it. A new engagement starts after the previous one and not before
  the last disengagement; starting one makes its TAM the account's TAM.
- Who: an admin, the manager of the TAM's team, or the TAM themself for an account that has
  no TAM or is already theirs. A disengagement is recorded by the account's TAM, their
  manager or an admin.
- History is kept: the services never delete or rewrite engagements or disengagements; a
  disengagement leaves the account, its timeline, assessments and opportunities as they are
  and snapshots the segment, ARR and TAM of the day. The account's TAM is cleared only when
  a manager or an admin asks for it (`release_tam=True`; recorded as `tam_released`), since
  a TAM's book may hold customers below the threshold for other reasons and a TAM cannot
  hand an account back on their own.
- The checklist is recorded as it was followed; an incomplete one is allowed and shown
  (`Disengagement.complete`).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import (
    Account,
    Disengagement,
    Engagement,
)
from core.changes import rule_inputs_changed
from people.models import Role, User

# --- who may ---------------------------------------------------------------------------


def _is_admin(user: User) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def _manages(user: User, tam: User | None) -> bool:
    return (
        user.role == Role.MANAGER
        and tam is not None
        and tam.team_id is not None
        and tam.team.manager_id == user.pk
    )


def _require_may_start(user: User, account: Account, tam: User) -> None:
    if _is_admin(user) or _manages(user, tam):
        return
    if user.pk == tam.pk and account.tam_id in (None, tam.pk):
        return
    raise PermissionDenied(
        "A TAM engages themself with an account that is theirs or has no TAM; "
        "otherwise their manager or an admin does."
    )


def _require_may_disengage(user: User, account: Account, release_tam: bool) -> None:
    may_decide = _is_admin(user) or _manages(user, account.tam)
    if release_tam and not may_decide:
        raise PermissionDenied("Only the TAM's manager or an admin releases the account's TAM.")
    if not may_decide and user.pk != account.tam_id:
        raise PermissionDenied("This account is not in your book.")


# --- the account's engagement state ------------------------------------------------------


def _lock(account: Account) -> Account:
    """The account row, locked until the transaction ends: starts and disengagements of one
    account are serialised, so two of them cannot both see it "not engaged"."""
    return (
        Account.objects.select_for_update(of=("self",))
        .select_related("region", "tam__team", "segment", "segment_override")
        .get(pk=account.pk)
    )


def _latest_engagement(account: Account) -> Engagement | None:
    return account.engagements.order_by("-started_on", "-pk").first()


def _ending(account: Account, latest: Engagement | None) -> Disengagement | None:
    """The disengagement that ended the account's current alignment, if one did."""
    if latest is not None:
        return latest.disengagements.first()
    return account.disengagements.filter(engagement__isnull=True).first()


def _full_clean(instance, errors: dict[str, list[str]]) -> None:
    """Model validation plus the service's own `errors`, raised together.

    Where the service already explains a field, the model's generic message is left out.
    The database constraints are not re-checked here: the service's own rules cover them
    with a better message, and the database still enforces them on save.
    """
    try:
        instance.full_clean(validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


# --- start -----------------------------------------------------------------------------


def engagement_start(
    *,
    account: Account,
    kind: str,
    tam: User,
    started_on: date,
    collaboration_project_url: str,
    template: str,
    welcome_call_on: date | None = None,
    created_by: User,
    notes: str = "",
) -> Engagement:
    """Record a new customer or upgrade engagement and make `tam` the account's TAM."""
    with transaction.atomic():
        locked = _lock(account)
        _require_may_start(created_by, locked, tam)
        engagement = Engagement(
            account=locked,
            kind=kind,
            tam=tam,
            started_on=started_on,
            collaboration_project_url=collaboration_project_url.strip(),
            template=template,
            welcome_call_on=welcome_call_on,
            notes=notes.strip(),
            created_by=created_by,
        )
        _full_clean(engagement, _start_errors(locked, tam, started_on))
        engagement.save()
        if locked.tam_id != tam.pk:
            locked.tam = tam
            locked.save(update_fields=["tam", "updated_at"])
            # A TAM's book feeds the rankings: show the account's priority now, as the
            # admin does after an edit, rather than after the nightly run.
            rule_inputs_changed([locked.pk])
    account.tam = tam
    return engagement


def _start_errors(account: Account, tam: User, started_on: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if tam.role != Role.TAM or not tam.is_active:
        errors["tam"] = ["Engage an active TAM."]
    if started_on > timezone.localdate():
        errors["started_on"] = ["Record an engagement once it has started."]
    latest = _latest_engagement(account)
    ended_by = _ending(account, latest)
    if latest is not None and ended_by is None:
        errors["account"] = [
            f"Already engaged since {latest.started_on:%Y-%m-%d} ({latest.get_kind_display()}): "
            "record the disengagement first, or change the TAM on the account."
        ]
    elif latest is not None and started_on <= latest.started_on:
        errors.setdefault("started_on", []).append(
            f"Start after the previous engagement, which started on {latest.started_on}."
        )
    if ended_by is not None and started_on < ended_by.disengaged_on:
        errors.setdefault("started_on", []).append(
            f"Start on or after the disengagement of {ended_by.disengaged_on}."
        )
    return errors


# --- disengage -------------------------------------------------------------------------


def disengagement_record(
    *,
    account: Account,
    recorded_by: User,
    disengaged_on: date,
    reason: str,
    explanation: str,
    call_held_face_to_face_with_sal_ae: bool = False,
    reason_explained: bool = False,
    assistance_options_reviewed: bool = False,
    follow_up_sent: bool = False,
    release_tam: bool = False,
) -> Disengagement:
    """Record that the TAM disengaged from the account, ending its current engagement.

    Keeps everything: the engagement stays (now ended), the account keeps its timeline and
    assessments, and its TAM unless `release_tam` (a manager's or admin's call).
    """
    with transaction.atomic():
        locked = _lock(account)
        _require_may_disengage(recorded_by, locked, release_tam)
        if locked.tam_id is None:
            raise ValidationError({"account": "The account has no TAM to disengage."})
        latest = _latest_engagement(locked)
        segment = locked.effective_segment
        disengagement = Disengagement(
            account=locked,
            engagement=latest,
            tam=locked.tam,
            disengaged_on=disengaged_on,
            reason=reason,
            explanation=explanation.strip(),
            call_held_face_to_face_with_sal_ae=call_held_face_to_face_with_sal_ae,
            reason_explained=reason_explained,
            assistance_options_reviewed=assistance_options_reviewed,
            follow_up_sent=follow_up_sent,
            segment_at_disengagement=segment.code if segment else "",
            arr_at_disengagement=locked.arr,
            tam_released=release_tam,
            recorded_by=recorded_by,
        )
        _full_clean(disengagement, _disengage_errors(locked, latest, disengaged_on, explanation))
        disengagement.save()
        if release_tam:
            locked.tam = None
            locked.save(update_fields=["tam", "updated_at"])
    if release_tam:
        account.tam = None
    return disengagement


def _disengage_errors(
    account: Account, latest: Engagement | None, disengaged_on: date, explanation: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    ended_by = _ending(account, latest)
    if ended_by is not None:
        errors["account"] = [
            f"Already disengaged on {ended_by.disengaged_on} and not engaged since."
        ]
    if disengaged_on > timezone.localdate():
        errors["disengaged_on"] = ["Record a disengagement once the conversation was held."]
    elif latest is not None and disengaged_on < latest.started_on:
        errors["disengaged_on"] = [
            f"The engagement it ends started on {latest.started_on}: disengage on or after it."
        ]
    if not explanation.strip():
        errors["explanation"] = ["Say why, as it was explained to the customer."]
    return errors
