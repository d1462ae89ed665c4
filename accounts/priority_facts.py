"""The priority facts a TAM keeps on the account page (DESIGN 12, issue 12 point 2).

The facts the priority models read that are judgements, not data from another system:
at risk, critical project, key logo, channel partner, organisational change, the wish for
weekly engagement, a TAM handover, and the TAM's sentiment. The account's TAM, the
manager of their team and admins set them (exactly who sees the account:
`Account.objects.visible_to`), each change with a comment.

A change is recorded in the audit log (`core.audit.record`, via `VIA`) with the old and
new value and the comment; the account page reads it back on the timeline, so no new
table is needed. The account is announced (`rule_inputs_changed`): a person's edit is
recomputed as soon as it commits, so the page they land on shows the new priority.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit
from core.changes import rule_inputs_changed
from core.models import AuditEntry
from people.models import User

from .models import Account, Health

VIA = "account page: priority fact"
COMMENT_MAX_LENGTH = 2000
SENTIMENT = "tam-sentiment"


@dataclass(frozen=True)
class Fact:
    slug: str
    field: str
    label: str
    help_text: str


FACTS = {
    fact.slug: fact
    for fact in (
        Fact("at-risk", "at_risk", "At risk", "Of contraction or churn."),
        Fact(SENTIMENT, "health", "TAM sentiment", "Your judgement of the account's health."),
        Fact("critical-project", "critical_project", "Critical project", ""),
        Fact("key-logo", "key_logo", "Key logo or case study", ""),
        Fact("channel-partner", "channel_engaged", "Channel partner engaged", ""),
        Fact("org-change", "org_change", "Organisational change", ""),
        Fact("weekly-engagement", "weekly_engagement", "Wishes weekly engagement", ""),
        Fact("tam-handover", "tam_handover", "TAM handover", ""),
    )
}
FIELD_LABELS = {fact.field: fact.label for fact in FACTS.values()}
SENTIMENT_LABELS = dict(Health.choices)


def shown(field: str, value: object) -> str:
    """A fact's value as a person reads it."""
    if field == "health":
        return SENTIMENT_LABELS.get(value, "not given") if value else "not given"
    return "yes" if value else "no"


def current_facts(account: Account) -> list[tuple[Fact, object, str]]:
    return [
        (fact, getattr(account, fact.field), shown(fact.field, getattr(account, fact.field)))
        for fact in FACTS.values()
    ]


def set_fact(*, account: Account, user: User, fact: str, value: object, comment: str) -> None:
    """Set one fact with the comment that explains it; ValidationError names the field."""
    if fact not in FACTS:
        raise ValidationError({"value": "No such priority fact."})
    if not Account.objects.visible_to(user).filter(pk=account.pk).exists():
        raise PermissionDenied("This account is not in your book.")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say why the fact changes."})
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"comment": f"At most {COMMENT_MAX_LENGTH:,} characters (it has {len(comment):,})."}
        )
    field = FACTS[fact].field
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if getattr(locked, field) == value:
            raise ValidationError({"value": "Nothing changes: the account already says so."})
        changes = {field: value}
        if field == "health":
            # The sentiment goes stale after 90 days (DESIGN 11): it was given today.
            changes["tam_sentiment_on"] = timezone.localdate() if value else None
        before = {name: audit.plain(getattr(locked, name)) for name in changes}
        for name, new in changes.items():
            setattr(locked, name, new)
        locked.save(update_fields=[*changes, "updated_at"])
        audit.record(
            obj=locked,
            before={**before, "comment": ""},
            after={**{name: audit.plain(new) for name, new in changes.items()}, "comment": comment},
            actor=user,
            via=VIA,
        )
        rule_inputs_changed([locked.pk])


@dataclass(frozen=True)
class FactChange:
    at: object
    who: str
    label: str
    old: str
    new: str
    comment: str


def fact_changes(account: Account, limit: int = 20) -> list[FactChange]:
    """The latest changes of the account's priority facts, newest first (one query)."""
    rows = AuditEntry.objects.filter(
        model="accounts.account", object_id=str(account.pk), via=VIA
    ).order_by("-at", "-id")[:limit]
    changes = []
    for row in rows:
        before, after = row.before or {}, row.after or {}
        field = next((name for name in after if name in FIELD_LABELS), None)
        if field is None:
            continue
        changes.append(
            FactChange(
                at=row.at,
                who=row.actor_name or "somebody since removed",
                label=FIELD_LABELS[field],
                old=shown(field, before.get(field)),
                new=shown(field, after.get(field)),
                comment=after.get("comment", ""),
            )
        )
    return changes
