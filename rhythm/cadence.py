"""The rhythm rules every face reads (DESIGN 4, 6, 12 and 13): one home, pure.

The book (its "Next cadence call" column, its "Cadence call overdue" filter and its CSV),
the account page, the dashboard's burn-down lists, the workload and the touch points due
all ask this module, with the numbers of the one admin setting (`rhythm.RhythmSettings`,
read by `rhythm.selectors`), whether a cadence call is due, when, and whether a renewal is
in its window. The list pages ask the same question in SQL: `rhythm.selectors.CadenceRule`
builds its expressions from `RhythmRules.interval_table()` and `call_overdue_before()`
below, so the SQL and Python answers come from one table and one boundary.

The rules
---------
- Cadence interval (004 "Priority Definitions", DESIGN 4 and 6): Pr1 every 30 days
  ("monthly cadence call at least"), Pr2 every 60 days, Commercial Pr2 every 90
  ("quarterly"); a Commercial Pr1 is called monthly like any Pr1. Pr3, Pr4 and accounts
  without a priority have no cadence calls. The days are the admin's (`RhythmRules`).
- Entries dated in the future don't count: a call booked for next week has not been
  held. The last cadence call is the latest one dated on or before today (`last_held`).
- Next call due = last call + interval.
- **Decision** (the boundary): a call is overdue when none was held in the last
  `interval` days, counting today and the day `interval` days back. So with Pr1 every
  30 days, a call 29 days ago is due tomorrow, 30 days ago is due today and not overdue
  ("at least monthly": a call every 30 days keeps the account on time), 31 days ago is
  overdue by 1 day. This is what the dashboard's "without a cadence call in 30 days"
  has always meant; every face now reads it from here.
- **Decision** (never called): a Pr1 or Pr2 account with no cadence call held is overdue,
  with no due date and no count of days (it has been due since before the portal knew
  of it). It sorts ahead of every dated overdue call. The dashboard has always listed
  these accounts; the book and the touch points now agree. An account whose only call is
  dated in the future is never called.
- Cadence calls a year (the workload, DESIGN 6): 365 / interval (Pr1 365/30 = 12.17).
- Renewal window (002/003: the renewal survey goes out 110 days before renewal): a
  renewal is in its window from `renewal_window_days` before it up to the renewal day,
  both included; a renewal already passed is not (that cycle is over).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lib.dates import shift
from lib.rule_sets import RuleSet

DAYS_PER_YEAR = Decimal(365)
ZERO = Decimal(0)

# Which setting gives the cadence interval of each (priority, rule set); no entry, no
# cadence calls (Pr3, Pr4, no priority). The one table the Python and the SQL read.
INTERVAL_SETTING: dict[tuple[int, RuleSet], str] = {
    (1, RuleSet.US_ENTERPRISE): "pr1_cadence_days",
    (1, RuleSet.EMEA_ENTERPRISE): "pr1_cadence_days",
    (1, RuleSet.COMMERCIAL): "pr1_cadence_days",
    (2, RuleSet.US_ENTERPRISE): "pr2_cadence_days",
    (2, RuleSet.EMEA_ENTERPRISE): "pr2_cadence_days",
    (2, RuleSet.COMMERCIAL): "commercial_pr2_cadence_days",
}
CADENCE_PRIORITIES = tuple(sorted({priority for priority, _ in INTERVAL_SETTING}))

# How a title names a rule set whose interval differs from the others'.
RULE_SET_SHORT_NAMES = {
    RuleSet.US_ENTERPRISE: "US Enterprise",
    RuleSet.EMEA_ENTERPRISE: "EMEA Enterprise",
    RuleSet.COMMERCIAL: "Commercial",
}


@dataclass(frozen=True)
class RhythmRules:
    """The admin setting as plain numbers; the defaults are DESIGN's (module docstring)."""

    pr1_cadence_days: int = 30
    pr2_cadence_days: int = 60
    commercial_pr2_cadence_days: int = 90
    renewal_window_days: int = 110

    def interval_table(self) -> dict[tuple[int, RuleSet], int]:
        """Days between cadence calls for each (priority, rule set) that has them."""
        return {key: getattr(self, setting) for key, setting in INTERVAL_SETTING.items()}


def cadence_interval_days(
    rules: RhythmRules, priority: int | None, rule_set: RuleSet | str
) -> int | None:
    """Days between cadence calls; None: no cadence calls. An unknown rule set is an error
    (`RuleSet(value)` raises ValueError), never a silent default."""
    rule_set = RuleSet(rule_set)
    if priority is None:
        return None
    return rules.interval_table().get((priority, rule_set))


def last_held(days: Iterable[date | None], today: date) -> date | None:
    """The latest of `days` dated on or before `today`: an entry dated in the future has
    not happened yet, so it does not count."""
    held = [day for day in days if day is not None and day <= today]
    return max(held, default=None)


def call_overdue_before(today: date, interval_days: int) -> date:
    """A last call dated before this day is overdue: no call in the last `interval_days`
    days, today and the day `interval_days` back both counted (the boundary Decision)."""
    return shift(today, -interval_days)


def next_call_due(last_call: date, interval_days: int) -> date:
    return shift(last_call, interval_days)


@dataclass(frozen=True)
class CadenceStatus:
    """Where an account with cadence calls stands on `today`."""

    interval_days: int
    last_call: date | None  # the latest call held on or before today; None: never called
    due_on: date | None  # last call + interval; None: never called (overdue, no date)
    overdue: bool
    overdue_days: int | None  # days past `due_on`; None when on time or never called

    @property
    def never_called(self) -> bool:
        return self.last_call is None


def cadence_status(
    rules: RhythmRules,
    priority: int | None,
    rule_set: RuleSet | str,
    last_call: date | None,
    today: date,
) -> CadenceStatus | None:
    """The account's cadence on `today`; None when its priority has no cadence calls.

    `last_call` is the latest call held on or before today (`last_held`); one dated after
    today is a caller's mistake, refused rather than counted.
    """
    interval = cadence_interval_days(rules, priority, rule_set)
    if interval is None:
        return None
    if last_call is None:
        return CadenceStatus(interval, None, None, overdue=True, overdue_days=None)
    if last_call > today:
        raise ValueError(f"last call {last_call} is after {today}: only held calls count")
    due_on = next_call_due(last_call, interval)
    overdue = last_call < call_overdue_before(today, interval)
    return CadenceStatus(
        interval, last_call, due_on, overdue, (today - due_on).days if overdue else None
    )


def cadence_calls_per_year(
    rules: RhythmRules, priority: int | None, rule_set: RuleSet | str
) -> Decimal:
    """365 / the interval (Pr1 every 30 days: 12.17 calls a year); 0 without cadence."""
    interval = cadence_interval_days(rules, priority, rule_set)
    return DAYS_PER_YEAR / Decimal(interval) if interval else ZERO


def interval_summary(rules: RhythmRules, priority: int) -> str:
    """The priority's interval in words for a title: "60 days (Commercial 90)".

    The interval most rule sets share comes first (a tie: the first rule set's), then each
    rule set that differs, in the enum's order.
    """
    intervals = {
        rule_set: days for (p, rule_set), days in rules.interval_table().items() if p == priority
    }
    counts = Counter(intervals.values())
    common = max(intervals.values(), key=lambda days: (counts[days], -list(counts).index(days)))
    others = [
        f"{RULE_SET_SHORT_NAMES[rule_set]} {days}"
        for rule_set, days in intervals.items()
        if days != common
    ]
    return f"{common} days" + (f" ({', '.join(others)})" if others else "")


# --- the renewal window ---------------------------------------------------------------


def renewal_window_opens(rules: RhythmRules, renewal_date: date) -> date:
    """The first day of the renewal's window (renewal 2027-03-10, 110 days: 2026-11-20)."""
    return shift(renewal_date, -rules.renewal_window_days)


def last_renewal_in_window(rules: RhythmRules, today: date) -> date:
    """The latest renewal date whose window is open today (today + the window's days)."""
    return shift(today, rules.renewal_window_days)


def in_renewal_window(rules: RhythmRules, renewal_date: date | None, today: date) -> bool:
    """From `renewal_window_days` before the renewal up to the renewal day, both included."""
    if renewal_date is None:
        return False
    return today <= renewal_date <= last_renewal_in_window(rules, today)
