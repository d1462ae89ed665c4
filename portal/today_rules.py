"""What a TAM has to do this week (DESIGN 12, "Today"), most urgent first: pure.

The items come from the rules the rest of the portal already reads, so Today cannot
disagree with the book, the account page or the dashboard:

- cadence calls, EBRs and renewal touch points (the renewal survey, 110 days before
  renewal) due or overdue: `rhythm/touchpoints.py` over the admin's `RhythmRules`;
- onboarding clocks running late or due to run out this week: `metrics/clocks.py`;
- accounts red without an open triage case (due today: open one) and triage updates due
  (the open case's next update, this week or overdue): DESIGN 11's register;
- renewals in the next 90 days: a list of their own under the week's work, by date (a
  renewal months away is not this week's work, but it is the TAM's horizon);
- accounts whose priority or health band changed in the last 7 days (today - 7 to today,
  both included): a list of their own, newest first, as it asks for reading, not work.
  A band change is a history row whose band differs from the row before it; an
  account's first row (its health computed for the first time) is no change (Decision),
  and where the week holds several, the latest is the one said.

The week (Decision): today and the 7 days after it, both ends included, so an item due
exactly 7 days ahead is this week's and one due 8 days ahead is not. "Due in 7 days"
(DESIGN 12) read as "by a week today".

The ranking (Decision): overdue first, the longest overdue first (a cadence call never
held has no due date and has been due longest: it leads); then the rest by due date. So
an item overdue by 1 day comes before one due today. Ties: the kind (`KIND_ORDER`), then
the account's name and id, so the order is stable.

A renewal touch point (Decision) is open from the day its window opens (110 days before
the renewal, or later this week) until the renewal, and never overdue before it. Its due
date is the renewal, the deadline the TAM acts on: the page says "by <renewal> (window
open since <day>)", and it ranks among the items not overdue by how close the renewal is
(renewing tomorrow ranks with tomorrow's work, in 100 days after this week's). The day
the window opened used to be shown and ranked instead, which read as a deadline long
missed on an account renewing tomorrow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from lib.dates import shift
from lib.rule_sets import RuleSet
from metrics.clocks import onboarding_clocks
from rhythm.cadence import RhythmRules
from rhythm.touchpoints import DueTouchpoint, TouchpointFacts, touchpoints_due

WEEK_DAYS = 7
RENEWAL_HORIZON_DAYS = 90

CADENCE_CALL = "cadence_call"
EBR = "ebr"
RENEWAL_TOUCHPOINT = "renewal_touchpoint"
ONBOARDING_CLOCK = "onboarding_clock"
RED_WITHOUT_CASE = "red_without_case"
TRIAGE_UPDATE = "triage_update"
# On the same day, an account at risk comes before the routine touch points.
KIND_ORDER = {
    RED_WITHOUT_CASE: 0,
    TRIAGE_UPDATE: 1,
    CADENCE_CALL: 2,
    EBR: 3,
    ONBOARDING_CLOCK: 4,
    RENEWAL_TOUCHPOINT: 5,
}
KIND_LABELS = {
    CADENCE_CALL: "Cadence call",
    EBR: "EBR",
    ONBOARDING_CLOCK: "Onboarding clock",
    RENEWAL_TOUCHPOINT: "Renewal touch point",
    RED_WITHOUT_CASE: "Red without a triage case",
    TRIAGE_UPDATE: "Triage update",
}
# The items acted on in the account page's triage section rather than its top.
TRIAGE_KINDS = frozenset({RED_WITHOUT_CASE, TRIAGE_UPDATE})


@dataclass(frozen=True)
class TodayAccount:
    """One account as Today sees it. The last call and EBR are the latest held on or
    before today; `clock_targets` maps the clock metric keys to target days."""

    account_id: int
    name: str
    rule_set: RuleSet | str
    tam_id: int | None = None
    tam_name: str = ""
    priority: int | None = None
    renewal_date: date | None = None
    last_cadence_call: date | None = None
    last_ebr: date | None = None
    customer_since: date | None = None
    first_engaged_on: date | None = None
    first_value_on: date | None = None
    onboarded_on: date | None = None
    clock_targets: Mapping[str, int | None] = field(default_factory=dict)
    # The computed health (blank band: unknown) and the triage register.
    health: str = ""
    health_score: int | None = None
    has_open_case: bool = False
    # Red, no open case, not churned: read by `triage.selectors.red_without_case`.
    needs_triage_case: bool = False
    triage_update_due: date | None = None  # the open case's next update
    # Written by the recompute when the priority changes; None previous: it had none.
    previous_priority: int | None = None
    priority_changed_on: date | None = None


@dataclass(frozen=True)
class BandRow:
    """A health history row (an account's score or band changed that day) with the band
    of the row before it; `previous_band` None: no row before (the first computed)."""

    account_id: int
    on: date
    band: str
    score: int | None
    previous_band: str | None


@dataclass(frozen=True)
class TodayItem:
    account_id: int
    account_name: str
    tam_id: int | None
    tam_name: str
    kind: str
    why: str  # a sentence: what is due and what makes it due
    due_on: date | None  # None: a cadence call never held (overdue since always)
    overdue_days: int | None  # None: not overdue, or never called
    # A renewal touch point's window: the day it opens (due_on is the renewal) and
    # whether it has opened by today (else it opens later this week).
    window_opens_on: date | None = None
    window_open: bool = False

    @property
    def overdue(self) -> bool:
        return self.overdue_days is not None or self.due_on is None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def about_triage(self) -> bool:
        return self.kind in TRIAGE_KINDS


@dataclass(frozen=True)
class Change:
    """An account's priority or health band that changed in the last 7 days."""

    account_id: int
    account_name: str
    tam_id: int | None
    tam_name: str
    on: date
    what: str  # "Priority changed from Pr3 to Pr1"


@dataclass(frozen=True)
class Renewal:
    account_id: int
    account_name: str
    tam_id: int | None
    tam_name: str
    renewal_date: date
    days_left: int


@dataclass(frozen=True)
class TodayPlan:
    items: tuple[TodayItem, ...]
    renewals: tuple[Renewal, ...]
    week_ends: date
    changes: tuple[Change, ...] = ()

    @property
    def overdue_count(self) -> int:
        return sum(item.overdue for item in self.items)


def week_end(today: date) -> date:
    """The last day of this week's work: today + 7, included."""
    return shift(today, WEEK_DAYS)


def rank_key(item: TodayItem, today: date) -> tuple:
    """Overdue first, longest overdue first; then by due date (the module's Decision)."""
    due = item.due_on or date.min
    return (not item.overdue, due, KIND_ORDER[item.kind], item.account_name, item.account_id)


def ranked(items: Iterable[TodayItem], today: date) -> tuple[TodayItem, ...]:
    return tuple(sorted(items, key=lambda item: rank_key(item, today)))


def _fmt(day: date) -> str:
    return day.isoformat()


def _when(due_on: date, today: date) -> str:
    days = (due_on - today).days
    if days < 0:
        return f"overdue by {-days} day{'s' if -days != 1 else ''}"
    if days == 0:
        return "due today"
    return f"due in {days} day{'s' if days != 1 else ''}"


def _item(account: TodayAccount, kind: str, why: str, due_on: date | None, today: date):
    overdue_days = (today - due_on).days if due_on is not None and due_on < today else None
    return TodayItem(
        account.account_id, account.name, account.tam_id, account.tam_name, kind, why,
        due_on, overdue_days,
    )  # fmt: skip


def _cadence_item(account: TodayAccount, due: DueTouchpoint, today: date) -> TodayItem:
    if due.due_on is None:
        why = f"Pr{account.priority} cadence call overdue: no call held yet"
    else:
        why = (
            f"Pr{account.priority} cadence call {_when(due.due_on, today)} "
            f"(last call {_fmt(due.last_on)})"
        )
    return _item(account, CADENCE_CALL, why, due.due_on, today)


def _ebr_item(account: TodayAccount, due: DueTouchpoint, today: date) -> TodayItem:
    why = (
        f"EBR {_when(due.due_on, today)}: held 6 months before the renewal on "
        f"{_fmt(due.renewal_date)}"
    )
    return _item(account, EBR, why, due.due_on, today)


def _renewal_item(account: TodayAccount, due: DueTouchpoint, today: date) -> TodayItem:
    opened = due.due_on <= today
    since = "since the window opened" if opened else "yet"
    why = (
        f"Renewal touch point and renewal survey before the renewal on "
        f"{_fmt(due.renewal_date)} ({_when(due.renewal_date, today)}): no call or EBR {since}"
    )
    # Due by the renewal, never overdue before it: ranked at the renewal (the Decision).
    return TodayItem(
        account.account_id, account.name, account.tam_id, account.tam_name,
        RENEWAL_TOUCHPOINT, why, due.renewal_date, None, due.due_on, opened,
    )  # fmt: skip


def _clock_item(account: TodayAccount, today: date, horizon: date) -> TodayItem | None:
    """The account's running onboarding clock that runs out soonest, if it is late or
    runs out this week; one item per account (the clocks share their start). Once the
    account is onboarded (on or before today) its onboarding asks no more work, whatever
    milestone was never recorded (Decision)."""
    if account.onboarded_on is not None and account.onboarded_on <= today:
        return None
    clocks = onboarding_clocks(
        customer_since=account.customer_since,
        milestones={
            "first_engage": account.first_engaged_on,
            "first_value": account.first_value_on,
            "onboard": account.onboarded_on,
        },
        targets=dict(account.clock_targets),
        today=today,
    )
    due = [c for c in clocks if c.running and c.due_on is not None and c.due_on <= horizon]
    if not due:
        return None
    clock = min(due, key=lambda c: c.due_on)
    why = (
        f"Onboarding clock \u201c{clock.label}\u201d {_when(clock.due_on, today)}: "
        f"{clock.target_days}-day target from customer-since {_fmt(clock.started_on)}"
    )
    return _item(account, ONBOARDING_CLOCK, why, clock.due_on, today)


def _red_item(account: TodayAccount, today: date) -> TodayItem | None:
    """A red account with no open case: open one today (DESIGN 11)."""
    if not account.needs_triage_case:
        return None
    score = "" if account.health_score is None else f" (score {account.health_score})"
    why = f"Health red{score} and no open triage case: open one or say why not"
    return _item(account, RED_WITHOUT_CASE, why, today, today)


def _triage_item(account: TodayAccount, today: date, horizon: date) -> TodayItem | None:
    """The open case's next update, when it falls this week or has passed."""
    due_on = account.triage_update_due
    if not account.has_open_case or due_on is None or due_on > horizon:
        return None
    why = f"Triage update {_when(due_on, today)} on the open risk case"
    return _item(account, TRIAGE_UPDATE, why, due_on, today)


def _band_word(band: str) -> str:
    return band or "unknown"


def recent_changes(
    accounts: Iterable[TodayAccount], band_rows: Iterable[BandRow], today: date
) -> tuple[Change, ...]:
    """Priorities and health bands changed from today - 7 to today, newest first."""
    since = shift(today, -WEEK_DAYS)
    by_id = {account.account_id: account for account in accounts}
    changes = []
    for account in by_id.values():
        changed_on = account.priority_changed_on
        if changed_on is None or not since <= changed_on <= today:
            continue
        if account.previous_priority == account.priority:
            continue
        before = f"Pr{account.previous_priority}" if account.previous_priority else "none"
        after = f"Pr{account.priority}" if account.priority else "none"
        changes.append((account, changed_on, f"Priority changed from {before} to {after}"))
    latest: dict[int, BandRow] = {}
    for row in band_rows:
        moved = row.previous_band is not None and row.previous_band != row.band
        if not moved or row.account_id not in by_id or not since <= row.on <= today:
            continue
        if row.account_id not in latest or row.on > latest[row.account_id].on:
            latest[row.account_id] = row
    for row in latest.values():
        score = "" if row.score is None else f" (score {row.score})"
        what = (
            f"Health band changed from {_band_word(row.previous_band)} to "
            f"{_band_word(row.band)}{score}"
        )
        changes.append((by_id[row.account_id], row.on, what))
    changes.sort(key=lambda c: (-c[1].toordinal(), c[0].name, c[0].account_id, c[2]))
    return tuple(
        Change(account.account_id, account.name, account.tam_id, account.tam_name, on, what)
        for account, on, what in changes
    )


def today_plan(
    accounts: Iterable[TodayAccount],
    today: date,
    rules: RhythmRules | None = None,
    band_rows: Iterable[BandRow] = (),
) -> TodayPlan:
    """The week's work, most urgent first, the renewals of the next 90 days and the
    priority and band changes of the last 7."""
    rules = rules or RhythmRules()
    accounts = list(accounts)
    by_id = {account.account_id: account for account in accounts}
    horizon = week_end(today)
    due = touchpoints_due(
        (
            TouchpointFacts(
                a.account_id,
                a.name,
                a.rule_set,
                a.priority,
                a.renewal_date,
                a.last_cadence_call,
                a.last_ebr,
            )
            for a in accounts
        ),
        today,
        WEEK_DAYS,
        rules,
    )
    items = [_cadence_item(by_id[d.account_id], d, today) for d in due.cadence_calls]
    items += [_ebr_item(by_id[d.account_id], d, today) for d in due.ebrs]
    items += [_renewal_item(by_id[d.account_id], d, today) for d in due.renewals]
    items += [item for a in accounts if (item := _clock_item(a, today, horizon)) is not None]
    items += [item for a in accounts if (item := _red_item(a, today)) is not None]
    items += [item for a in accounts if (item := _triage_item(a, today, horizon)) is not None]
    last_renewal = shift(today, RENEWAL_HORIZON_DAYS)
    renewals = sorted(
        (
            Renewal(
                a.account_id,
                a.name,
                a.tam_id,
                a.tam_name,
                a.renewal_date,
                (a.renewal_date - today).days,
            )
            for a in accounts
            if a.renewal_date is not None and today <= a.renewal_date <= last_renewal
        ),
        key=lambda r: (r.renewal_date, r.account_name, r.account_id),
    )
    changes = recent_changes(accounts, band_rows, today)
    return TodayPlan(ranked(items, today), tuple(renewals), horizon, changes)
