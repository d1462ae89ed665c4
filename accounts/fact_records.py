"""The initiatives and opportunities a TAM keeps on the account page (DESIGN 12, issue 12
point 2): the work with the customer this quarter and its TAM hours a week, which the US
flowchart and the EMEA parameters read, and the open opportunities' close dates, which
the up-tier rules read.

Written as the account import writes them, so a change here moves the priority exactly as
an imported one would: an initiative added here starts on the first day of this fiscal
quarter, open-ended; ending one (done or cancelled) ends it today, or on its start if that
is later. Rows fed from another system (an `external_id`, or the accounts file's hours and
close-date columns) may be changed here too: the CRM often lags the TAM, who should not
wait for it; the next import that carries the row overwrites the change, and the forms
say so.

Who: whoever sees the account, as for the other facts (`priority_facts.check_visible`).
Each change needs a comment, is recorded in the audit log on the row itself (via
`priority_facts.VIA`, read back on the account's timeline by `fact_timeline`) and
announces the account (`rule_inputs_changed`), so it is recomputed at once.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit
from core.changes import rule_inputs_changed
from lib.dates import LATEST_DATE
from lib.fiscal import fiscal_quarter_of
from people.models import User

from .csv_cells import MAX_WEEKLY_HOURS
from .models import (
    Account,
    Initiative,
    InitiativeKind,
    InitiativeStatus,
    Opportunity,
    OpportunityStatus,
    Stage,
)
from .priority_facts import VIA, check_visible, checked_comment

# A close date a person types: nothing of this business closed before 2000.
EARLIEST_CLOSE_DATE = date(2000, 1, 1)
HOURS_MESSAGE = f"Enter TAM hours a week from 0 to {MAX_WEEKLY_HOURS}, with at most two decimals."
CLOSE_DATE_MESSAGE = (
    f"Enter a date between {EARLIEST_CLOSE_DATE:%Y-%m-%d} and {LATEST_DATE:%Y-%m-%d}."
)
INITIATIVE_ENDINGS = (InitiativeStatus.DONE, InitiativeStatus.CANCELLED)
OPPORTUNITY_OUTCOMES = (OpportunityStatus.WON, OpportunityStatus.LOST)
NOTHING_CHANGES = "Nothing changes: the account already says so."


def active_initiatives(account: Account):
    return (
        Initiative.objects.filter(account=account, status=InitiativeStatus.ACTIVE)
        .select_related("stage")
        .order_by("kind", "starts_on", "pk")
    )


def open_opportunities(account: Account):
    return Opportunity.objects.filter(account=account, status=OpportunityStatus.OPEN).order_by(
        "close_date", "pk"
    )


def hours_in_bounds(hours: Decimal | None) -> bool:
    return (
        isinstance(hours, Decimal)
        and hours.is_finite()
        and Decimal(0) <= hours <= MAX_WEEKLY_HOURS
        and hours == hours.quantize(Decimal("0.01"))
    )


def close_date_in_bounds(day: date | None) -> bool:
    return isinstance(day, date) and EARLIEST_CLOSE_DATE <= day <= LATEST_DATE


def _checked_hours(hours: Decimal | None) -> Decimal:
    if not hours_in_bounds(hours):
        raise ValidationError({"hours": HOURS_MESSAGE})
    return hours


def add_initiative(
    *,
    account: Account,
    user: User,
    kind: str,
    hours: Decimal,
    comment: str,
    stage: Stage | None = None,
) -> Initiative:
    """Start an initiative this quarter with its TAM hours a week."""
    check_visible(account, user)
    if kind not in InitiativeKind.values:
        raise ValidationError({"kind": "Choose the kind of initiative."})
    hours = _checked_hours(hours)
    comment = checked_comment(comment)
    quarter = fiscal_quarter_of(timezone.localdate(), settings.FISCAL_YEAR_START_MONTH)
    with transaction.atomic():
        initiative = Initiative.objects.create(
            account=account,
            kind=kind,
            stage=stage,
            tam_hours_per_week=hours,
            starts_on=quarter.start,
        )
        audit.record(
            obj=initiative,
            before=None,
            after={**audit.snapshot(initiative), "comment": comment},
            actor=user,
            via=VIA,
        )
        rule_inputs_changed([account.pk])
    return initiative


def change_initiative(
    *,
    account: Account,
    user: User,
    initiative_id: int,
    hours: Decimal | None,
    status: str,
    comment: str,
) -> None:
    """Change an active initiative's hours (None: as they are), or end it (done or
    cancelled)."""
    check_visible(account, user)
    if status != InitiativeStatus.ACTIVE and status not in INITIATIVE_ENDINGS:
        raise ValidationError({"status": "Choose active, done or cancelled."})
    if hours is not None:
        hours = _checked_hours(hours)
    comment = checked_comment(comment)
    with transaction.atomic():
        initiative = _locked(Initiative, account, initiative_id, InitiativeStatus.ACTIVE)
        changes: dict[str, object] = {"status": status}
        if hours is not None:
            changes["tam_hours_per_week"] = hours
        if status in INITIATIVE_ENDINGS:
            today = timezone.localdate()
            changes["ends_on"] = max(min(initiative.ends_on or today, today), initiative.starts_on)
        _write(initiative, changes, user, comment)
        rule_inputs_changed([account.pk])


def change_opportunity(
    *,
    account: Account,
    user: User,
    opportunity_id: int,
    close_date: date,
    status: str,
    comment: str,
) -> None:
    """Move an open opportunity's close date, or record it won or lost."""
    check_visible(account, user)
    if status != OpportunityStatus.OPEN and status not in OPPORTUNITY_OUTCOMES:
        raise ValidationError({"status": "Choose open, won or lost."})
    if not close_date_in_bounds(close_date):
        raise ValidationError({"close_date": CLOSE_DATE_MESSAGE})
    comment = checked_comment(comment)
    with transaction.atomic():
        opportunity = _locked(Opportunity, account, opportunity_id, OpportunityStatus.OPEN)
        _write(opportunity, {"close_date": close_date, "status": status}, user, comment)
        rule_inputs_changed([account.pk])


def _locked(model, account: Account, pk: int, status: str):
    row = model.objects.select_for_update().filter(pk=pk, account=account).first()
    noun = model._meta.verbose_name
    if row is None:
        raise ValidationError(f"This {noun} is not on the account.")
    if row.status != status:
        raise ValidationError(
            f"This {noun} is {row.get_status_display().lower()} already: nothing changed."
        )
    return row


def _write(row, changes: dict, user: User, comment: str) -> None:
    """Save the fields that change and record them with the comment; refuse a no-change."""
    changed = {name: new for name, new in changes.items() if getattr(row, name) != new}
    if not changed:
        raise ValidationError(NOTHING_CHANGES)
    before = {name: audit.plain(getattr(row, name)) for name in changed}
    for name, new in changed.items():
        setattr(row, name, new)
    row.save(update_fields=list(changed))
    audit.record(
        obj=row,
        before={**before, "comment": ""},
        after={**{name: audit.plain(new) for name, new in changed.items()}, "comment": comment},
        actor=user,
        via=VIA,
    )
