"""The priority facts a TAM keeps on the account page (DESIGN 12, issue 12 point 2).

The facts the priority models read that are judgements, not data from another system:
at risk, critical project, key logo, channel partner, organisational change, the wish for
weekly engagement, a TAM handover, and the TAM's sentiment. The account's TAM, the
manager of their team and admins set them (exactly who sees the account:
`Account.objects.visible_to`), each change with a comment.

A change is recorded in the audit log (`core.audit.record`, via `VIA`) with the old and
new value and the comment; the account page reads it back on the timeline
(`accounts.fact_timeline`), so no new table is needed. The account is announced
(`rule_inputs_changed`): a person's edit is recomputed as soon as it commits, so the page
they land on shows the new priority.

Setting a fact to what the account already says is refused, except the TAM sentiment:
it goes stale 90 days after it was given (DESIGN 11), so giving the same colour again
re-confirms it: a new date and its own timeline line (`RECONFIRMED`). The initiatives
and opportunities the TAM keeps are `accounts.fact_records`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit
from core.changes import rule_inputs_changed
from lib.text_bounds import COMMENT_MAX_LENGTH, too_long
from people.models import User

from .models import Account, Health

VIA = "account page: priority fact"
SENTIMENT = "tam-sentiment"
# The audit entry's key for a sentiment given again unchanged: the colour re-confirmed
# (an unchanged `tam_sentiment` would be left out of the entry, as every unchanged field is).
RECONFIRMED = "reconfirmed"


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
        Fact(
            SENTIMENT,
            "tam_sentiment",
            "TAM sentiment",
            "Your judgement of the account's health. It goes stale after 90 days: choose "
            "the same colour again to re-confirm it.",
        ),
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
    if field == "tam_sentiment":
        return SENTIMENT_LABELS.get(value, "not given") if value else "not given"
    return "yes" if value else "no"


def current_facts(account: Account) -> list[tuple[Fact, object, str]]:
    return [
        (fact, getattr(account, fact.field), shown(fact.field, getattr(account, fact.field)))
        for fact in FACTS.values()
    ]


def checked_comment(comment: str | None) -> str:
    """The comment every kept fact needs, stripped; ValidationError at `comment`."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say why the fact changes."})
    if problem := too_long(comment, COMMENT_MAX_LENGTH):
        raise ValidationError({"comment": problem})
    return comment


def check_visible(account: Account, user: User) -> None:
    if not Account.objects.visible_to(user).filter(pk=account.pk).exists():
        raise PermissionDenied("This account is not in your book.")


def set_fact(*, account: Account, user: User, fact: str, value: object, comment: str) -> None:
    """Set one fact with the comment that explains it; ValidationError names the field."""
    if fact not in FACTS:
        raise ValidationError({"value": "No such priority fact."})
    check_visible(account, user)
    comment = checked_comment(comment)
    field = FACTS[fact].field
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        marker: tuple[dict, dict] = ({}, {})
        if getattr(locked, field) != value:
            changes = {field: value}
            if field == "tam_sentiment":
                # The sentiment goes stale after 90 days (DESIGN 11): it was given today.
                changes["tam_sentiment_on"] = timezone.localdate() if value else None
        elif field == "tam_sentiment" and value:
            changes = {"tam_sentiment_on": timezone.localdate()}
            marker = ({RECONFIRMED: ""}, {RECONFIRMED: value})
        else:
            raise ValidationError({"value": "Nothing changes: the account already says so."})
        before = {name: audit.plain(getattr(locked, name)) for name in changes}
        for name, new in changes.items():
            setattr(locked, name, new)
        locked.save(update_fields=[*changes, "updated_at"])
        audit.record(
            obj=locked,
            before={**before, **marker[0], "comment": ""},
            after={
                **{name: audit.plain(new) for name, new in changes.items()},
                **marker[1],
                "comment": comment,
            },
            actor=user,
            via=VIA,
        )
        rule_inputs_changed([locked.pk])
