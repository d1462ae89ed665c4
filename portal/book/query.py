"""The book's queryset: the user's scope with every column the table shows, and the
onboarding-clock targets read once for the whole book."""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, Subquery

from accounts.models import Account, ActivityKind, UsageSnapshot
from rhythm.cadence import CadenceStatus
from rhythm.selectors import CadenceRule, last_held_subquery


def book_queryset(user, today: date, cadence: CadenceRule):
    """The user's scope with every column the book shows, in the default order (name).

    `last_cadence_call` and `last_ebr` are the latest held on or before today (entries
    dated in the future do not count); `next_call_due` is there to sort by (the cells
    render `cadence_of`); `usage_data_on` is the day of the latest usage snapshot, read
    through the (account, taken_on) unique index, so the page costs no extra query."""
    return (
        Account.objects.visible_to(user)
        .select_related("region", "segment", "segment_override", "tam")
        .annotate(
            last_cadence_call=cadence.last_call_annotation(today),
            last_ebr=last_held_subquery(ActivityKind.EBR, today),
            usage_data_on=latest_usage_subquery(),
        )
        .annotate(next_call_due=cadence.next_due_expression())
        .order_by("name", "pk")
    )


def latest_usage_subquery() -> Subquery:
    """The day of the account's latest usage snapshot (None without any)."""
    latest = UsageSnapshot.objects.filter(account=OuterRef("pk")).order_by("-taken_on")
    return Subquery(latest.values("taken_on")[:1])


def cadence_of(account: Account, cadence: CadenceRule, today: date) -> CadenceStatus | None:
    """The row's cadence (rhythm/cadence.py); None when its priority has no cadence calls."""
    return cadence.status(
        account.priority, account.region.rule_set, account.last_cadence_call, today
    )
