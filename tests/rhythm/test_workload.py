"""The workload rules of DESIGN section 6 (pure: no database).

Every yearly figure becomes weekly over the 52 calendar weeks of the year, whatever the
PTO days: the table's weekly column is its yearly one over 52, the PTO already outside
the 31.25-hour week (rhythm/workload.py explains the choice). The table is page 002's.
Cadence calls a year are 365 / the cadence interval (rhythm/cadence.py, default 30 / 60 /
Commercial Pr2 90 days): Pr1 12.17, Pr2 6.08, Commercial Pr2 4.06.
"""

from decimal import Decimal

import pytest

from lib.rule_sets import RuleSet
from rhythm.cadence import RhythmRules
from rhythm.workload import (
    BookAccount,
    Capacity,
    TaskRow,
    WorkloadRates,
    expected_weekly_hours,
    table_segment_for,
)

D = Decimal
WEEKS = D(52)
PR1_CALLS = D(365) / D(30)
PR2_CALLS = D(365) / D(60)
COMMERCIAL_PR2_CALLS = D(365) / D(90)

PAGE_002 = (
    TaskRow("Cadence calls", "cadence_calls", D(8), D(420)),
    TaskRow("Customer onboarding", "onboarding", D(1), D(48)),
    TaskRow("EBRs", "ebrs", D(2), D(108)),
    TaskRow("Account planning", "fixed", D(3), D(156)),
    TaskRow("Webinars & workshops", "fixed", D(1), D(48)),
    TaskRow("Adhoc customer requests", "fixed", D(2), D(108)),
    TaskRow("Customer outreach", "fixed", D(2), D(108)),
    TaskRow("Gainsight work", "fixed", D(2), D(108)),
    TaskRow("Special projects", "fixed", D(3), D(156)),
    TaskRow("Professional development", "fixed", D(3), D(156)),
    TaskRow("Renewals", "renewals", D(1), D(48)),
    TaskRow("Internal meetings", "fixed", D(3), D(156)),
    TaskRow("Review release blog posts", "fixed", D("0.25"), D(12)),
)
CADENCE_ONLY = (PAGE_002[0],)


def account(account_id, priority=None, name=None, rule_set=RuleSet.US_ENTERPRISE, **facts):
    name = name or f"Account {account_id:02d}"
    return BookAccount(account_id, name, rule_set, priority=priority, **facts)


def row(workload, task):
    return next(item for item in workload.rows if item.task == task)


def approx(value):
    return pytest.approx(D(value))


# --- weeks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("pto_days", [56, 0, 20])
def test_a_year_is_52_weeks_whatever_the_pto_days(pto_days):
    """PTO days are information only: the 31.25-hour week already leaves them out."""
    capacity = Capacity(D("31.25"), pto_days)
    assert capacity.weeks_per_year == WEEKS
    assert capacity.pto_days_per_year == pto_days


def test_the_tables_typical_calls_come_out_at_its_weekly_figure():
    """The decision, shown: about the table's 420 hours of calls a year, 30 Pr1 accounts
    x 365/30 calls + 9 Pr2 x 365/60 = 365 + 54.75 = 419.75 calls x 1 h / 52 weeks = 8.07 h
    a week: the table's 8 within rounding (over 40.8 working weeks it would read 10.29)."""
    book = [account(n, 1) for n in range(30)] + [account(n, 2) for n in range(30, 39)]
    cadence = row(expected_weekly_hours(book, CADENCE_ONLY), "Cadence calls")
    assert cadence.hours_per_week == approx(D("419.75") / WEEKS)
    assert cadence.hours_per_week == pytest.approx(cadence.table_hours_per_week, abs=D("0.1"))


def test_a_book_matching_the_tables_assumptions_is_not_overburdened():
    """Page 002's notes: 1 h a call, 2 EBRs a month, 1 customer onboarding at a time,
    1 h per customer renewing. 16 Pr1 (one onboarding) + 36 Pr2 = 52 accounts:
    calls 16 x 365/30 + 36 x 365/60 = 194.67 + 219 = 413.67 h, EBRs 16 x 1.5 = 24 a year
    x 4 h = 96 h, renewals 52 h: 561.67 h a year / 52 = 10.80 h (7.96 calls + 1.85 EBRs
    + 1 renewals; the table: 8 + 2 + 1) + 1 onboarding + 19.25 fixed = 31.05 h <= 31.25
    (over 40.8 working weeks: 34.02 h, overburdened)."""
    book = [account(0, 1, onboarding_open=True)] + [account(n, 1) for n in range(1, 16)]
    book += [account(n, 2) for n in range(16, 52)]
    workload = expected_weekly_hours(book, PAGE_002)
    calls = 16 * PR1_CALLS + 36 * PR2_CALLS
    assert workload.total_hours_per_week == approx(D("20.25") + (calls + 96 + 52) / WEEKS)
    assert row(workload, "Cadence calls").hours_per_week == approx(calls / WEEKS)
    assert row(workload, "EBRs").hours_per_week == approx(D(96) / WEEKS)
    assert row(workload, "Renewals").hours_per_week == approx(1)
    assert row(workload, "Customer onboarding").hours_per_week == D(1)
    assert not workload.overburdened
    assert workload.spare_hours_per_week == approx(D("31.25") - workload.total_hours_per_week)
    assert workload.spare_hours_per_week > D("0.19")


# --- cadence calls -------------------------------------------------------------------------


def test_cadence_calls_three_pr1_six_pr2_us_accounts():
    """3 Pr1 x 365/30 + 6 Pr2 x 365/60 = 36.5 + 36.5 = 73 calls a year x 1 h
    = 73 h / 52 weeks = 1.404 h a week; one Pr1 account 12.17 / 52 = 0.234 h,
    one Pr2 account 6.083 / 52 = 0.117 h."""
    book = [account(n, 1) for n in range(3)] + [account(n, 2) for n in range(3, 9)]
    cadence = row(expected_weekly_hours(book, CADENCE_ONLY), "Cadence calls")
    assert cadence.hours_per_week == approx(D(73) / WEEKS)
    assert cadence.table_hours_per_week == D(8)  # the typical value, replaced
    assert len(cadence.accounts) == 9
    assert cadence.accounts[0].hours_per_week == approx(PR1_CALLS / WEEKS)
    assert cadence.accounts[-1].hours_per_week == approx(PR2_CALLS / WEEKS)
    assert "73.0 calls a year with 9 accounts" in cadence.basis
    assert "(Pr1 every 30 days, Pr2 every 60 days (Commercial 90))" in cadence.basis


def test_commercial_pr2_accounts_are_called_every_90_days():
    """Commercial: 1 Pr1 x 365/30 + 2 Pr2 x 365/90 = 12.17 + 8.11 = 20.28 calls a year
    = 0.390 h a week (the same accounts in the US: 12.17 + 2 x 6.083 = 24.33 calls,
    0.468 h). EMEA Pr2 is called like US Pr2."""
    commercial = [account(n, p, rule_set=RuleSet.COMMERCIAL) for n, p in ((1, 1), (2, 2), (3, 2))]
    us = [account(1, 1)] + [account(n, 2) for n in (2, 3)]
    emea = [account(n, p, rule_set=RuleSet.EMEA_ENTERPRISE) for n, p in ((1, 1), (2, 2), (3, 2))]
    assert expected_weekly_hours(commercial, CADENCE_ONLY).total_hours_per_week == approx(
        (PR1_CALLS + 2 * COMMERCIAL_PR2_CALLS) / WEEKS
    )
    assert expected_weekly_hours(us, CADENCE_ONLY).total_hours_per_week == approx(
        (PR1_CALLS + 2 * PR2_CALLS) / WEEKS
    )
    assert expected_weekly_hours(emea, CADENCE_ONLY).total_hours_per_week == approx(
        (PR1_CALLS + 2 * PR2_CALLS) / WEEKS
    )


def test_the_cadence_intervals_are_the_rhythm_settings():
    """Pr1 every 73 days: 365/73 = 5 calls a year = 5 h / 52; the basis says so."""
    rates = WorkloadRates(rhythm=RhythmRules(pr1_cadence_days=73))
    cadence = row(
        expected_weekly_hours([account(1, 1)], CADENCE_ONLY, rates=rates), "Cadence calls"
    )
    assert cadence.hours_per_week == approx(D(5) / WEEKS)
    assert "Pr1 every 73 days" in cadence.basis


def test_pr3_pr4_and_unprioritised_accounts_have_no_cadence_calls():
    """Pr3 (unmanaged child), Pr4 (digital) and no priority: 0 calls, no driving account."""
    cadence = row(
        expected_weekly_hours([account(1, 3), account(2, 4), account(3)], CADENCE_ONLY),
        "Cadence calls",
    )
    assert cadence.hours_per_week == 0
    assert cadence.accounts == ()


# --- onboarding, EBRs, renewals -----------------------------------------------------------


def test_onboarding_is_one_hour_a_week_per_onboarding_customer():
    """2 customers with onboarding open x 1 h a week = 2 h a week (already weekly, no
    division by 52); the onboarded customer adds nothing."""
    book = [
        account(1, 1, onboarding_open=True),
        account(2, 1, onboarding_open=True),
        account(3, 1, onboarding_open=False),
    ]
    onboarding = row(expected_weekly_hours(book, PAGE_002), "Customer onboarding")
    assert onboarding.hours_per_week == D(2)
    assert [share.account_id for share in onboarding.accounts] == [1, 2]


def test_ebrs_are_four_hours_each_for_pr1_accounts():
    """2 Pr1 x 1.5 EBRs a year x 4 h = 12 h a year / 52 = 0.231 h a week; the Pr2
    account's EBR is at the TAM's discretion and adds nothing."""
    book = [account(1, 1), account(2, 1), account(3, 2)]
    ebrs = row(expected_weekly_hours(book, PAGE_002), "EBRs")
    assert ebrs.hours_per_week == approx(D(12) / WEEKS)
    assert [share.account_id for share in ebrs.accounts] == [1, 2]


def test_ebrs_a_year_is_a_parameter():
    """2 EBRs a year: 2 Pr1 x 2 x 4 h = 16 h a year / 52 = 0.308 h a week."""
    book = [account(1, 1), account(2, 1)]
    rates = WorkloadRates(ebrs_per_pr1_year=D(2))
    ebrs = row(expected_weekly_hours(book, PAGE_002, rates=rates), "EBRs")
    assert ebrs.hours_per_week == approx(D(16) / WEEKS)


def test_renewals_are_one_hour_per_customer_a_year():
    """5 accounts of any priority x 1 h a year = 5 / 52 = 0.096 h a week."""
    book = [account(n, priority) for n, priority in enumerate((1, 2, 3, 4, None))]
    renewals = row(expected_weekly_hours(book, PAGE_002), "Renewals")
    assert renewals.hours_per_week == approx(D(5) / WEEKS)
    assert len(renewals.accounts) == 5


# --- fixed rows and the total ---------------------------------------------------------------


def test_fixed_rows_count_as_given_and_book_driven_rows_start_from_the_book():
    """Empty book: the 9 fixed rows 3+1+2+2+2+3+3+3+0.25 = 19.25 h; the 4 book-driven
    rows (typically 8+1+2+1 = 12 h) are 0, not the table's typical hours."""
    workload = expected_weekly_hours([], PAGE_002)
    assert workload.total_hours_per_week == D("19.25")
    book_driven = [item for item in workload.rows if item.book_driven]
    assert [item.hours_per_week for item in book_driven] == [0, 0, 0, 0]
    assert sum(item.table_hours_per_week for item in book_driven) == D(12)
    assert [item.task for item in workload.rows] == [task.task for task in PAGE_002]
    assert not workload.overburdened


def test_a_whole_book():
    """3 Pr1 (one onboarding) + 6 Pr2, page 002's table:
    fixed 19.25 + onboarding 1 + (73 calls + 3 x 1.5 x 4 EBR + 9 renewal) h a year
    = 20.25 + 100 / 52 = 20.25 + 1.923 = 22.173 h a week, 9.077 h spare."""
    book = [account(1, 1, onboarding_open=True), account(2, 1), account(3, 1)]
    book += [account(n, 2) for n in range(4, 10)]
    workload = expected_weekly_hours(book, PAGE_002)
    expected = D("20.25") + D(100) / WEEKS
    assert workload.total_hours_per_week == approx(expected)
    assert workload.spare_hours_per_week == approx(D("31.25") - expected)
    assert workload.weeks_per_year == WEEKS


FIXED_30_25 = (
    TaskRow("Account planning", "fixed", D(15)),
    TaskRow("Internal meetings", "fixed", D("15.25")),
    TaskRow("Customer onboarding", "onboarding", D(1)),
)


def test_exactly_at_capacity_is_not_overburdened():
    """Fixed 15 + 15.25 = 30.25 h + 1 onboarding customer x 1 h = 31.25 h = capacity."""
    workload = expected_weekly_hours([account(1, 1, onboarding_open=True)], FIXED_30_25)
    assert workload.total_hours_per_week == D("31.25")
    assert not workload.overburdened
    assert workload.spare_hours_per_week == 0


def test_just_above_capacity_is_overburdened():
    """The same with a renewals row: 31.25 + 1 / 52 = 31.269 h > 31.25."""
    table = (*FIXED_30_25, TaskRow("Renewals", "renewals", D(1)))
    workload = expected_weekly_hours([account(1, 1, onboarding_open=True)], table)
    assert workload.total_hours_per_week == approx(D("31.25") + 1 / WEEKS)
    assert workload.overburdened


def test_capacity_comes_from_the_profile():
    """19.25 fixed hours against a 19-hour week: overburdened."""
    workload = expected_weekly_hours([], PAGE_002, Capacity(D(19), 56))
    assert workload.capacity.weekly_hours == D(19)
    assert workload.overburdened


def test_drivers_largest_first_with_their_parts():
    """Per account, a week:
    onboarding Pr1: 12.17 calls + 6 EBR + 1 renewal = 19.17 / 52 + 1 onboarding = 1.369 h
    Pr1: 19.17 / 52 = 0.369 h (two of them, by name)
    US Pr2: (6.083 + 1) / 52 = 0.136 h; Commercial Pr2: (4.056 + 1) / 52 = 0.097 h
    Pr3: 1 renewal / 52 = 0.019 h."""
    book = [
        account(1, 3, name="Pr3 child"),
        account(2, 2, name="Commercial Pr2", rule_set=RuleSet.COMMERCIAL),
        account(3, 1, name="Pr1 b"),
        account(4, 2, name="US Pr2"),
        account(5, 1, name="Pr1 a"),
        account(6, 1, name="Onboarding", onboarding_open=True),
    ]
    drivers = expected_weekly_hours(book, PAGE_002).drivers
    assert [load.name for load in drivers] == [
        "Onboarding",
        "Pr1 a",
        "Pr1 b",
        "US Pr2",
        "Commercial Pr2",
        "Pr3 child",
    ]
    assert drivers[0].hours_per_week == approx((PR1_CALLS + 7) / WEEKS + 1)
    assert dict(drivers[0].parts) == {
        "Cadence calls": approx(PR1_CALLS / WEEKS),
        "Customer onboarding": D(1),
        "EBRs": approx(D(6) / WEEKS),
        "Renewals": approx(1 / WEEKS),
    }
    assert drivers[-1].parts == (("Renewals", approx(1 / WEEKS)),)


def test_a_driver_without_a_row_adds_nothing_and_a_second_row_counts_zero():
    """The table says which tasks exist: no EBR row, no EBR hours. Two cadence rows: the
    first has the book's 12.17 / 52 h, the second 0 (not counted twice)."""
    table = (
        TaskRow("Cadence calls", "cadence_calls", D(8)),
        TaskRow("Cadence call prep", "cadence_calls", D(2)),
    )
    workload = expected_weekly_hours([account(1, 1)], table)
    assert [item.hours_per_week for item in workload.rows] == [approx(PR1_CALLS / WEEKS), 0]
    assert "counted under 'Cadence calls'" in workload.rows[1].basis
    assert workload.total_hours_per_week == approx(PR1_CALLS / WEEKS)


# --- whose table -----------------------------------------------------------------------------

TABLES = ["strategic", "named", "mid-touch"]


@pytest.mark.parametrize(
    ("segments", "expected"),
    [
        (["mid-touch", "mid-touch", "named"], "mid-touch"),  # most of the book
        (["named", "mid-touch"], "named"),  # a tie: the first in segment order
        (["onboarding", "onboarding", "mid-touch"], "mid-touch"),  # only tables count
        (["onboarding", None], "named"),  # no account in a segment with a table
        ([], "named"),  # empty book
    ],
)
def test_table_segment_is_where_most_of_the_book_is(segments, expected):
    book = [account(n, 2, segment=code) for n, code in enumerate(segments)]
    assert table_segment_for(book, TABLES) == expected
