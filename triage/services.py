"""Writing the triage register (DESIGN 11 "Triage register").

Who may write a case: whoever has the account in scope (its TAM, the team's manager, an
admin: `Account.objects.visible_to`). `will_churn` is the TAM's proposal and the team's
manager's decision (or an admin's): it waits in the review queue, and nobody signs off
their own proposal (issue 11, separation of duties, as for priority exceptions).

Every write is in the audit log and announces the account to the recompute: an open case
makes the account at risk and in triage for the priority rules, so opening and closing
one change its priority at once.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account
from core import audit
from core.changes import rule_inputs_changed
from core.models import AuditAction
from lib.text_bounds import COMMENT_MAX_LENGTH, too_long
from lib.words import money_text
from people.models import User
from prioritization.services import can_review

from .models import (
    ONE_OPEN_CASE,
    OUTCOMES,
    CaseStatus,
    RiskCase,
    RiskCaseUpdate,
    RiskClassification,
    RiskReason,
    TriageSettings,
)

OWN_WILL_CHURN = "You proposed will churn; another manager or an admin must sign it off."


def can_write(user: User, account: Account) -> bool:
    return Account.objects.visible_to(user).filter(pk=account.pk).exists()


def _require_in_scope(user: User, account: Account) -> None:
    if not can_write(user, account):
        raise PermissionDenied("This account is not in your book.")


def note_problem(note: str, missing: str) -> str | None:
    text = (note or "").strip()
    if not text:
        return missing
    return too_long(text, COMMENT_MAX_LENGTH)


def _amount(value) -> Decimal | None:
    """An amount as typed ("75000", "75,000", "$75,000"), or None."""
    try:
        amount = Decimal(str(value).strip().replace(",", "").lstrip("$"))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def arr_at_risk_problem(value, account: Account) -> str | None:
    """Why `value` cannot be the ARR at risk: not an amount, below 0, or above the
    account's ARR when that is known (nobody loses more than the whole contract)."""
    amount = _amount(value)
    if amount is None:
        return "Enter an amount in USD, such as 75000."
    if amount < 0:
        return "The ARR at risk cannot be negative."
    if amount >= Decimal("1e12"):
        return "Enter an amount below $1,000,000,000,000."
    if account.arr is not None and amount > account.arr:
        return f"At most the account's ARR, {money_text(account.arr)}."
    return None


def next_update_due(account: Account, day: date) -> date:
    """The day the next update is due: the settings' interval for the account's band."""
    return TriageSettings.current().next_update_due(account.health, day)


def _record(obj, before: dict | None, actor: User, action: str | None = None) -> None:
    audit.record(obj=obj, before=before, after=audit.snapshot(obj), actor=actor, action=action)


def _add_update(case: RiskCase, by: User, note: str, day: date) -> RiskCaseUpdate:
    update = RiskCaseUpdate.objects.create(case=case, on=day, note=note.strip(), by=by)
    _record(update, None, by)
    return update


def _locked_open_case(case: RiskCase) -> RiskCase:
    case = RiskCase.objects.select_for_update().select_related("account").get(pk=case.pk)
    if not case.is_open:
        raise ValidationError(f"This case is already closed ({case.get_status_display()}).")
    return case


def open_case(
    *,
    account: Account,
    opened_by: User,
    reason: str,
    classification: str,
    arr_at_risk,
    note: str,
) -> RiskCase:
    _require_in_scope(opened_by, account)
    errors = {}
    if reason not in RiskReason.values:
        errors["reason"] = "Choose a reason from the list."
    if classification not in RiskClassification.values:
        errors["classification"] = "Choose a classification from the list."
    arr_error = arr_at_risk_problem(arr_at_risk, account)
    if arr_error:
        errors["arr_at_risk"] = arr_error
    note_error = note_problem(note, "Say what puts the account at risk.")
    if note_error:
        errors["note"] = note_error
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    with transaction.atomic():
        # The account row serialises two people opening a case at once; the partial
        # unique constraint backs it.
        Account.objects.select_for_update().filter(pk=account.pk).first()
        if RiskCase.objects.open().filter(account=account).exists():
            raise ValidationError(ONE_OPEN_CASE, code="open_case")
        try:
            with transaction.atomic():
                case = RiskCase.objects.create(
                    account=account,
                    reason=reason,
                    classification=classification,
                    arr_at_risk=_amount(arr_at_risk),
                    opened_by=opened_by,
                    opened_on=today,
                    next_update_due=next_update_due(account, today),
                )
        except IntegrityError:
            raise ValidationError(ONE_OPEN_CASE, code="open_case") from None
        _record(case, None, opened_by)
        _add_update(case, opened_by, note, today)
        rule_inputs_changed([account.pk])
    return case


def add_update(*, case: RiskCase, by: User, note: str) -> RiskCaseUpdate:
    """A dated note; the next update is due one interval (of the band now) from today."""
    _require_in_scope(by, case.account)
    note_error = note_problem(note, "Say what happened since the last update.")
    if note_error:
        raise ValidationError({"note": note_error})
    today = timezone.localdate()
    with transaction.atomic():
        case = _locked_open_case(case)
        before = audit.snapshot(case)
        update = _add_update(case, by, note, today)
        case.next_update_due = next_update_due(case.account, today)
        case.save(update_fields=["next_update_due"])
        _record(case, before, by)
        rule_inputs_changed([case.account_id])
    return update


def propose_will_churn(*, case: RiskCase, proposed_by: User, note: str) -> RiskCase:
    _require_in_scope(proposed_by, case.account)
    note_error = note_problem(note, "Say why the account will churn.")
    if note_error:
        raise ValidationError({"note": note_error})
    today = timezone.localdate()
    with transaction.atomic():
        case = _locked_open_case(case)
        if case.status == CaseStatus.WILL_CHURN:
            raise ValidationError("This case is already signed off as will churn.")
        if case.waiting_for_sign_off:
            raise ValidationError("Will churn is already proposed and waits for the manager.")
        before = audit.snapshot(case)
        case.will_churn_proposed_by = proposed_by
        case.will_churn_proposed_on = today
        case.save(update_fields=["will_churn_proposed_by", "will_churn_proposed_on"])
        _add_update(case, proposed_by, f"Proposed will churn: {note.strip()}", today)
        _record(case, before, proposed_by)
        rule_inputs_changed([case.account_id])
    return case


def _require_sign_off_by(case: RiskCase, reviewer: User) -> None:
    if not can_review(reviewer, case.account):
        raise PermissionDenied("Only the manager of the account's team or an admin signs off.")
    if case.will_churn_proposed_by_id == reviewer.pk:
        raise ValidationError(OWN_WILL_CHURN, code="own_request")
    if not case.waiting_for_sign_off:
        raise ValidationError("No will churn proposal waits on this case.")


def sign_off_will_churn(*, case: RiskCase, reviewer: User, comment: str = "") -> RiskCase:
    problem = too_long(comment.strip(), COMMENT_MAX_LENGTH)
    if problem:
        raise ValidationError({"comment": problem})
    today = timezone.localdate()
    with transaction.atomic():
        case = _locked_open_case(case)
        _require_sign_off_by(case, reviewer)
        before = audit.snapshot(case)
        case.status = CaseStatus.WILL_CHURN
        case.signed_off_by = reviewer
        case.signed_off_on = today
        case.save(update_fields=["status", "signed_off_by", "signed_off_on"])
        words = f": {comment.strip()}" if comment.strip() else "."
        _add_update(case, reviewer, f"Signed off as will churn{words}", today)
        _record(case, before, reviewer, AuditAction.DECIDED)
        rule_inputs_changed([case.account_id])
    return case


def send_back_will_churn(*, case: RiskCase, reviewer: User, comment: str) -> RiskCase:
    """The manager does not agree: the case stays open, the proposal is withdrawn."""
    problem = note_problem(comment, "Tell the TAM why will churn is sent back.")
    if problem:
        raise ValidationError({"comment": problem})
    today = timezone.localdate()
    with transaction.atomic():
        case = _locked_open_case(case)
        _require_sign_off_by(case, reviewer)
        before = audit.snapshot(case)
        case.will_churn_proposed_by = None
        case.will_churn_proposed_on = None
        case.save(update_fields=["will_churn_proposed_by", "will_churn_proposed_on"])
        _add_update(case, reviewer, f"Will churn sent back: {comment.strip()}", today)
        _record(case, before, reviewer, AuditAction.DECIDED)
        rule_inputs_changed([case.account_id])
    return case


def close_case(*, case: RiskCase, closed_by: User, outcome: str, comment: str) -> RiskCase:
    """Record the outcome (saved, downgraded, churned); the account leaves triage."""
    _require_in_scope(closed_by, case.account)
    errors = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = "Choose saved, downgraded or churned."
    comment_error = note_problem(comment, "Say how the case ended.")
    if comment_error:
        errors["comment"] = comment_error
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = _locked_open_case(case)
        before = audit.snapshot(case)
        case.status = outcome
        case.closed_on = timezone.localdate()
        case.outcome_comment = comment.strip()
        case.next_update_due = None
        case.save(update_fields=["status", "closed_on", "outcome_comment", "next_update_due"])
        _record(case, before, closed_by)
        rule_inputs_changed([case.account_id])
    return case
