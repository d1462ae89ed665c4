"""The touch points a TAM owes (DESIGN section 6, last sentence, and 12): pure.

Cadence calls, EBRs and renewal touch points that are due or overdue, per TAM. The
cadence interval, "entries dated in the future don't count" and the renewal window are
`rhythm/cadence.py`'s, with the admin's numbers (`RhythmRules`), the same the book, the
account page and the dashboard read. `rhythm/services.py` reads the facts in bulk.

- Cadence call: due on the last call + the interval (`cadence.cadence_status`); overdue
  after that day. Never called (or only called in the future): overdue, with no due date;
  listed first.
- EBR: Pr1 and Pr2 (004: Pr1 "full TAM-led lifecycle", Pr2 "EBR"), held 6 months before
  renewal; overdue once that day has passed with no EBR since it.
- Renewal touch point: every account, due in the renewal window (`renewal_window_days`
  before renewal, 110 by default: 002/003's renewal survey) until a cadence call or an
  EBR is held in it. Due throughout the window, so never overdue before the renewal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from lib.dates import add_months, shift
from lib.rule_sets import RuleSet

from . import cadence
from .cadence import RhythmRules

EBR_MONTHS_BEFORE_RENEWAL = 6
EBR_PRIORITIES = (1, 2)  # 004: Pr1 "full TAM-led lifecycle", Pr2 "EBR"


@dataclass(frozen=True)
class TouchpointFacts:
    """One account as the touch points see it. The last call and EBR are the latest held
    on or before the day asked about (`cadence.last_held`)."""

    account_id: int
    name: str
    rule_set: RuleSet | str
    priority: int | None = None
    renewal_date: date | None = None
    last_cadence_call: date | None = None
    last_ebr: date | None = None


@dataclass(frozen=True)
class DueTouchpoint:
    account_id: int
    name: str
    priority: int | None
    due_on: date | None  # None: a cadence call never held (overdue, no date)
    overdue: bool
    last_on: date | None  # the touch that counted last (None: never)
    renewal_date: date | None = None


@dataclass(frozen=True)
class DueLists:
    cadence_calls: tuple[DueTouchpoint, ...] = ()
    ebrs: tuple[DueTouchpoint, ...] = ()
    renewals: tuple[DueTouchpoint, ...] = ()

    @property
    def count(self) -> int:
        return len(self.cadence_calls) + len(self.ebrs) + len(self.renewals)

    @property
    def overdue_count(self) -> int:
        lists = (self.cadence_calls, self.ebrs, self.renewals)
        return sum(item.overdue for items in lists for item in items)


def ebr_target(renewal_date: date) -> date:
    """The EBR is held 6 months before renewal (2027-02-28 -> 2026-08-28)."""
    return add_months(renewal_date, -EBR_MONTHS_BEFORE_RENEWAL)


def _cadence_due(
    facts: TouchpointFacts, rules: RhythmRules, as_of: date, horizon: date
) -> DueTouchpoint | None:
    status = cadence.cadence_status(
        rules, facts.priority, facts.rule_set, facts.last_cadence_call, as_of
    )
    if status is None or (status.due_on is not None and status.due_on > horizon):
        return None
    return DueTouchpoint(
        facts.account_id, facts.name, facts.priority, status.due_on, status.overdue,
        status.last_call,
    )  # fmt: skip


def _ebr_due(facts: TouchpointFacts, as_of: date, horizon: date) -> DueTouchpoint | None:
    """Pr1/Pr2 with an upcoming renewal: due 6 months before it, overdue once that day
    has passed with no EBR since it."""
    renewal = facts.renewal_date
    if facts.priority not in EBR_PRIORITIES or renewal is None or renewal < as_of:
        return None
    target = ebr_target(renewal)
    held = facts.last_ebr is not None and facts.last_ebr >= target
    if held or target > horizon:
        return None
    return DueTouchpoint(
        facts.account_id, facts.name, facts.priority, target, target < as_of,
        facts.last_ebr, renewal,
    )  # fmt: skip


def _renewal_due(
    facts: TouchpointFacts, rules: RhythmRules, as_of: date, horizon: date
) -> DueTouchpoint | None:
    """Due from the day the renewal window opens until a cadence call or an EBR is held
    in it; after the renewal, the cycle is over (the import brings the next date)."""
    renewal = facts.renewal_date
    if renewal is None or renewal < as_of:
        return None
    opens = cadence.renewal_window_opens(rules, renewal)
    last_touch = cadence.last_held((facts.last_cadence_call, facts.last_ebr), as_of)
    touched = last_touch is not None and last_touch >= opens
    if touched or opens > horizon:
        return None
    return DueTouchpoint(
        facts.account_id, facts.name, facts.priority, opens, False, last_touch, renewal
    )


def _by_due_date(items: Iterable[DueTouchpoint | None]) -> tuple[DueTouchpoint, ...]:
    """Soonest due first; never-called cadence calls (no due date) ahead of all."""
    found = [item for item in items if item is not None]
    return tuple(
        sorted(found, key=lambda item: (item.due_on or date.min, item.name, item.account_id))
    )


def touchpoints_due(
    accounts: Iterable[TouchpointFacts],
    as_of: date,
    within_days: int = 0,
    rules: RhythmRules | None = None,
) -> DueLists:
    """Cadence calls, EBRs and renewal touch points due by `as_of + within_days` (0: due
    or overdue today), each list sorted by due date.

    Renewal dates already passed are skipped for EBRs and renewal touch points: that
    cycle is over and the CRM import sets the next renewal date.
    """
    rules = rules or RhythmRules()
    accounts = list(accounts)
    horizon = shift(as_of, within_days)
    return DueLists(
        cadence_calls=_by_due_date(_cadence_due(a, rules, as_of, horizon) for a in accounts),
        ebrs=_by_due_date(_ebr_due(a, as_of, horizon) for a in accounts),
        renewals=_by_due_date(_renewal_due(a, rules, as_of, horizon) for a in accounts),
    )
