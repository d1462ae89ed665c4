"""A TAM's expected hours a week and the touch points they owe (DESIGN section 6): pure.

Plain dataclasses in, plain results out; no Django import, directly or indirectly (only
the standard library and `lib`), so the rules run in milliseconds without a database
(tests/test_rules_are_pure.py). `rhythm/services.py` reads the book and the table in bulk
and calls `expected_weekly_hours()` and `touchpoints_due()`.

The task table
--------------
Pages 002 (Named) and 003 (Mid-Touch) give the rhythm-of-business table: 13 tasks with
their typical hours per week / month / quarter / year, 31.25 hours a week in total, and
56 days of PTO a year. It is seeded per segment (`rhythm.RhythmTask`) and each row has a
driver:

- `fixed` rows (account planning, webinars & workshops, ad-hoc requests, outreach,
  Gainsight, special projects, professional development, internal meetings, release
  posts) do not grow with the book: they count at the table's weekly hours, as given.
- book-driven rows (`cadence_calls`, `onboarding`, `ebrs`, `renewals`) are computed from
  the TAM's actual accounts with the formulas below and REPLACE the table's typical value
  for that row: "8 hours of cadence calls a week" describes a typical book, not this
  TAM's. The table's value stays on the row (`table_hours_per_week`) for comparison.

The table is the authority on which tasks exist: a driver with no row in the table adds
no hours (an admin removed the task from the segment), and when two rows share a driver
the computed hours go on the first and the others count 0, so nothing is counted twice.

Formulas (DESIGN section 6), per account
----------------------------------------
- Cadence calls: 1 hour per call (002/003: "1 hour per customer (30 minutes for the call,
  30 minutes for prep & follow up)"). Calls a year by priority (004 "Priority
  Definitions", DESIGN 4 and 6): Pr1 monthly = 12; Pr2 every 60 days = 365/60 (about
  6.08); Commercial Pr2 quarterly = 4 (004 Commercial Pr2: "Quarterly or semi-annual
  meetings", the more frequent of the two); Commercial Pr1 is monthly like any Pr1 (004
  Commercial Pr1: "Monthly status/consulting calls"); Pr3, Pr4 and no priority: none.
- EBRs: 4 hours each (002/003: "4 hours for each (1 hour for call, 3 hours prep)"), for
  Pr1 accounts only, `ebrs_per_pr1_year` a year (004 Commercial Pr1: "1-2 per year";
  default 1.5, the middle). Pr2 EBRs are at the TAM's discretion (004), so they add no
  expected hours; they still show in the due list (`touchpoints_due`).
- Onboarding: 1 hour a week per customer whose onboarding is open, customer-since set
  and onboarded date empty (002/003: "1 hour per week per customer"). Already weekly. An
  onboarding customer is also Pr1 (004), so it carries Pr1 calls and EBRs as well: the
  rules are applied as written, which errs on the side of more hours.
- Renewals: 1 hour per customer a year, for every account in the book (002/003:
  "Roughly 1 hour per customer for annual renewal").

Weeks: yearly hours over the 52 calendar weeks of the year
---------------------------------------------------------
    weekly hours = yearly hours / 52

Decision. This is the table's own reading: its weekly column is its yearly column over
52 weeks (total 1632 / 31.25 = 52.2; cadence calls 420 / 8 = 52.5; the rows are rounded).
The 56 days of PTO the same page sets aside are already outside the 31.25-hour average
week: 1632 hours of work + 448 hours of PTO = 2080 = 52 x 40. So the 31.25 hours are an
average over all 52 weeks, holidays included, and yearly hours are spread the same way:
divided by 52. Dividing by the weeks actually worked (52 - 56 / 5 = 40.8) would count the
PTO twice, and the page's own typical book would read about 34.4 hours a week, flagged
overburdened against the 31.25 it was built to fit. With 52, a book like the page's
typical one fits exactly: one whose yearly hours are the weekly column x 52 (416 hours
of calls, 104 of EBRs, 52 customers renewing, 1 customer onboarding) comes out at 19.25
fixed + 8 + 2 + 1 + 1 = 31.25, at capacity and not overburdened. The table's yearly
column is rounded (420 hours of calls a year = 8.08 a week, the table's 8 within
rounding). The fixed rows count at their weekly value, as given; the table's yearly
column is not used.

`Capacity.pto_days_per_year` (an admin sets it per segment, `CapacityProfile`) is
information only: it does not move the divisor, since the weekly capacity already leaves
the PTO out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from lib.dates import add_months

FIXED = "fixed"
CADENCE_CALLS = "cadence_calls"
ONBOARDING = "onboarding"
EBRS = "ebrs"
RENEWALS = "renewals"
BOOK_DRIVEN = (CADENCE_CALLS, ONBOARDING, EBRS, RENEWALS)

FALLBACK_TABLE_SEGMENT = "named"

WEEKS_PER_YEAR = Decimal(52)
ZERO = Decimal(0)


# --- inputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookAccount:
    """One account of a TAM's book, as the workload rules see it."""

    account_id: int
    name: str
    segment: str | None = None  # the effective segment's code
    priority: int | None = None
    onboarding_open: bool = False  # customer-since set, onboarded date empty
    commercial: bool = False  # the region's rule set is Commercial


@dataclass(frozen=True)
class TaskRow:
    """One row of a segment's rhythm-of-business table (pages 002/003)."""

    task: str
    driver: str = FIXED
    hours_per_week: Decimal = ZERO
    hours_per_year: Decimal = ZERO
    notes: str = ""


@dataclass(frozen=True)
class Capacity:
    """A TAM's week: hours available (an average over all 52 weeks of the year), and the
    PTO days a year the page assumes.

    Defaults are page 002's: 31.25 hours a week, 56 days of PTO a year. The PTO days are
    information only: the 31.25 hours already leave them out, so they do not change how
    yearly hours become weekly ones (always / 52, see the module docstring).
    """

    weekly_hours: Decimal = Decimal("31.25")
    pto_days_per_year: int = 56  # information only: not used in any figure

    @property
    def weeks_per_year(self) -> Decimal:
        """52, whatever the PTO days: the divisor of every yearly figure (module docstring)."""
        return WEEKS_PER_YEAR


@dataclass(frozen=True)
class WorkloadRates:
    """The per-account numbers of DESIGN section 6; each field names its source page."""

    cadence_call_hours: Decimal = Decimal(1)  # 002/003 "1 hour per customer"
    pr1_calls_per_year: Decimal = Decimal(12)  # 004 Pr1 "monthly cadence call"
    pr2_calls_per_year: Decimal = Decimal(365) / Decimal(60)  # 004 Pr2 "60 day call cadence"
    commercial_pr2_calls_per_year: Decimal = Decimal(4)  # 004 Commercial Pr2 "Quarterly"
    ebr_hours: Decimal = Decimal(4)  # 002/003 "4 hours for each"
    ebrs_per_pr1_year: Decimal = Decimal("1.5")  # 004 Commercial Pr1 "1-2 per year"
    onboarding_hours_per_week: Decimal = Decimal(1)  # 002/003 "1 hour per week per customer"
    renewal_hours_per_year: Decimal = Decimal(1)  # 002/003 "1 hour per customer"


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountHours:
    account_id: int
    name: str
    hours_per_week: Decimal


@dataclass(frozen=True)
class RowLoad:
    """One task row of the result: its expected hours a week and how they were found."""

    task: str
    driver: str
    hours_per_week: Decimal
    table_hours_per_week: Decimal  # the table's typical value; replaced if book-driven
    notes: str
    basis: str  # the formula with this book's numbers, for people to check
    accounts: tuple[AccountHours, ...] = ()  # book-driven rows: the accounts, largest first

    @property
    def book_driven(self) -> bool:
        return self.driver in BOOK_DRIVEN


@dataclass(frozen=True)
class AccountLoad:
    """An account's share of the book-driven hours, with the part each task takes."""

    account_id: int
    name: str
    hours_per_week: Decimal
    parts: tuple[tuple[str, Decimal], ...]  # (task, hours a week)


@dataclass(frozen=True)
class Workload:
    total_hours_per_week: Decimal
    capacity: Capacity
    rows: tuple[RowLoad, ...]
    drivers: tuple[AccountLoad, ...]  # accounts adding hours, largest first
    table_segment: str = ""  # whose table was used; set by the service that chose it

    @property
    def overburdened(self) -> bool:
        """More expected hours than the weekly capacity; exactly at capacity is not."""
        return self.total_hours_per_week > self.capacity.weekly_hours

    @property
    def spare_hours_per_week(self) -> Decimal:
        """Capacity left; negative when overburdened."""
        return self.capacity.weekly_hours - self.total_hours_per_week

    @property
    def weeks_per_year(self) -> Decimal:
        return self.capacity.weeks_per_year


# --- the per-account formulas ------------------------------------------------------------


def cadence_calls_per_year(
    priority: int | None, commercial: bool, rates: WorkloadRates | None = None
) -> Decimal:
    """Pr1 12, Pr2 365/60 (Commercial Pr2 4), otherwise 0 (004, DESIGN 6)."""
    rates = rates or WorkloadRates()
    if priority == 1:
        return rates.pr1_calls_per_year
    if priority == 2:
        return rates.commercial_pr2_calls_per_year if commercial else rates.pr2_calls_per_year
    return ZERO


def _cadence_hours(account: BookAccount, rates: WorkloadRates, weeks: Decimal) -> Decimal:
    calls = cadence_calls_per_year(account.priority, account.commercial, rates)
    return calls * rates.cadence_call_hours / weeks


def _ebr_hours(account: BookAccount, rates: WorkloadRates, weeks: Decimal) -> Decimal:
    if account.priority != 1:
        return ZERO
    return rates.ebrs_per_pr1_year * rates.ebr_hours / weeks


def _onboarding_hours(account: BookAccount, rates: WorkloadRates, weeks: Decimal) -> Decimal:
    return rates.onboarding_hours_per_week if account.onboarding_open else ZERO


def _renewal_hours(account: BookAccount, rates: WorkloadRates, weeks: Decimal) -> Decimal:
    return rates.renewal_hours_per_year / weeks


HoursRule = Callable[[BookAccount, WorkloadRates, Decimal], Decimal]
HOURS_PER_WEEK: dict[str, HoursRule] = {
    CADENCE_CALLS: _cadence_hours,
    EBRS: _ebr_hours,
    ONBOARDING: _onboarding_hours,
    RENEWALS: _renewal_hours,
}


def _basis(
    driver: str, book: Sequence[BookAccount], count: int, rates: WorkloadRates, weeks: Decimal
) -> str:
    """The formula of a book-driven row, in words, with this book's numbers."""
    if driver == CADENCE_CALLS:
        calls = sum((cadence_calls_per_year(a.priority, a.commercial, rates) for a in book), ZERO)
        return (
            f"{calls:.1f} calls a year with {count} accounts (Pr1 monthly, Pr2 every 60 days, "
            f"Commercial Pr2 quarterly) x {rates.cadence_call_hours} h / {weeks} weeks"
        )
    if driver == EBRS:
        return (
            f"{count} Pr1 accounts x {rates.ebrs_per_pr1_year} EBRs a year "
            f"x {rates.ebr_hours} h / {weeks} weeks"
        )
    if driver == ONBOARDING:
        return f"{count} onboarding customers x {rates.onboarding_hours_per_week} h a week"
    return f"{count} accounts x {rates.renewal_hours_per_year} h a year / {weeks} weeks"


def _largest_first(item) -> tuple:
    return (-item.hours_per_week, item.name, item.account_id)


def _book_driven_row(
    row: TaskRow, book: Sequence[BookAccount], rates: WorkloadRates, weeks: Decimal
) -> RowLoad:
    rule = HOURS_PER_WEEK[row.driver]
    shares = [
        AccountHours(account.account_id, account.name, hours)
        for account in book
        if (hours := rule(account, rates, weeks)) > 0
    ]
    shares.sort(key=_largest_first)
    return RowLoad(
        task=row.task,
        driver=row.driver,
        hours_per_week=sum((share.hours_per_week for share in shares), ZERO),
        table_hours_per_week=row.hours_per_week,
        notes=row.notes,
        basis=_basis(row.driver, book, len(shares), rates, weeks),
        accounts=tuple(shares),
    )


def _fixed_row(row: TaskRow) -> RowLoad:
    return RowLoad(
        task=row.task,
        driver=row.driver,
        hours_per_week=row.hours_per_week,
        table_hours_per_week=row.hours_per_week,
        notes=row.notes,
        basis="fixed: the table's weekly hours",
    )


def _counted_elsewhere(row: TaskRow, first_task: str) -> RowLoad:
    return RowLoad(
        task=row.task,
        driver=row.driver,
        hours_per_week=ZERO,
        table_hours_per_week=row.hours_per_week,
        notes=row.notes,
        basis=f"counted under '{first_task}', the first row with this driver",
    )


def _drivers(rows: Iterable[RowLoad]) -> tuple[AccountLoad, ...]:
    parts: dict[int, list[tuple[str, Decimal]]] = {}
    names: dict[int, str] = {}
    for row in rows:
        for share in row.accounts:
            parts.setdefault(share.account_id, []).append((row.task, share.hours_per_week))
            names[share.account_id] = share.name
    loads = [
        AccountLoad(
            account_id=account_id,
            name=names[account_id],
            hours_per_week=sum((hours for _, hours in account_parts), ZERO),
            parts=tuple(account_parts),
        )
        for account_id, account_parts in parts.items()
    ]
    return tuple(sorted(loads, key=_largest_first))


def expected_weekly_hours(
    book: Sequence[BookAccount],
    tasks: Sequence[TaskRow],
    capacity: Capacity | None = None,
    rates: WorkloadRates | None = None,
) -> Workload:
    """A TAM's expected hours a week: the fixed rows as given, the book-driven rows from
    the book (module docstring), compared with the weekly capacity (DESIGN section 6).

    `drivers` lists every account that adds hours, largest first, whether or not the
    TAM is overburdened: the same list explains a full week and a comfortable one.
    """
    capacity = capacity or Capacity()
    rates = rates or WorkloadRates()
    weeks = capacity.weeks_per_year
    first_row_of: dict[str, str] = {}
    rows = []
    for row in tasks:
        if row.driver not in BOOK_DRIVEN:
            rows.append(_fixed_row(row))
        elif row.driver in first_row_of:
            rows.append(_counted_elsewhere(row, first_row_of[row.driver]))
        else:
            first_row_of[row.driver] = row.task
            rows.append(_book_driven_row(row, book, rates, weeks))
    return Workload(
        total_hours_per_week=sum((row.hours_per_week for row in rows), ZERO),
        capacity=capacity,
        rows=tuple(rows),
        drivers=_drivers(rows),
    )


def table_segment_for(book: Iterable[BookAccount], segments_with_table: Sequence[str]) -> str:
    """Whose table a TAM works by: the segment most of their book is in, among the
    segments that have a table (ties: the one listed first, i.e. the higher-touch one in
    segment order); `named` when none of their accounts is in such a segment."""
    counts = Counter(account.segment for account in book if account.segment in segments_with_table)
    if not counts:
        return FALLBACK_TABLE_SEGMENT
    return max(
        segments_with_table, key=lambda code: (counts[code], -segments_with_table.index(code))
    )


# --- touch points due (DESIGN section 6, last sentence) ----------------------------------

CADENCE_INTERVAL_DAYS = {1: 30, 2: 60}  # 004: Pr1 monthly, Pr2 "60 day call cadence"
COMMERCIAL_PR2_INTERVAL_DAYS = 90  # 004 Commercial Pr2: quarterly
EBR_MONTHS_BEFORE_RENEWAL = 6
EBR_PRIORITIES = (1, 2)  # 004: Pr1 "full TAM-led lifecycle", Pr2 "EBR"
RENEWAL_TOUCH_DAYS = 110  # 002/003: the renewal survey goes out 110 days before renewal


@dataclass(frozen=True)
class TouchpointFacts:
    account_id: int
    name: str
    priority: int | None = None
    commercial: bool = False
    renewal_date: date | None = None
    last_cadence_call: date | None = None
    last_ebr: date | None = None


@dataclass(frozen=True)
class DueTouchpoint:
    account_id: int
    name: str
    priority: int | None
    due_on: date
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


def cadence_interval_days(priority: int | None, commercial: bool) -> int | None:
    """Pr1 30 days, Pr2 60 (Commercial Pr2 90); None: no cadence calls (Pr3, Pr4)."""
    if priority == 2 and commercial:
        return COMMERCIAL_PR2_INTERVAL_DAYS
    return CADENCE_INTERVAL_DAYS.get(priority)


def ebr_target(renewal_date: date) -> date:
    """The EBR is held 6 months before renewal (2027-02-28 -> 2026-08-28)."""
    return add_months(renewal_date, -EBR_MONTHS_BEFORE_RENEWAL)


def renewal_touch_opens(renewal_date: date) -> date:
    return renewal_date - timedelta(days=RENEWAL_TOUCH_DAYS)


def _latest(*days: date | None) -> date | None:
    known = [day for day in days if day is not None]
    return max(known) if known else None


def _cadence_due(facts: TouchpointFacts, as_of: date, horizon: date) -> DueTouchpoint | None:
    """Next call = last call + interval; never called: due now (not overdue)."""
    interval = cadence_interval_days(facts.priority, facts.commercial)
    if interval is None:
        return None
    last = facts.last_cadence_call
    due_on = last + timedelta(days=interval) if last else as_of
    if due_on > horizon:
        return None
    return DueTouchpoint(facts.account_id, facts.name, facts.priority, due_on, due_on < as_of, last)


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


def _renewal_due(facts: TouchpointFacts, as_of: date, horizon: date) -> DueTouchpoint | None:
    """Every account: due in the 110 days before renewal until a cadence call or an EBR
    is held in that window. Due throughout the window, so never overdue before the
    renewal; after it, the cycle is over (the import brings the next renewal date)."""
    renewal = facts.renewal_date
    if renewal is None or renewal < as_of:
        return None
    opens = renewal_touch_opens(renewal)
    last_touch = _latest(facts.last_cadence_call, facts.last_ebr)
    touched = last_touch is not None and last_touch >= opens
    if touched or opens > horizon:
        return None
    return DueTouchpoint(
        facts.account_id, facts.name, facts.priority, opens, False, last_touch, renewal
    )


def _by_due_date(items: Iterable[DueTouchpoint | None]) -> tuple[DueTouchpoint, ...]:
    found = [item for item in items if item is not None]
    return tuple(sorted(found, key=lambda item: (item.due_on, item.name, item.account_id)))


def touchpoints_due(
    accounts: Iterable[TouchpointFacts], as_of: date, within_days: int = 0
) -> DueLists:
    """Cadence calls, EBRs and renewal touch points due by `as_of + within_days` (0: due
    or overdue today), each list sorted by due date.

    Renewal dates already passed are skipped for EBRs and renewal touch points: that
    cycle is over and the CRM import sets the next renewal date.
    """
    accounts = list(accounts)
    horizon = as_of + timedelta(days=within_days)
    return DueLists(
        cadence_calls=_by_due_date(_cadence_due(a, as_of, horizon) for a in accounts),
        ebrs=_by_due_date(_ebr_due(a, as_of, horizon) for a in accounts),
        renewals=_by_due_date(_renewal_due(a, as_of, horizon) for a in accounts),
    )
