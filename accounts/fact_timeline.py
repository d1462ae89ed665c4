"""The priority facts' changes read back from the audit log for the account's timeline
(issue 12 point 2): the account's own facts (`priority_facts`) and its initiatives and
opportunities (`fact_records`), newest first, each with who, when, the old and new value
and the comment. The entries are those written via `priority_facts.VIA`; nothing else
is stored for the timeline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Case, CharField, OuterRef, Q, Subquery, When
from django.db.models.functions import Cast

from core.models import AuditAction, AuditEntry

from .models import (
    Account,
    Initiative,
    InitiativeKind,
    InitiativeStatus,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
)
from .priority_facts import FIELD_LABELS, RECONFIRMED, VIA, shown

INITIATIVE = Initiative._meta.label_lower
OPPORTUNITY = Opportunity._meta.label_lower
ACCOUNT = Account._meta.label_lower
INITIATIVE_STATES = dict(InitiativeStatus.choices)
INITIATIVE_KINDS = dict(InitiativeKind.choices)
OPPORTUNITY_KINDS = dict(OpportunityKind.choices)
OPPORTUNITY_STATES = dict(OpportunityStatus.choices)
# How the audit log shows a reference: "Create (#3)".
_REFERENCE_ID = re.compile(r" \(#\d+\)$")


@dataclass(frozen=True)
class FactChange:
    at: object
    who: str
    label: str
    old: str
    new: str
    comment: str
    # The TAM sentiment given again unchanged: "re-confirmed green", no old value.
    reconfirmed: bool = False


def fact_changes(account: Account, limit: int = 20) -> list[FactChange]:
    """The latest changes of the account's priority facts, newest first: one query
    however many facts and kinds of fact, the kind of each initiative or opportunity a
    change is about read alongside (the only thing of the row the entry shows)."""
    initiatives = _ids_as_text(Initiative, account)
    opportunities = _ids_as_text(Opportunity, account)
    rows = list(
        AuditEntry.objects.filter(via=VIA)
        .filter(
            Q(model=ACCOUNT, object_id=str(account.pk))
            | Q(model=INITIATIVE, object_id__in=initiatives.values("key"))
            | Q(model=OPPORTUNITY, object_id__in=opportunities.values("key"))
        )
        .annotate(
            record_kind=Case(
                When(model=INITIATIVE, then=_kind_of(initiatives)),
                When(model=OPPORTUNITY, then=_kind_of(opportunities)),
            )
        )
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )
    changes = (
        _account_change(row) if row.model == ACCOUNT else _record_change(row) for row in rows
    )
    return [change for change in changes if change is not None]


def _ids_as_text(model, account: Account):
    """The account's rows of `model` with their ids as the audit log names them (text)."""
    return (
        model.objects.filter(account=account)
        .order_by()
        .annotate(key=Cast("pk", output_field=CharField()))
    )


def _kind_of(records) -> Subquery:
    """The kind of the record the entry is about; NULL once the record is gone."""
    return Subquery(records.filter(key=OuterRef("object_id")).values("kind")[:1])


def _common(row: AuditEntry) -> dict:
    return {
        "at": row.at,
        "who": who_did(row),
        "comment": (row.after or {}).get("comment", ""),
    }


def who_did(row: AuditEntry) -> str:
    """The person as the rest of the page names them (their full name), the recorded
    username once the user is gone (words, not codes: DESIGN 12)."""
    if row.actor is not None:
        return str(row.actor)
    return row.actor_name or "somebody since removed"


def _account_change(row: AuditEntry) -> FactChange | None:
    before, after = row.before or {}, row.after or {}
    if RECONFIRMED in after:
        return FactChange(
            label=FIELD_LABELS["tam_sentiment"],
            old="",
            new=shown("tam_sentiment", after[RECONFIRMED]),
            reconfirmed=True,
            **_common(row),
        )
    field = next((name for name in after if name in FIELD_LABELS), None)
    if field is None:
        return None
    return FactChange(
        label=FIELD_LABELS[field],
        old=shown(field, before.get(field)),
        new=shown(field, after.get(field)),
        **_common(row),
    )


def _record_change(row: AuditEntry) -> FactChange | None:
    """A change of an initiative or opportunity; None once the record is gone."""
    if row.record_kind is None:
        return None
    after = row.after or {}
    if row.model == INITIATIVE:
        label = f"{INITIATIVE_KINDS.get(row.record_kind, row.record_kind)} initiative"
        describe = _initiative_values
    else:
        label = f"{OPPORTUNITY_KINDS.get(row.record_kind, row.record_kind)} opportunity"
        describe = _opportunity_values
    if row.action == AuditAction.CREATED:
        old, new = "none", describe({**after, "status": None})
    else:
        old, new = describe(row.before or {}), describe(after)
    return FactChange(label=label, old=old, new=new, **_common(row))


def _initiative_values(values: dict) -> str:
    parts = []
    if "tam_hours_per_week" in values:
        parts.append(f"{weekly_hours(values['tam_hours_per_week'])} TAM hours a week")
    if values.get("stage"):
        parts.append(f"stage {_REFERENCE_ID.sub('', str(values['stage']))}")
    if values.get("status"):
        parts.append(INITIATIVE_STATES.get(values["status"], values["status"]).lower())
    return ", ".join(parts) or "—"


def _opportunity_values(values: dict) -> str:
    parts = []
    if values.get("close_date"):
        parts.append(f"closing {values['close_date']}")
    if values.get("status"):
        parts.append(OPPORTUNITY_STATES.get(values["status"], values["status"]).lower())
    return ", ".join(parts) or "—"


def weekly_hours(value: object) -> str:
    """Hours as a person writes them: 3, 2.5, or "no" when none are given."""
    if value in (None, ""):
        return "no"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format(number.normalize(), "f")
