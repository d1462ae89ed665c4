"""A TAM's expected hours a week and the touch points they owe (DESIGN section 6): pure.

Plain dataclasses in, plain results out; no Django import, directly or indirectly (only
the standard library and `lib`), so the rules run in milliseconds without a database
(tests/test_layers.py). `rhythm/services.py` reads the book and the table in bulk and
calls `expected_weekly_hours()`; the touch points due are `rhythm/touchpoints.py`.

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
  30 minutes for prep & follow up)"). Calls a year = 365 / the cadence interval of the
  account's priority and rule set (`rhythm/cadence.py`, the admin's `RhythmSettings`, the
  interval the book and the dashboard read): by default Pr1 every 30 days = 12.17; Pr2
  every 60 days = 6.08; Commercial Pr2 every 90 days = 4.06 (004 Commercial Pr2:
  "Quarterly or semi-annual meetings", the more frequent of the two); Commercial Pr1 is
  called like any Pr1 (004 Commercial Pr1: "Monthly status/consulting calls"); Pr3, Pr4
  and no priority: none.
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
from dataclasses import dataclass, field
from decimal import Decimal

from lib.rule_sets import RuleSet
from segments.codes import SegmentCode

from . import cadence
from .cadence import RhythmRules

FIXED = "fixed"
CADENCE_CALLS = "cadence_calls"
ONBOARDING = "onboarding"
EBRS = "ebrs"
RENEWALS = "renewals"
BOOK_DRIVEN = (CADENCE_CALLS, ONBOARDING, EBRS, RENEWALS)

FALLBACK_TABLE_SEGMENT = SegmentCode.NAMED

WEEKS_PER_YEAR = Decimal(52)
ZERO = Decimal(0)


# --- inputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookAccount:
    """One account of a TAM's book, as the workload rules see it."""

    account_id: int
    name: str
    rule_set: RuleSet | str  # the region's: with the priority, it sets the cadence
    segment: str | None = None  # the effective segment's code
    priority: int | None = None
    onboarding_open: bool = False  # customer-since set, onboarded date empty


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
    """The per-account numbers of DESIGN section 6; each field names its source page. The
    cadence intervals are the admin's (`rhythm`: how often each account is called)."""

    rhythm: RhythmRules = field(default_factory=RhythmRules)  # rhythm/cadence.py
    cadence_call_hours: Decimal = Decimal(1)  # 002/003 "1 hour per customer"
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


def _calls_per_year(account: BookAccount, rates: WorkloadRates) -> Decimal:
    return cadence.cadence_calls_per_year(rates.rhythm, account.priority, account.rule_set)


def _cadence_hours(account: BookAccount, rates: WorkloadRates, weeks: Decimal) -> Decimal:
    calls = _calls_per_year(account, rates)
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
        calls = sum((_calls_per_year(account, rates) for account in book), ZERO)
        every = ", ".join(
            f"Pr{priority} every {cadence.interval_summary(rates.rhythm, priority)}"
            for priority in cadence.CADENCE_PRIORITIES
        )
        return (
            f"{calls:.1f} calls a year with {count} accounts ({every}) "
            f"x {rates.cadence_call_hours} h / {weeks} weeks"
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
