"""The rhythm rules for list pages, in SQL: the ORM twin of `rhythm/cadence.py`.

`cadence_rule()` reads the one admin setting (`RhythmSettings`, one query) and returns a
`CadenceRule` that answers in Python (`interval_days`, `status`: the pure functions) and
in SQL (`last_call_annotation`, `overdue_q`, `next_due_expression`, `renewal_window_q`).
The SQL is built from the same `RhythmRules.interval_table()` and the same boundary
(`cadence.call_overdue_before`), so a list filtered in SQL and a row rendered in Python
cannot disagree: tests/rhythm/test_cadence_parity.py builds the boundary cases and
compares every face.

The expressions expect an `Account` queryset (`priority`, `region__rule_set`,
`renewal_date`); the interval is a constant per (priority, rule set) branch, so no date
arithmetic on a column is needed to filter and the same SQL runs on SQLite and PostgreSQL.
Where a column is shifted (the next call due, the renewal window's first day) it goes
through `shifted_date`, which stops at the calendar's ends as `lib.dates.shift` does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast

from accounts.models import Activity, ActivityKind
from lib.dates import shift

from . import cadence
from .cadence import CadenceStatus, RhythmRules
from .models import RhythmSettings

LAST_CALL = "last_cadence_call"


def shifted_date(field: str, days: int) -> Case:
    """The date at `field` moved by `days`, in SQL, held at date.min / date.max like
    `lib.dates.shift`: SQLite adds dates in Python, where 0001-01-01 - 110 days overflows,
    and PostgreSQL would hand back a BC date Python cannot read. NULL stays NULL."""
    edge = date.max if days > 0 else date.min
    past_edge = {f"{field}__gt" if days > 0 else f"{field}__lt": shift(edge, -days)}
    return Case(
        When(Q(**past_edge), then=Value(edge)),
        default=Cast(F(field) + timedelta(days=days), DateField()),
        output_field=DateField(),
    )


def rhythm_rules() -> RhythmRules:
    """The admin's numbers (one query; the defaults when the row is missing)."""
    return RhythmSettings.current().as_rules()


def last_held_subquery(kind: str, today: date) -> Subquery:
    """The day of the account's latest activity of `kind` dated on or before `today`:
    entries dated in the future do not count (`cadence.last_held`). Served by the
    activity index (account, kind, occurred_on)."""
    return Subquery(
        Activity.objects.filter(account=OuterRef("pk"), kind=kind, occurred_on__lte=today)
        .order_by("-occurred_on")
        .values("occurred_on")[:1],
        output_field=DateField(),
    )


def held_since(kind: str, since, today: date) -> Exists:
    """Whether the account has an activity of `kind` dated from `since` (a date or an
    `OuterRef`) to `today`. "None held since the boundary" is "the latest held on or
    before today is missing or older", asked as one anti-join: PostgreSQL prices the
    correlated `last_held_subquery` in a filter over every account, an estimate high
    enough to JIT-compile the query (~500 ms of a 650 ms list at 100,000 accounts)."""
    return Exists(
        Activity.objects.filter(
            account=OuterRef("pk"), kind=kind, occurred_on__gte=since, occurred_on__lte=today
        )
    )


@dataclass(frozen=True)
class CadenceRule:
    rules: RhythmRules

    # --- Python: the pure functions with this setting ------------------------------------

    def interval_days(self, priority: int | None, rule_set: str) -> int | None:
        return cadence.cadence_interval_days(self.rules, priority, rule_set)

    def status(
        self, priority: int | None, rule_set: str, last_call: date | None, today: date
    ) -> CadenceStatus | None:
        return cadence.cadence_status(self.rules, priority, rule_set, last_call, today)

    def title(self, priority: int) -> str:
        """The burn-down list's title: "Pr2 without a cadence call in 60 days (Commercial 90)"."""
        return (
            f"Pr{priority} without a cadence call in "
            f"{cadence.interval_summary(self.rules, priority)}"
        )

    # --- SQL: the same table, grouped by interval -------------------------------------

    def _branches(self, priority: int | None = None) -> list[tuple[Q, int]]:
        """(accounts of this priority and these rule sets, their interval) for each
        distinct interval; only `priority`'s when given."""
        rule_sets: dict[tuple[int, int], list[str]] = defaultdict(list)
        for (each, rule_set), days in self.rules.interval_table().items():
            if priority is None or each == priority:
                rule_sets[(each, days)].append(rule_set.value)
        return [
            (Q(priority=each, region__rule_set__in=names), days)
            for (each, days), names in rule_sets.items()
        ]

    def has_cadence_q(self, priority: int | None = None) -> Q:
        """Accounts with cadence calls (of `priority`, when given)."""
        found = Q(pk__in=[])
        for applies, _ in self._branches(priority):
            found |= applies
        return found

    def last_call_annotation(self, today: date) -> Subquery:
        """Annotate as `last_cadence_call`: the latest call held on or before today."""
        return last_held_subquery(ActivityKind.CADENCE_CALL, today)

    def overdue_q(self, today: date, priority: int | None = None, last_call: str = LAST_CALL) -> Q:
        """Overdue on `today` (of `priority`, when given): never called, or the last call
        before `cadence.call_overdue_before(today, interval)`. Needs `last_call` annotated."""
        found = Q(pk__in=[])
        for applies, days in self._branches(priority):
            late = Q(**{f"{last_call}__isnull": True}) | Q(
                **{f"{last_call}__lt": cadence.call_overdue_before(today, days)}
            )
            found |= applies & late
        return found

    def overdue_accounts(self, accounts: QuerySet, today: date, priority: int) -> QuerySet:
        """The `priority` accounts of `accounts` overdue on `today`, as `overdue_q` decides,
        without the latest call: their rule set's boundary (`cadence.call_overdue_before`)
        annotated as `call_overdue_before`, and no call held from it to today."""
        boundaries = [
            When(applies, then=Value(cadence.call_overdue_before(today, days)))
            for applies, days in self._branches(priority)
        ]
        return (
            accounts.filter(self.has_cadence_q(priority))
            .annotate(call_overdue_before=Case(*boundaries, output_field=DateField()))
            .exclude(held_since(ActivityKind.CADENCE_CALL, OuterRef("call_overdue_before"), today))
        )

    def next_due_expression(self, last_call: str = LAST_CALL) -> Case:
        """Last call + the interval (`cadence.next_call_due`); NULL when never called or
        without cadence calls. For sorting: the rows show `status()`."""
        whens = [
            When(applies, then=shifted_date(last_call, days)) for applies, days in self._branches()
        ]
        return Case(*whens, default=None, output_field=DateField())

    def never_called_first(self, last_call: str = LAST_CALL) -> Case:
        """0 never called (overdue with no date: the most urgent), 1 called, NULL without
        cadence calls: sort by this, then by the next call due."""
        has_cadence = self.has_cadence_q()
        return Case(
            When(has_cadence & Q(**{f"{last_call}__isnull": True}), then=Value(0)),
            When(has_cadence, then=Value(1)),
            default=None,
            output_field=IntegerField(),
        )

    # --- the renewal window ---------------------------------------------------------------

    def renewal_window_q(self, today: date, renewal_date: str = "renewal_date") -> Q:
        """Renewals whose window is open today (`cadence.in_renewal_window`)."""
        return Q(
            **{
                f"{renewal_date}__gte": today,
                f"{renewal_date}__lte": cadence.last_renewal_in_window(self.rules, today),
            }
        )

    def renewal_window_opened(self, renewal_date: str) -> Case:
        """The window's first day for the renewal date at `renewal_date` (a field path),
        as `cadence.renewal_window_opens` computes it."""
        return shifted_date(renewal_date, -self.rules.renewal_window_days)


def cadence_rule() -> CadenceRule:
    """The rule with the admin's current numbers (one query)."""
    return CadenceRule(rhythm_rules())
