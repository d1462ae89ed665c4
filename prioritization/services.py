"""People's priority decisions: exceptions (every region) and the EMEA quarterly review.

Page 004: a TAM may ask for an account to be prioritised differently than the model
says (an exception, Pr1 or Pr2, with a justification); in EMEA the TAM proposes the
quarter's priority and the manager reviews it in their weekly 1:1. A decision takes
effect at once (the account is recomputed) and no later recompute overwrites it: the
rules read approved exceptions until they expire (default: the end of the fiscal
quarter) and approved reviews for their quarter.

Who may decide: the manager of the account's TAM's team, or an admin, but never the
person who asked (issue 11, separation of duties: an admin decides a manager's request,
and nobody, admins included, decides their own). Who may ask: the account's TAM (or its
manager, or an admin). An exception runs to the end of the fiscal quarter by default and
to the end of the next one at the latest (`DecisionSettings`, admin-editable). Every
decision is in the audit log (`core.audit`).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account
from core import audit
from core.changes import rule_inputs_changed
from core.models import AuditAction
from lib.fiscal import fiscal_quarter_of
from lib.rule_sets import RuleSet
from lib.text_bounds import COMMENT_MAX_LENGTH, too_long
from people.models import Role, User

from .models import (
    JUSTIFICATION_MAX_LENGTH,
    DecisionSettings,
    PriorityException,
    PriorityReview,
    ReviewStatus,
)

OWN_EXCEPTION = "You asked for this exception; another manager or an admin must decide it."
OWN_PROPOSAL = "You proposed this priority; another manager or an admin must decide it."


def _quarter(day: date | None = None):
    return fiscal_quarter_of(day or timezone.localdate(), settings.FISCAL_YEAR_START_MONTH)


def can_review(user: User, account: Account) -> bool:
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    team = account.tam.team if account.tam_id else None
    return user.role == Role.MANAGER and team is not None and team.manager_id == user.pk


def _require_reviewer(user: User, account: Account) -> None:
    if not can_review(user, account):
        raise PermissionDenied("Only the manager of the account's team or an admin decides.")


def _require_in_scope(user: User, account: Account) -> None:
    if not Account.objects.visible_to(user).filter(pk=account.pk).exists():
        raise PermissionDenied("This account is not in your book.")


def _require_someone_else(requester_id: int, decider: User, message: str) -> None:
    if requester_id == decider.pk:
        raise ValidationError(message, code="own_request")


def exception_expiry_problem(expires_on: date, today: date) -> str | None:
    """Why an exception cannot run until `expires_on` when set on `today`, or None."""
    if expires_on < today:
        return "The expiry date is in the past."
    settings_row = DecisionSettings.current()
    last = settings_row.last_exception_quarter(today)
    if expires_on > last.end:
        ahead = settings_row.exception_quarters_ahead
        which = {0: "this fiscal quarter", 1: "the next fiscal quarter"}.get(
            ahead, f"the fiscal quarter {ahead} after this one"
        )
        return (
            f"An exception ends by {last.end:%Y-%m-%d} at the latest: the end of {which} "
            f"({last.spoken}). Ask again then if it is still needed."
        )
    return None


def already_has_priority(current: int | None, requested: int) -> str | None:
    """Why asking for `requested` changes nothing on an account at `current`, or None."""
    if current == requested:
        return f"The account is already Pr{requested}."
    return None


def justification_problem(justification: str, missing: str) -> str | None:
    """Why a justification cannot stand (empty, or longer than the model keeps), or None."""
    text = justification.strip()
    if not text:
        return missing
    return too_long(text, JUSTIFICATION_MAX_LENGTH)


def _require_comment_within(field: str, comment: str) -> None:
    """A decision's comment at most COMMENT_MAX_LENGTH characters, as the model keeps it."""
    problem = too_long(comment.strip(), COMMENT_MAX_LENGTH)
    if problem:
        raise ValidationError({field: problem})


def _open_request_problem(account: Account) -> str | None:
    waiting = (
        PriorityException.objects.filter(account=account, status=ReviewStatus.PENDING)
        .select_related("requested_by")
        .first()
    )
    if waiting is None:
        return None
    return (
        f"A Pr{waiting.requested_priority} exception requested by {waiting.requested_by} on "
        f"{waiting.requested_at:%Y-%m-%d} is still waiting for a decision: one request at a "
        "time per account. Ask the team's manager to decide it first."
    )


def _require_pending(decision) -> None:
    if decision.status != ReviewStatus.PENDING:
        raise ValidationError(f"This request was already {decision.get_status_display().lower()}.")


# --- exceptions ------------------------------------------------------------------------


def priority_exception_request(
    *,
    account: Account,
    requested_by: User,
    priority: int,
    justification: str,
    expires_on: date | None = None,
) -> PriorityException:
    _require_in_scope(requested_by, account)
    errors = {}
    if priority not in (1, 2):
        errors["requested_priority"] = "An exception holds an account at Pr1 or Pr2."
    else:
        same = already_has_priority(account.priority, priority)
        if same:
            errors["requested_priority"] = same
    justification_error = justification_problem(
        justification, "Say why the model's priority is wrong for this account."
    )
    if justification_error:
        errors["justification"] = justification_error
    today = timezone.localdate()
    expires_on = expires_on or _quarter(today).end
    expiry_problem = exception_expiry_problem(expires_on, today)
    if expiry_problem:
        errors["expires_on"] = expiry_problem
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The account row serialises two requests racing for the one open slot; the
        # partial unique constraint backs it where a lock was not taken (the admin).
        Account.objects.select_for_update().filter(pk=account.pk).first()
        open_request = _open_request_problem(account)
        if open_request:
            raise ValidationError(open_request, code="open_request")
        try:
            with transaction.atomic():
                return PriorityException.objects.create(
                    account=account,
                    requested_priority=priority,
                    justification=justification.strip(),
                    requested_by=requested_by,
                    expires_on=expires_on,
                )
        except IntegrityError:
            raise ValidationError(
                "Another request for this account was just made; reload the page.",
                code="open_request",
            ) from None


def priority_exception_approve(
    *, exception: PriorityException, reviewer: User, comment: str = ""
) -> PriorityException:
    return _decide_exception(exception, reviewer, ReviewStatus.APPROVED, comment)


def priority_exception_reject(
    *, exception: PriorityException, reviewer: User, comment: str
) -> PriorityException:
    _require_reviewer(reviewer, exception.account)
    _require_someone_else(exception.requested_by_id, reviewer, OWN_EXCEPTION)
    if not comment.strip():
        raise ValidationError({"review_comment": "Tell the TAM why the exception is rejected."})
    return _decide_exception(exception, reviewer, ReviewStatus.REJECTED, comment)


def _decide_exception(exception, reviewer, status, comment) -> PriorityException:
    _require_reviewer(reviewer, exception.account)
    _require_comment_within("review_comment", comment)
    with transaction.atomic():
        exception = PriorityException.objects.select_for_update().get(pk=exception.pk)
        _require_someone_else(exception.requested_by_id, reviewer, OWN_EXCEPTION)
        _require_pending(exception)
        before = audit.snapshot(exception)
        exception.status = status
        exception.reviewed_by = reviewer
        exception.reviewed_at = timezone.now()
        exception.review_comment = comment.strip()
        exception.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
        _record_decision(exception, before, reviewer)
        if status == ReviewStatus.APPROVED:
            _end_exceptions_in_force(exception, reviewer)
        rule_inputs_changed([exception.account_id])
    return exception


def _end_exceptions_in_force(approved: PriorityException, reviewer: User) -> None:
    """One exception in force per account: the approval ends the earlier ones yesterday,
    so today the new one alone holds; each end is in the audit log with its old expiry."""
    today = timezone.localdate()
    earlier = PriorityException.objects.select_for_update().filter(
        account_id=approved.account_id, status=ReviewStatus.APPROVED, expires_on__gte=today
    )
    # At most one row by the rule this keeps; a loop over it is not a per-row bulk write.
    for exception in earlier.exclude(pk=approved.pk):
        before = audit.snapshot(exception)
        exception.expires_on = today - timedelta(days=1)
        exception.save(update_fields=["expires_on"])
        audit.record(
            obj=exception,
            before=before,
            after=audit.snapshot(exception),
            actor=reviewer,
            action=AuditAction.CHANGED,
        )


# --- EMEA review -----------------------------------------------------------------------


def priority_review_propose(
    *, account: Account, proposed_by: User, priority: int, justification: str
) -> PriorityReview:
    """The TAM's proposal for this quarter; a pending one is replaced, a decided one kept."""
    _require_in_scope(proposed_by, account)
    if account.region.rule_set != RuleSet.EMEA_ENTERPRISE:
        raise ValidationError("Quarterly priority reviews are the EMEA Enterprise process.")
    errors = {}
    if priority not in (1, 2):
        errors["proposed_priority"] = "Propose Pr1 or Pr2."
    justification_error = justification_problem(
        justification, "Say why this priority is right for the account this quarter."
    )
    if justification_error:
        errors["justification"] = justification_error
    if errors:
        raise ValidationError(errors)
    quarter = _quarter().label
    assessment = account.assessments.filter(fiscal_quarter=quarter).first()
    # Pre-filled with the model's own suggestion, not a priority an exception imposed.
    suggested = assessment.computed_priority if assessment else (account.priority or 2)
    with transaction.atomic():
        review, created = PriorityReview.objects.select_for_update().get_or_create(
            account=account,
            fiscal_quarter=quarter,
            defaults={
                "suggested_priority": suggested,
                "proposed_priority": priority,
                "justification": justification.strip(),
                "proposed_by": proposed_by,
            },
        )
        if not created:
            _require_pending(review)
            review.suggested_priority = suggested
            review.proposed_priority = priority
            review.justification = justification.strip()
            review.proposed_by = proposed_by
            review.save()
    return review


def priority_review_decide(
    *, review: PriorityReview, manager: User, priority: int | None = None, comment: str = ""
) -> PriorityReview:
    """Approve the proposal, or change it by giving another priority."""
    _require_reviewer(manager, review.account)
    _require_someone_else(review.proposed_by_id, manager, OWN_PROPOSAL)
    decided = priority if priority is not None else review.proposed_priority
    if decided not in (1, 2):
        raise ValidationError({"decided_priority": "Decide Pr1 or Pr2."})
    if decided != review.proposed_priority and not comment.strip():
        raise ValidationError({"comment": "Say why you change the proposed priority."})
    return _close_review(review, manager, ReviewStatus.APPROVED, decided, comment)


def priority_review_reject(*, review: PriorityReview, manager: User, comment: str):
    """Keep the model's suggestion: the proposal is turned down."""
    _require_reviewer(manager, review.account)
    _require_someone_else(review.proposed_by_id, manager, OWN_PROPOSAL)
    if not comment.strip():
        raise ValidationError({"comment": "Tell the TAM why the proposal is rejected."})
    return _close_review(review, manager, ReviewStatus.REJECTED, None, comment)


def _close_review(review, manager, status, decided, comment) -> PriorityReview:
    _require_comment_within("comment", comment)
    with transaction.atomic():
        review = PriorityReview.objects.select_for_update().get(pk=review.pk)
        _require_someone_else(review.proposed_by_id, manager, OWN_PROPOSAL)
        _require_pending(review)
        before = audit.snapshot(review)
        review.status = status
        review.decided_priority = decided
        review.decided_by = manager
        review.decided_at = timezone.now()
        review.comment = comment.strip()
        review.save()
        _record_decision(review, before, manager)
        rule_inputs_changed([review.account_id])
    return review


def _record_decision(decision, before: dict, decider: User) -> None:
    audit.record(
        obj=decision,
        before=before,
        after=audit.snapshot(decision),
        actor=decider,
        action=AuditAction.DECIDED,
    )
