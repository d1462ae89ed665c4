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
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from accounts.models import (
    Account,
    Disengagement,
    DisengagementReason,
    Engagement,
    EngagementKind,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
)
from people.models import Role, User
from prioritization.models import PriorityAssessment
from prioritization.recompute import recompute_accounts

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
            transaction.on_commit(partial(recompute_accounts, [locked.pk]))
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


# --- candidates ------------------------------------------------------------------------

# The one Pr1 an account outside the TAM-assigned segments gets (the Onboarding segment's
# program, DESIGN section 4 step 2), which a TAM-assigned new customer also gets (step 5):
# an assessment with these reasons alone does not tell the two apart.
_ONBOARDING_ONLY = "onboarding"

_PARENT_TAM_ASSIGNED_NOW = Q(parent__segment_override__tam_assigned=True) | Q(
    parent__segment_override__isnull=True, parent__segment__tam_assigned=True
)


def disengagement_candidates(queryset: QuerySet[Account] | None = None) -> QuerySet[Account]:
    """The accounts of `queryset` (default: all) whose TAM should disengage (page 004).

    An account is a candidate when all of these hold:

    1. it has a TAM (someone to disengage);
    2. its effective segment (the override, else the computed one) is not TAM-assigned, or
       it has none: it is below the TAM alignment threshold;
    3. it was aligned with a TAM as a TAM-assigned or strategic customer: it has an
       engagement recorded, or one of its priority assessments took the TAM-assigned path
       (Pr2, or Pr1 for any reason but onboarding alone; accounts outside the TAM-assigned
       segments only ever get Pr3, Pr4 or Pr1 "onboarding", DESIGN section 4). This keeps
       the Digital-Only and Onboarding customers a TAM's book holds by design off the list;
    4. that alignment has not been ended: no disengagement ends its latest engagement (or,
       with no engagement recorded, no disengagement at all);
    5. nothing still justifies the TAM: no open tier-upgrade opportunity (the strategic
       purpose of page 004; once it is lost or closed the account becomes a candidate), no
       onboarding in progress (customer-since set, not yet onboarded: the six-week program
       is TAM-led), and no parent account in a TAM-assigned segment (the TAM stays through
       the parent).

    Each candidate is annotated with `suggested_reason`: `unsuccessful_upgrade` when its
    latest engagement is an upgrade (it is still below the threshold with no open
    up-tier opportunity), `churn` at zero ARR, else `downgrade`; and with
    `last_engagement_started_on`. One query, whatever the number of accounts: every
    condition is a join, an EXISTS or a correlated subquery.

    Limits: an upgrade engagement below the threshold is held only by its open tier-upgrade
    opportunity, so one started before the opportunity is imported is listed meanwhile.
    Condition 3 reads the priority precedence of DESIGN section 4; if Pr2 or a non-onboarding
    Pr1 could ever be given outside the TAM-assigned segments, it must change with it.
    """
    if queryset is None:
        queryset = Account.objects.all()
    latest_engagement = Engagement.objects.filter(account=OuterRef("pk")).order_by(
        "-started_on", "-pk"
    )
    below_threshold = Q(segment_override__isnull=False, segment_override__tam_assigned=False) | Q(
        segment_override__isnull=True
    ) & (Q(segment__isnull=True) | Q(segment__tam_assigned=False))
    return (
        queryset.filter(tam__isnull=False)
        .filter(below_threshold)
        .exclude(_PARENT_TAM_ASSIGNED_NOW)
        .exclude(customer_since__isnull=False, onboarded_on__isnull=True)
        .alias(latest_engagement_id=Subquery(latest_engagement.values("pk")[:1]))
        .filter(_was_tam_aligned())
        .exclude(Exists(Disengagement.objects.filter(engagement=OuterRef("latest_engagement_id"))))
        .exclude(
            Q(latest_engagement_id__isnull=True)
            & Exists(Disengagement.objects.filter(account=OuterRef("pk")))
        )
        .exclude(
            Exists(
                Opportunity.objects.filter(
                    account=OuterRef("pk"),
                    kind=OpportunityKind.TIER_UPGRADE,
                    status=OpportunityStatus.OPEN,
                )
            )
        )
        .annotate(
            last_engagement_started_on=Subquery(latest_engagement.values("started_on")[:1]),
            last_engagement_kind=Subquery(latest_engagement.values("kind")[:1]),
        )
        .annotate(
            suggested_reason=Case(
                When(
                    last_engagement_kind=EngagementKind.UPGRADE,
                    then=Value(DisengagementReason.UNSUCCESSFUL_UPGRADE.value),
                ),
                When(arr=0, then=Value(DisengagementReason.CHURN.value)),
                default=Value(DisengagementReason.DOWNGRADE.value),
            )
        )
    )


def _was_tam_aligned() -> Q:
    tam_assigned_assessment = PriorityAssessment.objects.filter(account=OuterRef("pk")).filter(
        Q(computed_priority=2) | Q(computed_priority=1) & ~Q(reasons=_ONBOARDING_ONLY)
    )
    return Q(latest_engagement_id__isnull=False) | Exists(tam_assigned_assessment)
