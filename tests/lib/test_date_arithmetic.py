"""Date arithmetic stops at the calendar's ends instead of overflowing (issue 11, point 1).

A fact dated 0001-01-01 or 9999-12-31 (written before the 1900..2100 bounds were checked, or
straight into SQL) must not make a rule, a clock, a metric formula or a rhythm rule raise:
`lib.dates.shift` and `add_months` hold a result at `date.min` / `date.max`, and every rule
shifts dates through them. Inside the calendar, and at the supported bounds themselves, they
are plain date arithmetic. Pure: no database.
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from lib.dates import EARLIEST_DATE, LATEST_DATE, add_months, shift
from lib.fiscal import FiscalQuarter, fiscal_quarter_of
from metrics import formulas
from metrics.clocks import onboarding_clocks
from metrics.formulas import (
    Attendance,
    LicenseFlag,
    MetricAccount,
    Playbook,
    QuarterWindow,
    StageEnablement,
    Survey,
)
from prioritization import rules
from rhythm import cadence, touchpoints
from rhythm.cadence import RhythmRules

EXTREMES = [date.min, date.max]
AS_OF = date(2026, 11, 24)  # FY27-Q4 with a February fiscal year: 2026-11-01 .. 2027-01-31
Q4 = QuarterWindow("FY27-Q4", date(2026, 11, 1), date(2027, 1, 31), AS_OF)


# --- the two helpers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "days", "expected"),
    [
        (date.max, 1, date.max),
        (date.max, 90, date.max),
        (date(9999, 12, 1), 60, date.max),  # overflows part-way: held, not wrapped
        (date.max, -1, date(9999, 12, 30)),  # away from the end: plain arithmetic
        (date.min, -1, date.min),
        (date.min, -110, date.min),
        (date.min, 1, date(1, 1, 2)),
        (LATEST_DATE, 60, date(2101, 3, 1)),  # the supported bounds are not a wall
        (EARLIEST_DATE, -1, date(1899, 12, 31)),
        (date(2026, 11, 24), 0, date(2026, 11, 24)),
    ],
)
def test_shift_is_plain_arithmetic_held_at_the_calendar_ends(day, days, expected):
    assert shift(day, days) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date.max, 6, date.max),
        (date(9999, 8, 31), 6, date.max),
        (date.max, -6, date(9999, 6, 30)),  # clamped to the month's end, as always
        (date.min, -1, date.min),
        (date(1, 3, 31), -6, date.min),
        (date.min, 12, date(2, 1, 1)),
        (LATEST_DATE, 2, date(2101, 2, 28)),
        (EARLIEST_DATE, -12, date(1899, 1, 1)),
    ],
)
def test_add_months_is_held_at_the_calendar_ends(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize("start_month", [1, 2, 12])
@pytest.mark.parametrize("day", EXTREMES)
def test_the_fiscal_quarter_of_either_end_of_the_calendar_stops_there(day, start_month):
    quarter = fiscal_quarter_of(day, start_month)

    assert quarter.start <= day <= quarter.end
    assert quarter.contains(day)


def test_a_fiscal_quarter_reaching_past_9999_ends_on_date_max():
    # FY10000-Q4 with a February year: 9999-11-01 .. 10000-01-31, past the calendar.
    quarter = fiscal_quarter_of(date.max, 2)

    assert (quarter.start, quarter.end) == (date(9999, 11, 1), date.max)
    # With January the last quarter ends exactly on 9999-12-31: not a clamp.
    assert fiscal_quarter_of(date.max, 1).end == date.max
    assert FiscalQuarter(9999, 3, 1).end == date(9999, 9, 30)


def test_a_fiscal_quarter_reaching_before_year_1_starts_on_date_min():
    # Q4 of FY1 with a February year: 0000-11-01 .. 0001-01-31.
    quarter = fiscal_quarter_of(date.min, 2)

    assert (quarter.start, quarter.end) == (date.min, date(1, 1, 31))


# --- every rule, with each fact at either end ----------------------------------------------


@pytest.mark.parametrize("day", EXTREMES)
def test_onboarding_clocks_of_an_account_since_either_end(day):
    clocks = onboarding_clocks(
        customer_since=day,
        milestones={"first_engage": day, "first_value": None, "onboard": None},
        targets={"time_to_first_engage": 10, "time_to_first_value": 30, "time_to_onboard": 90},
        today=AS_OF,
    )

    due = [clock.due_on for clock in clocks]
    # 9999-12-31 + 10 days is held at 9999-12-31; 0001-01-01 + 90 days is 0001-04-01.
    assert due == (
        [date.max] * 3 if day == date.max else [date(1, 1, 11), date(1, 1, 31), date(1, 4, 1)]
    )


def _metric_account(day: date, segment: str) -> MetricAccount:
    return MetricAccount(
        account_id=1,
        segment=segment,
        priority=1,
        customer_since=day,
        first_engaged_on=day,
        first_value_on=day,
        onboarded_on=day,
        success_plan="green",
        success_plan_green_on=day,
        ebr_dates=(day,),
        attendances=(Attendance(1, day, True, True, 5),),
        surveys=(Survey("renewal", day, 9, 5),),
        stages=(StageEnablement(day, day, day),),
        playbooks=(Playbook("expansion", None, day, day, "won"),),
        license_flags=(LicenseFlag(day, True),),
        green_health_days=(day,),
        arr_start=Decimal(100000),
        arr_end=Decimal(120000),
        first_arr_increase_on=day,
        segment_at_start=segment,
    )


TARGETS = {metric.key: Decimal(30) for metric in formulas.METRICS}
# Populations defined by a date in the quarter (a deadline customer-since + 60 or 90 days,
# a stage's enablement + 60 days or 6 months, the quarter's new customers).
DATED = {
    "time_to_first_engage", "time_to_onboard", "success_plan_new", "webinar_attendance_new",
    "primary_use_case_green_90d", "stage_initial_adoption_60d", "stage_broad_adoption_6m",
}  # fmt: skip


@pytest.mark.parametrize("segment", ["strategic", "named", "onboarding", "digital"])
@pytest.mark.parametrize("day", EXTREMES)
def test_every_metric_formula_takes_facts_at_either_end(day, segment):
    account = _metric_account(day, segment)

    keys = {metric.key for metric, _ in formulas.contributions(account, Q4, TARGETS)}

    # Nothing dated at the calendar's ends is in FY27-Q4: the dated populations leave the
    # account out, the others (its ARR, its Pr1 success plan) still count it.
    assert keys.isdisjoint(DATED)
    if segment == "named":
        assert {"gross_retention", "iacv_growth", "success_plan_p1"} <= keys


@pytest.mark.parametrize("day", EXTREMES)
def test_the_priority_rules_take_facts_at_either_end(day):
    facts = rules.AccountFacts(
        account_id=1,
        rule_set="us_enterprise",
        segment="named",
        tam_assigned=True,
        customer_since=day,
        arr=Decimal(120000),
        uptier_close_dates=(day,),
        growth_close_dates=(day,),
        initiatives=(rules.InitiativeFact("stage_adoption", Decimal(3), day, day),),
    )
    context = rules.PortfolioContext(AS_OF, "FY27-Q4", date(2026, 11, 1), date(2027, 1, 31))

    # Onboarding open (customer-since set, not onboarded) is Pr1 whatever the date.
    assert rules.decide(facts, rules.RuleParameters(), context).priority == 1
    far = rules.RuleParameters(uptier_window_months=10**6)  # a window past 9999
    assert rules.decide(replace(facts, onboarded_on=day), far, context).priority in (1, 2)


@pytest.mark.parametrize("day", EXTREMES)
def test_the_rhythm_rules_take_dates_at_either_end(day):
    window = RhythmRules()
    held = day if day <= AS_OF else None  # a call in 9999 has not been held

    assert cadence.renewal_window_opens(window, date.min) == date.min
    assert cadence.renewal_window_opens(window, date.max) == date(9999, 9, 12)
    assert cadence.next_call_due(date.max, 30) == date.max
    assert not cadence.in_renewal_window(window, day, AS_OF)
    assert touchpoints.ebr_target(date.min) == date.min
    due = touchpoints.touchpoints_due(
        [touchpoints.TouchpointFacts(1, "A", "us_enterprise", 1, day, held, held)],
        AS_OF,
        within_days=10**7,  # a horizon past 9999
    )
    # A last call on 0001-01-01 is long overdue; with none held the call is overdue too.
    assert [item.overdue for item in due.cadence_calls] == [True]
