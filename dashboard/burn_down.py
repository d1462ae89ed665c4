"""The dashboard's burn-down lists: each list's size and its first few accounts, for a
scope's accounts (`health_triage.dashboard_burn_down_lists`: `metrics.burndown`'s nine
and red without a triage case), in four queries however many lists or accounts: the two
settings the lists read, one union of every list's first ids, and those accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber

from accounts.models import Account
from people.models import User

from .health_triage import dashboard_burn_down_lists

BURN_DOWN_SHOWN = 5


@dataclass
class BurnDownSummary:
    key: str
    title: str
    count: int
    first: list[Account]
    # On a TAM's view `first` is their own accounts only; the rest are counted.
    own_count: int | None = None

    @property
    def others_count(self) -> int:
        return self.count - (self.own_count or 0)


def burn_down_summary(
    accounts: QuerySet, today: date, own_tam: User | None = None
) -> list[BurnDownSummary]:
    """Each list's size and first accounts in two queries however many lists there are:
    one UNION ALL of every list's first ids, where a window counts the whole list (a
    separate COUNT would build the list a second time), then those few accounts.

    The first accounts are those the row number places first, not a LIMIT: with a LIMIT,
    PostgreSQL walks the whole name index to feed the count (the list's own filters
    cannot use it), 250-300 ms a list at 100,000 accounts where the row number lets it
    read the scope's few rows and sort them (15 ms; `bench/run load`). Each list is asked
    for ids only: compiling the windowed query with the accounts' joined columns cost
    50 ms of Python for the ten lists, a query each (issue 14).

    With `own_tam` (a TAM's read-only team view) the first accounts are that TAM's own,
    sorted ahead of their teammates', and a second window counts them; the teammates'
    accounts are only counted, since the TAM may not open them."""
    lists = dashboard_burn_down_lists(accounts, today)
    parts = [_first_ids(index, item.accounts, own_tam) for index, item in enumerate(lists)]
    rows = list(parts[0].union(*parts[1:], all=True)) if parts else []
    shown = Account.objects.select_related("tam").in_bulk({row["pk"] for row in rows})
    found: dict[int, list[dict]] = {index: [] for index in range(len(lists))}
    for row in sorted(rows, key=lambda row: (row["list_index"], row["place"])):
        found[row["list_index"]].append(row)
    summaries = []
    for index, item in enumerate(lists):
        first = found[index]
        size = first[0]["list_size"] if first else 0
        named = [shown[row["pk"]] for row in first]
        if own_tam is None:
            summaries.append(BurnDownSummary(item.key, item.title, size, named))
            continue
        own = [account for account in named if account.tam_id == own_tam.pk]
        own_size = first[0]["own_size"] if first else 0
        summaries.append(BurnDownSummary(item.key, item.title, size, own, own_size))
    return summaries


def _first_ids(index: int, accounts: QuerySet, own_tam: User | None) -> QuerySet:
    """The list's first `BURN_DOWN_SHOWN` ids by name, with the list's size (and the
    TAM's own count) on each: one part of `burn_down_summary`'s union."""
    order = [F("name").asc(), F("pk").asc()]
    own_size = Value(0, output_field=IntegerField())
    if own_tam is not None:
        is_own = Q(tam_id=own_tam.pk)
        order.insert(0, Case(When(is_own, then=Value(0)), default=Value(1)).asc())
        own_size = Window(Count("pk", filter=is_own))
    return (
        accounts.order_by()
        .annotate(
            list_index=Value(index, output_field=IntegerField()),
            list_size=Window(Count("pk")),
            own_size=own_size,
            place=Window(RowNumber(), order_by=order),
        )
        .filter(place__lte=BURN_DOWN_SHOWN)
        .values("list_index", "pk", "place", "list_size", "own_size")
    )
