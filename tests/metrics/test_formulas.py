"""The lifecycle metric formulas against DESIGN section 5 (pure: no database).

Every case runs its accounts through `contributions()` into one `Accumulator` per metric,
as the nightly job does for one scope, and `finish()`es each with `Targets(target,
previous)`. The quarter is FY27-Q3, 2026-08-01 .. 2026-10-31, as of its last day
(`Q3`), or the same quarter still running, as of 2026-09-15 (`RUNNING`).

Default targets (DESIGN section 5, metrics migration 0002): shares as fractions
(0.75 = 75%), times in days (time to first engage 10, from FY22), averages on the 1-5
scale; up / down metrics have no fixed target and compare with the previous value.
"""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest

from lib.dates import add_months
from metrics.formulas import (
    METRICS,
    METRICS_BY_KEY,
    Accumulator,
    Attendance,
    Contribution,
    LicenseFlag,
    MetricAccount,
    MetricValue,
    Playbook,
    QuarterWindow,
    StageEnablement,
    Survey,
    Targets,
    contributions,
    finish,
)

D = Decimal

Q3 = QuarterWindow("FY27-Q3", date(2026, 8, 1), date(2026, 10, 31), date(2026, 10, 31))
RUNNING = QuarterWindow("FY27-Q3", date(2026, 8, 1), date(2026, 10, 31), date(2026, 9, 15))

DEFAULT_TARGETS: dict[str, Decimal | None] = {
    "time_to_first_engage": D(10),
    "time_to_first_value": D(30),
    "time_to_onboard": D(45),
    "success_plan_p1": D(1),
    "success_plan_new": D(1),
    "success_plan_onboarded": D(1),
    "ebr_coverage": D("0.75"),
    "webinar_attendance_new": D("0.5"),
    "onboarding_nps_csat": D(4),
    "primary_use_case_green_90d": D(1),
    "webinars_per_quarter": D(3),
    "webinar_stay_rate": D("0.8"),
    "webinar_feedback": D(4),
    "active_stage_play": D("0.5"),
    "two_stages_adopted": D("0.9"),
    "stages_adopted_growth": D("0.1"),
    "stage_initial_adoption_60d": D(1),
    "stage_broad_adoption_6m": D(1),
    "low_license_saves": None,
    "renewal_nps_csat": D(4),
    "six_month_nps_csat": D(4),
    "playbooks_completed": None,
    "days_per_playbook": None,
    "expansion_win_rate": None,
    "gross_retention": D("0.9"),
    "iacv_growth": None,
    "time_to_iacv_growth": None,
}

_DEFAULT = object()
_ids = itertools.count(1)


# --- helpers ------------------------------------------------------------------------------


def account(segment: str | None, **facts) -> MetricAccount:
    return MetricAccount(account_id=next(_ids), segment=segment, **facts)


def survey(kind: str, day: date, csat: int | None = None, nps: int | None = None) -> Survey:
    return Survey(kind=kind, answered_on=day, nps=nps, csat=csat)


def attended(
    webinar_id: int,
    day: date,
    *,
    onboarding: bool = False,
    stayed: bool | None = None,
    feedback: int | None = None,
) -> Attendance:
    return Attendance(webinar_id, day, onboarding, stayed, feedback)


def stage(enabled: date, initial: date | None = None, broad: date | None = None) -> StageEnablement:
    return StageEnablement(enabled_on=enabled, initial_adoption_on=initial, broad_adoption_on=broad)


def playbook(
    kind: str = "stage_adoption",
    started: date | None = None,
    completed: date | None = None,
    outcome: str = "open",
) -> Playbook:
    return Playbook(kind, "Verify", started, completed, outcome)


def scope(
    accounts: list[MetricAccount],
    quarter: QuarterWindow = Q3,
    targets: dict[str, Decimal | None] | None = None,
    previous: dict[str, Decimal | None] | None = None,
) -> dict[str, MetricValue]:
    """Every metric of one scope: contributions -> one Accumulator per metric -> finish."""
    wanted = {**DEFAULT_TARGETS, **(targets or {})}
    previous = previous or {}
    accumulators: dict[str, Accumulator] = {}
    for item in accounts:
        for metric, part in contributions(item, quarter, wanted):
            accumulators.setdefault(metric.key, Accumulator()).add(part, metric.kind)
    return {
        metric.key: finish(
            metric,
            accumulators.get(metric.key),
            Targets(wanted[metric.key], previous.get(metric.key)),
        )
        for metric in METRICS
    }


def run(
    key: str,
    accounts: list[MetricAccount],
    quarter: QuarterWindow = Q3,
    *,
    target=_DEFAULT,
    previous: Decimal | None = None,
) -> MetricValue:
    """One metric's figures for one scope (the target defaults to DESIGN's)."""
    targets = {} if target is _DEFAULT else {key: target}
    return scope(accounts, quarter, targets, {key: previous})[key]


def assert_no_data(result: MetricValue) -> None:
    assert result.value is None
    assert result.attained is None


# --- the table of DESIGN section 5 --------------------------------------------------------

TAM = {"strategic", "named", "mid-touch"}
NAMED_MID = {"named", "mid-touch"}
SEGMENTS = ("strategic", "named", "mid-touch", "onboarding", "digital")

DESIGN_SEGMENTS = {
    "time_to_first_engage": TAM,
    "time_to_first_value": set(SEGMENTS),
    "time_to_onboard": TAM,
    "success_plan_p1": TAM,
    "success_plan_new": NAMED_MID,
    "success_plan_onboarded": {"onboarding"},
    "ebr_coverage": TAM,
    "webinar_attendance_new": NAMED_MID,
    "onboarding_nps_csat": NAMED_MID | {"digital"},
    "primary_use_case_green_90d": NAMED_MID,
    "webinars_per_quarter": NAMED_MID,
    "webinar_stay_rate": NAMED_MID,
    "webinar_feedback": NAMED_MID,
    "active_stage_play": NAMED_MID,
    "two_stages_adopted": NAMED_MID,
    "stages_adopted_growth": NAMED_MID,
    "stage_initial_adoption_60d": NAMED_MID,
    "stage_broad_adoption_6m": NAMED_MID,
    "low_license_saves": NAMED_MID,
    "renewal_nps_csat": NAMED_MID,
    "six_month_nps_csat": {"digital"},
    "playbooks_completed": TAM,
    "days_per_playbook": TAM,
    "expansion_win_rate": {"strategic"},
    "gross_retention": TAM | {"onboarding"},
    "iacv_growth": TAM,
    "time_to_iacv_growth": {"onboarding", "digital"},
}

DESIGN_DIRECTIONS = {
    "time_to_first_engage": "at_most",
    "time_to_first_value": "at_most",
    "time_to_onboard": "at_most",
    "onboarding_nps_csat": "above",  # "> 4.0"
    "webinar_feedback": "above",
    "renewal_nps_csat": "above",
    "six_month_nps_csat": "above",
    "low_license_saves": "up",  # improving QoQ
    "playbooks_completed": "up",
    "days_per_playbook": "down",
    "expansion_win_rate": "up",
    "time_to_iacv_growth": "down",  # faster than the prior fiscal year's cohort
}


def test_metrics_are_the_27_keys_of_design_section_5_in_order():
    """DESIGN 5 lists 27 metrics; METRICS holds exactly those keys, in the table's order."""
    assert [metric.key for metric in METRICS] == list(DESIGN_SEGMENTS)
    assert len(METRICS) == 27
    assert set(METRICS_BY_KEY) == set(DEFAULT_TARGETS)


@pytest.mark.parametrize("key", list(DESIGN_SEGMENTS))
def test_segments_each_metric_applies_to(key):
    """The 'segments' column of DESIGN 5; an account with no segment is in no metric."""
    metric = METRICS_BY_KEY[key]
    applies = {segment for segment in SEGMENTS if metric.applies_to(segment)}
    assert applies == DESIGN_SEGMENTS[key]
    assert not metric.applies_to(None)


def test_the_arr_metrics_go_by_the_segment_at_the_quarter_start():
    """Gross retention, IACV growth and time to IACV growth are the metrics counted by the
    segment the account started the quarter in; every other metric by its current one."""
    assert {metric.key for metric in METRICS if metric.by_start_segment} == {
        "gross_retention",
        "iacv_growth",
        "time_to_iacv_growth",
    }


@pytest.mark.parametrize("key", list(DESIGN_SEGMENTS))
def test_direction_of_each_metric(key):
    """'<= n days' is at most, '> 4.0' is above, up/down/faster/improving compare QoQ,
    every other target ('100%', '75%', '3', '+10%', '>= 90%', 'on target') is at least."""
    assert METRICS_BY_KEY[key].direction == DESIGN_DIRECTIONS.get(key, "at_least")


@pytest.mark.parametrize("key", list(DESIGN_SEGMENTS))
def test_an_empty_scope_has_no_data_for_any_metric(key):
    """No accounts at all: value, numerator, denominator and attained are None (no data),
    never 0 and never a ZeroDivisionError."""
    result = scope([])[key]
    assert (result.numerator, result.denominator, result.value, result.attained) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize("key", list(DESIGN_SEGMENTS))
def test_accounts_outside_the_segments_leave_a_metric_without_data(key):
    """A scope whose only account is in a segment the metric does not cover (or has no
    segment), with every fact set, gives that metric no data."""
    everything = {
        "priority": 1,
        # since 08-02: in the quarter, and so are its 60th (10-01) and 90th (10-31) days
        "customer_since": date(2026, 8, 2),
        "first_engaged_on": date(2026, 8, 3),
        "first_value_on": date(2026, 8, 4),
        "onboarded_on": date(2026, 8, 5),
        "success_plan": "green",
        "success_plan_green_on": date(2026, 7, 1),
        "management_qualified": True,
        "ebr_dates": (date(2026, 9, 1),),
        "attendances": (attended(1, date(2026, 9, 1), onboarding=True, stayed=True, feedback=5),),
        "surveys": tuple(
            survey(kind, date(2026, 9, 1), csat=5, nps=10)
            for kind in ("onboarding", "six_month", "renewal")
        ),
        "stages": (
            stage(date(2026, 3, 1), date(2026, 3, 5), date(2026, 4, 1)),  # 6 months: 09-01
            stage(date(2026, 7, 1), date(2026, 7, 5)),  # 60 days: 08-30
        ),
        "playbooks": (
            playbook("stage_adoption", date(2026, 8, 1), date(2026, 9, 1), "won"),
            playbook("expansion", date(2026, 8, 1), date(2026, 9, 1), "won"),
        ),
        "license_flags": (LicenseFlag(date(2026, 9, 1), True),),
        "green_health_days": (date(2026, 8, 10),),
        "arr_start": D(100_000),
        "arr_end": D(120_000),
        "first_arr_increase_on": date(2026, 9, 1),
    }
    # First check that the facts do make a population where the metric applies.
    inside = sorted(DESIGN_SEGMENTS[key])[0]
    assert run(key, [account(inside, **everything)]).value is not None
    outside = [segment for segment in (*SEGMENTS, None) if segment not in DESIGN_SEGMENTS[key]]
    assert_no_data(run(key, [account(segment, **everything) for segment in outside]))


# --- quarter boundaries (every metric that counts events in the quarter) ------------------


def _clock_account(segment, milestone):
    return lambda day: account(segment, customer_since=day, **{milestone: day})


QUARTER_EVENT = {
    # the population is decided by one day, the argument
    "time_to_first_engage": _clock_account("named", "first_engaged_on"),
    "time_to_first_value": _clock_account("digital", "first_value_on"),
    "time_to_onboard": _clock_account("strategic", "onboarded_on"),
    "success_plan_new": lambda day: account("named", customer_since=day - timedelta(days=60)),
    "success_plan_onboarded": lambda day: account("onboarding", onboarded_on=day),
    "webinar_attendance_new": lambda day: account("mid-touch", customer_since=day),
    "onboarding_nps_csat": lambda day: account(
        "digital", surveys=(survey("onboarding", day, csat=5),)
    ),
    "primary_use_case_green_90d": lambda day: account(
        "mid-touch", customer_since=day - timedelta(days=90)
    ),
    "webinars_per_quarter": lambda day: account("named", attendances=(attended(7, day),)),
    "webinar_stay_rate": lambda day: account("named", attendances=(attended(7, day, stayed=True),)),
    "webinar_feedback": lambda day: account("named", attendances=(attended(7, day, feedback=5),)),
    "stage_initial_adoption_60d": lambda day: account(
        "named", stages=(stage(day - timedelta(days=60)),)
    ),
    "low_license_saves": lambda day: account("named", license_flags=(LicenseFlag(day, True),)),
    "renewal_nps_csat": lambda day: account("named", surveys=(survey("renewal", day, csat=5),)),
    "six_month_nps_csat": lambda day: account(
        "digital", surveys=(survey("six_month", day, csat=5),)
    ),
    "playbooks_completed": lambda day: account(
        "strategic", playbooks=(playbook(started=day - timedelta(days=10), completed=day),)
    ),
    "days_per_playbook": lambda day: account(
        "named", playbooks=(playbook(started=day - timedelta(days=10), completed=day),)
    ),
    "expansion_win_rate": lambda day: account(
        "strategic",
        playbooks=(playbook("expansion", day - timedelta(days=10), day, "won"),),
    ),
    "time_to_iacv_growth": lambda day: account(
        "onboarding", customer_since=day - timedelta(days=100), first_arr_increase_on=day
    ),
}


# Every account in their segments contributes, so an event outside the quarter leaves
# a value of 0 (nothing held / completed), not no data.
COUNTS_EVERY_ACCOUNT = {"webinars_per_quarter", "playbooks_completed"}


def assert_counted(key: str, result: MetricValue, counted: bool) -> None:
    if key in COUNTS_EVERY_ACCOUNT:
        assert result.value == (1 if counted else 0)
    else:
        assert (result.value is not None) is counted


@pytest.mark.parametrize("key", list(QUARTER_EVENT))
@pytest.mark.parametrize(
    ("day", "counted"),
    [
        (date(2026, 7, 31), False),
        (date(2026, 8, 1), True),
        (date(2026, 10, 31), True),
        (date(2026, 11, 1), False),
    ],
    ids=["day-before-first", "first-day", "last-day", "day-after-last"],
)
def test_quarter_boundaries(key, day, counted):
    """In the quarter means first day .. as-of day, both included: an event (customer-since,
    onboarding, survey, webinar, flag, completion, ARR increase, or a 60th/90th-day
    deadline) on the first or last day of FY27-Q3 counts; the day before or after does
    not, and then the scope has no data, except for webinars per quarter and playbooks
    completed, where the one account still counts and the value is 0 (1 when counted:
    one webinar, one playbook)."""
    result = run(key, [QUARTER_EVENT[key](day)])
    assert_counted(key, result, counted)


@pytest.mark.parametrize("key", list(QUARTER_EVENT))
@pytest.mark.parametrize(
    ("day", "counted"),
    [(date(2026, 9, 15), True), (date(2026, 9, 16), False)],
    ids=["as-of-day", "day-after-as-of"],
)
def test_the_as_of_day_caps_a_running_quarter(key, day, counted):
    """FY27-Q3 still running, as of 2026-09-15: an event on the as-of day counts, one on
    the day after (still inside the quarter's dates) does not, yet (for webinars per
    quarter and playbooks completed: value 1, then 0)."""
    result = run(key, [QUARTER_EVENT[key](day)], RUNNING)
    assert_counted(key, result, counted)


# --- time to first engage / value / onboard -----------------------------------------------


def test_time_to_first_engage_median_odd_count_and_share_within_target():
    """Target 10 days. New customers in FY27-Q3 (TAM-assigned):
    - Named 2026-08-03 -> engaged 08-10: 7 days (within)
    - Strategic 2026-08-10 -> engaged 08-20: 10 days (exactly the target: within)
    - Mid-Touch 2026-09-01 -> engaged 09-13: 12 days (late)
    Not counted: an Onboarding account (not TAM-assigned) engaged after 40 days, and a
    Named account whose customer-since (2026-07-31) is in the previous quarter.
    Median of 7, 10, 12 = 10 days <= 10 -> attained; share within target 2/3;
    details: cohort 3, reached 3."""
    accounts = [
        account("named", customer_since=date(2026, 8, 3), first_engaged_on=date(2026, 8, 10)),
        account("strategic", customer_since=date(2026, 8, 10), first_engaged_on=date(2026, 8, 20)),
        account("mid-touch", customer_since=date(2026, 9, 1), first_engaged_on=date(2026, 9, 13)),
        account("onboarding", customer_since=date(2026, 8, 1), first_engaged_on=date(2026, 9, 10)),
        account("named", customer_since=date(2026, 7, 31), first_engaged_on=date(2026, 9, 30)),
    ]
    result = run("time_to_first_engage", accounts)
    assert result.value == 10
    assert (result.numerator, result.denominator) == (2, 3)
    assert result.target == 10
    assert result.attained is True
    assert result.details == {"cohort": "3", "reached": "3"}


def test_time_to_first_engage_median_even_count():
    """Target 10 days. Four Named customers engaged after 5, 8, 13 and 20 days:
    median (8 + 13) / 2 = 10.5 days > 10 -> not attained; within target 2/4."""
    since = date(2026, 8, 1)
    accounts = [
        account("named", customer_since=since, first_engaged_on=since + timedelta(days=days))
        for days in (5, 8, 13, 20)
    ]
    result = run("time_to_first_engage", accounts)
    assert result.value == D("10.5")
    assert (result.numerator, result.denominator) == (2, 4)
    assert result.attained is False


def test_time_to_first_engage_open_clocks():
    """Target 10 days, as of 2026-10-31:
    - Named since 2026-10-18, engaged 10-21: 3 days (within)
    - Named since 2026-10-20, not engaged: 11 days elapsed > 10 -> late: in the
      denominator, and in the median with its 11 days so far (a lower bound)
    - Mid-Touch since 2026-10-21, not engaged: 10 days elapsed, still within the target ->
      neither in the denominator nor in the median
    Median of 3, 11 = 7 <= 10 -> attained; share 1/2; cohort 3, reached 1."""
    accounts = [
        account("named", customer_since=date(2026, 10, 18), first_engaged_on=date(2026, 10, 21)),
        account("named", customer_since=date(2026, 10, 20)),
        account("mid-touch", customer_since=date(2026, 10, 21)),
    ]
    result = run("time_to_first_engage", accounts)
    assert result.value == 7
    assert (result.numerator, result.denominator) == (1, 2)
    assert result.attained is True
    assert result.details == {"cohort": "3", "reached": "1"}


def test_time_to_first_engage_open_clocks_past_the_target_raise_the_median():
    """Target 10 days, as of 2026-10-31: one Named customer since 10-01 engaged 10-06
    (5 days, within), four Named customers since 09-21 not engaged (09-21 .. 10-31 = 40
    days elapsed each, late). Samples 5, 40, 40, 40, 40 -> median 40 > 10 -> not attained
    (leaving the open clocks out would have given 5, attained); share within target 1/5;
    cohort 5, reached 1."""
    accounts = [
        account("named", customer_since=date(2026, 10, 1), first_engaged_on=date(2026, 10, 6)),
        *(account("named", customer_since=date(2026, 9, 21)) for _ in range(4)),
    ]
    result = run("time_to_first_engage", accounts)
    assert result.value == 40
    assert (result.numerator, result.denominator) == (1, 5)
    assert result.attained is False
    assert result.details == {"cohort": "5", "reached": "1"}


def test_clocks_of_a_finished_quarter_are_looked_at_up_to_the_observation_day():
    """Target 10 days. FY27-Q3 finished (as of its last day 10-31), recomputed on
    2026-12-15 (`observed_on`), so milestones are looked for up to 12-15:
    - Named since 10-28, engaged 10-30: 2 days (within)
    - Named since 10-20, engaged 11-05, after the quarter's end: reached, 16 days (late)
    - Named since 10-25, engaged 12-20, after 12-15: not yet; 10-25 .. 12-15 = 51 days
      elapsed > 10 -> late, 51 in the median
    - Named since 11-02: after the quarter's as-of day, not one of its new customers
    Samples 2, 16, 51 -> median 16 > 10 -> not attained; share 1/3; cohort 3, reached 2.
    Without `observed_on` (looked at up to 10-31): 10-20 is not engaged yet, 11 days
    elapsed -> late, 11 in the median; 10-25 has 6 days elapsed, still within -> left
    out. Samples 2, 11 -> median 6.5 -> attained; share 1/2; reached 1."""
    accounts = [
        account("named", customer_since=date(2026, 10, 28), first_engaged_on=date(2026, 10, 30)),
        account("named", customer_since=date(2026, 10, 20), first_engaged_on=date(2026, 11, 5)),
        account("named", customer_since=date(2026, 10, 25), first_engaged_on=date(2026, 12, 20)),
        account("named", customer_since=date(2026, 11, 2), first_engaged_on=date(2026, 11, 3)),
    ]
    later = QuarterWindow(
        "FY27-Q3", date(2026, 8, 1), date(2026, 10, 31), date(2026, 10, 31), date(2026, 12, 15)
    )
    assert later.milestones_until == date(2026, 12, 15)
    assert Q3.milestones_until == date(2026, 10, 31)
    result = run("time_to_first_engage", accounts, later)
    assert result.value == 16
    assert (result.numerator, result.denominator) == (1, 3)
    assert result.attained is False
    assert result.details == {"cohort": "3", "reached": "2"}
    at_the_end = run("time_to_first_engage", accounts)
    assert at_the_end.value == D("6.5")
    assert (at_the_end.numerator, at_the_end.denominator) == (1, 2)
    assert at_the_end.attained is True
    assert at_the_end.details == {"cohort": "3", "reached": "1"}


def test_time_to_first_engage_in_a_running_quarter():
    """As of 2026-09-15 (target 10):
    - Named since 09-10, engaged 09-12: 2 days (within)
    - Named since 09-01, engaged 09-20 (after the as-of day): not engaged yet as of 09-15,
      14 days elapsed > 10 -> late, in the denominator and in the median with 14
    - Named since 09-16: after the as-of day, not a customer of these figures yet
    Median of 2, 14 = 8; share 1/2; cohort 2, reached 1."""
    accounts = [
        account("named", customer_since=date(2026, 9, 10), first_engaged_on=date(2026, 9, 12)),
        account("named", customer_since=date(2026, 9, 1), first_engaged_on=date(2026, 9, 20)),
        account("named", customer_since=date(2026, 9, 16), first_engaged_on=date(2026, 9, 16)),
    ]
    result = run("time_to_first_engage", accounts, RUNNING)
    assert result.value == 8
    assert (result.numerator, result.denominator) == (1, 2)
    assert result.details == {"cohort": "2", "reached": "1"}


def test_time_to_first_engage_no_new_customers_or_no_clock_settled_is_no_data():
    """No customer-since in the quarter -> no data. Two new customers (since 10-25 and
    10-28), neither engaged, 6 and 3 days elapsed, both still within 10 days: no median
    and no settled clock (0/0) -> value None, attained None, no division by zero."""
    assert_no_data(run("time_to_first_engage", [account("named", customer_since=date(2025, 1, 1))]))
    result = run(
        "time_to_first_engage",
        [
            account("named", customer_since=date(2026, 10, 25)),
            account("strategic", customer_since=date(2026, 10, 28)),
        ],
    )
    assert_no_data(result)
    assert (result.numerator, result.denominator) == (0, 0)


def test_time_to_first_value_all_segments():
    """Target 30 days, every segment (not accounts without one):
    - Digital since 08-01, first value 08-31: 30 days (exactly the target: within)
    - Onboarding since 08-15, first value 09-15: 31 days (late)
    - Strategic since 09-01, none yet: 60 days elapsed > 30 -> late, in the denominator
      and in the median with 60
    - Onboarding since 10-05, none yet: 26 days elapsed, still within -> not settled
    - no segment, since 08-01, first value 08-02: not in any metric
    Median of 30, 31, 60 = 31 > 30 -> not attained; share 1/3; cohort 4, reached 2."""
    accounts = [
        account("digital", customer_since=date(2026, 8, 1), first_value_on=date(2026, 8, 31)),
        account("onboarding", customer_since=date(2026, 8, 15), first_value_on=date(2026, 9, 15)),
        account("strategic", customer_since=date(2026, 9, 1)),
        account("onboarding", customer_since=date(2026, 10, 5)),
        account(None, customer_since=date(2026, 8, 1), first_value_on=date(2026, 8, 2)),
    ]
    result = run("time_to_first_value", accounts)
    assert result.value == 31
    assert (result.numerator, result.denominator) == (1, 3)
    assert result.attained is False
    assert result.details == {"cohort": "4", "reached": "2"}


def test_time_to_onboard_target_45_days():
    """Target 45 days, TAM-assigned only:
    - Named since 08-01, onboarded 09-15: 45 days (exactly the target: within)
    - Mid-Touch since 08-01, onboarded 09-16: 46 days (late)
    - Strategic since 08-10, onboarded 08-30: 20 days (within)
    - Named since 09-15, not onboarded: 46 days elapsed > 45 -> late, in the denominator
      and in the median with 46
    - Mid-Touch since 09-16, not onboarded: 45 days elapsed, still within -> not settled
    - Onboarding since 08-01, onboarded 08-20: not TAM-assigned, not counted
    Median of 20, 45, 46, 46 = 45.5 > 45 -> not attained; share 2/4 = 0.5; cohort 5,
    reached 3."""
    accounts = [
        account("named", customer_since=date(2026, 8, 1), onboarded_on=date(2026, 9, 15)),
        account("mid-touch", customer_since=date(2026, 8, 1), onboarded_on=date(2026, 9, 16)),
        account("strategic", customer_since=date(2026, 8, 10), onboarded_on=date(2026, 8, 30)),
        account("named", customer_since=date(2026, 9, 15)),
        account("mid-touch", customer_since=date(2026, 9, 16)),
        account("onboarding", customer_since=date(2026, 8, 1), onboarded_on=date(2026, 8, 20)),
    ]
    result = run("time_to_onboard", accounts)
    assert result.value == D("45.5")
    assert (result.numerator, result.denominator) == (2, 4)
    assert result.attained is False
    assert result.details == {"cohort": "5", "reached": "3"}


# --- success plans ------------------------------------------------------------------------


def test_success_plan_p1_strategic_needs_management_qualification_named_mid_need_green():
    """Target 100%. Pr1 accounts of the TAM-assigned segments:
    - Strategic, management-qualified, plan state 'none' -> yes
    - Strategic, plan green but not management-qualified -> no
    - Named, plan green -> yes
    - Mid-Touch, management-qualified but plan only 'objectives' -> no
    Not in the population: a Named Pr2 account (green) and an Onboarding Pr1 account.
    2/4 = 0.5 < 1 -> not attained."""
    accounts = [
        account("strategic", priority=1, management_qualified=True, success_plan="none"),
        account("strategic", priority=1, management_qualified=False, success_plan="green"),
        account("named", priority=1, success_plan="green"),
        account("mid-touch", priority=1, management_qualified=True, success_plan="objectives"),
        account("named", priority=2, success_plan="green"),
        account("onboarding", priority=1, success_plan="green"),
    ]
    result = run("success_plan_p1", accounts)
    assert (result.numerator, result.denominator, result.value) == (2, 4, D("0.5"))
    assert result.attained is False


def test_success_plan_p1_all_qualified_is_attained_and_no_pr1_is_no_data():
    """A management-qualified Strategic Pr1 and a green Mid-Touch Pr1: 2/2 = 1 >= 1 ->
    attained. A scope with only Pr2 / unknown-priority accounts has no Pr1 population ->
    no data (not 0%)."""
    result = run(
        "success_plan_p1",
        [
            account("strategic", priority=1, management_qualified=True),
            account("mid-touch", priority=1, success_plan="green"),
        ],
    )
    assert (result.numerator, result.denominator, result.value) == (2, 2, 1)
    assert result.attained is True
    assert_no_data(
        run("success_plan_p1", [account("named", priority=2), account("strategic", priority=None)])
    )


def test_success_plan_new_green_within_60_days():
    """Target 100%. Named / Mid-Touch customers whose 60th day falls in FY27-Q3:
    - Named since 2026-06-02: day 60 = 08-01 (first day), green 08-01 -> yes
    - Mid-Touch since 2026-09-01: day 60 = 10-31 (last day), green 10-31 -> yes
    - Named since 2026-07-01: day 60 = 08-30, green 08-31 (day 61) -> no
    - Mid-Touch since 2026-07-10: day 60 = 09-08, never green -> no
    Not in the population: Named since 06-01 (day 60 = 07-31), Named since 09-02
    (day 60 = 11-01), Strategic since 07-01 (segment).
    2/4 = 0.5 < 1 -> not attained."""
    accounts = [
        account("named", customer_since=date(2026, 6, 2), success_plan_green_on=date(2026, 8, 1)),
        account(
            "mid-touch", customer_since=date(2026, 9, 1), success_plan_green_on=date(2026, 10, 31)
        ),
        account("named", customer_since=date(2026, 7, 1), success_plan_green_on=date(2026, 8, 31)),
        account("mid-touch", customer_since=date(2026, 7, 10)),
        account("named", customer_since=date(2026, 6, 1), success_plan_green_on=date(2026, 6, 5)),
        account("named", customer_since=date(2026, 9, 2), success_plan_green_on=date(2026, 9, 5)),
        account(
            "strategic", customer_since=date(2026, 7, 1), success_plan_green_on=date(2026, 7, 15)
        ),
    ]
    result = run("success_plan_new", accounts)
    assert (result.numerator, result.denominator, result.value) == (2, 4, D("0.5"))
    assert result.attained is False


def test_success_plan_new_running_quarter_waits_for_day_60():
    """As of 2026-09-15: Named since 07-17 reaches day 60 on 09-15 (counted, green on
    09-01 -> yes); Named since 07-20 reaches day 60 on 09-18, after the as-of day ->
    not judged yet, although already green. 1/1 = 1 -> attained."""
    accounts = [
        account("named", customer_since=date(2026, 7, 17), success_plan_green_on=date(2026, 9, 1)),
        account("named", customer_since=date(2026, 7, 20), success_plan_green_on=date(2026, 8, 1)),
    ]
    result = run("success_plan_new", accounts, RUNNING)
    assert (result.numerator, result.denominator, result.value) == (1, 1, 1)
    assert result.attained is True


def test_success_plan_onboarded():
    """Target 100%. Onboarding-segment customers that completed onboarding in FY27-Q3:
    - onboarded 08-01 (first day), plan green -> completed
    - onboarded 10-31 (last day), plan none -> no
    - onboarded 09-01, plan unclear -> no
    Not in the population: onboarded 07-31 and 11-01 (green), a Named account onboarded
    09-01 (segment), an Onboarding account not onboarded yet.
    1/3 = 0.3333 -> not attained."""
    accounts = [
        account("onboarding", onboarded_on=date(2026, 8, 1), success_plan="green"),
        account("onboarding", onboarded_on=date(2026, 10, 31), success_plan="none"),
        account("onboarding", onboarded_on=date(2026, 9, 1), success_plan="unclear"),
        account("onboarding", onboarded_on=date(2026, 7, 31), success_plan="green"),
        account("onboarding", onboarded_on=date(2026, 11, 1), success_plan="green"),
        account("named", onboarded_on=date(2026, 9, 1), success_plan="green"),
        account("onboarding", customer_since=date(2026, 9, 1), success_plan="green"),
    ]
    result = run("success_plan_onboarded", accounts)
    assert (result.numerator, result.denominator, result.value) == (1, 3, D("0.3333"))
    assert result.attained is False


def test_success_plan_onboarded_objectives_only_is_not_a_completed_plan():
    """DESIGN 2: plan states none / unclear / objectives ('objectives and due date only') /
    green ('fully green, at least 3 objectives'); DESIGN 5: share with a *completed* plan.
    Two Onboarding customers onboarded in the quarter, one green, one with objectives only:
    only the green plan is completed -> 1/2 = 0.5 < 1 -> not attained."""
    accounts = [
        account("onboarding", onboarded_on=date(2026, 9, 1), success_plan="green"),
        account("onboarding", onboarded_on=date(2026, 9, 2), success_plan="objectives"),
    ]
    result = run("success_plan_onboarded", accounts)
    assert (result.numerator, result.denominator, result.value) == (1, 2, D("0.5"))
    assert result.attained is False


# --- EBR coverage -------------------------------------------------------------------------


def test_ebr_coverage_population_and_12_month_window():
    """As of 2026-10-31 the last 12 months are 2025-11-01 .. 2026-10-31.
    Population: every Strategic account, and Pr1 accounts of Named / Mid-Touch:
    - Strategic Pr2, EBR 2025-11-01 (first day of the window) -> yes
    - Strategic without a priority, EBR 2025-10-31 (a day before the window) -> no
    - Named Pr1, EBR 2026-10-31 (the as-of day) -> yes
    - Mid-Touch Pr1, no EBR -> no
    Not in the population: Named Pr2 and Mid-Touch Pr3 (EBRs in the window), an
    Onboarding Pr1 account (not TAM-assigned).
    2/4 = 0.5 < 0.75 (the Strategic target) -> not attained."""
    accounts = [
        account("strategic", priority=2, ebr_dates=(date(2025, 11, 1),)),
        account("strategic", priority=None, ebr_dates=(date(2025, 10, 31),)),
        account("named", priority=1, ebr_dates=(date(2026, 10, 31),)),
        account("mid-touch", priority=1),
        account("named", priority=2, ebr_dates=(date(2026, 9, 1),)),
        account("mid-touch", priority=3, ebr_dates=(date(2026, 9, 1),)),
        account("onboarding", priority=1, ebr_dates=(date(2026, 9, 1),)),
    ]
    result = run("ebr_coverage", accounts)
    assert (result.numerator, result.denominator, result.value) == (2, 4, D("0.5"))
    assert result.target == D("0.75")
    assert result.attained is False


def test_ebr_coverage_named_mid_touch_target_50_percent():
    """Named / Mid-Touch scope with its own target 50%: Named Pr1 with an EBR on
    2026-03-01, Mid-Touch Pr1 without -> 1/2 = 0.5 >= 0.5 -> attained."""
    accounts = [
        account("named", priority=1, ebr_dates=(date(2026, 3, 1),)),
        account("mid-touch", priority=1),
    ]
    result = run("ebr_coverage", accounts, target=D("0.5"))
    assert (result.numerator, result.denominator, result.value) == (1, 2, D("0.5"))
    assert result.attained is True


def test_ebr_coverage_running_quarter_and_no_population():
    """As of 2026-09-15 the window is 2025-09-16 .. 2026-09-15:
    - Strategic, EBR 2025-09-16 -> yes
    - Strategic, EBR 2025-09-15 -> no
    - Strategic, EBR 2026-09-20 (after the as-of day) -> no
    1/3 = 0.3333. A scope with only Named Pr2 accounts has no population -> no data."""
    accounts = [
        account("strategic", ebr_dates=(date(2025, 9, 16),)),
        account("strategic", ebr_dates=(date(2025, 9, 15),)),
        account("strategic", ebr_dates=(date(2026, 9, 20),)),
    ]
    result = run("ebr_coverage", accounts, RUNNING)
    assert (result.numerator, result.denominator, result.value) == (1, 3, D("0.3333"))
    assert_no_data(
        run("ebr_coverage", [account("named", priority=2, ebr_dates=(date(2026, 9, 1),))])
    )


# --- onboarding webinars, surveys, health -------------------------------------------------


def test_webinar_attendance_new():
    """Target 50%. Named / Mid-Touch customers whose customer-since is in FY27-Q3:
    - Named since 08-10, attended an onboarding webinar on 08-20 -> yes
    - Mid-Touch since 09-01, attended only a non-onboarding webinar on 09-05 -> no
    - Named since 09-10, attended an onboarding webinar on 09-01, before becoming a
      customer -> no
    Not in the population: Named since 07-15 and a Digital customer since 08-10 (both
    attended). 1/3 = 0.3333 < 0.5 -> not attained."""
    accounts = [
        account(
            "named",
            customer_since=date(2026, 8, 10),
            attendances=(attended(1, date(2026, 8, 20), onboarding=True),),
        ),
        account(
            "mid-touch",
            customer_since=date(2026, 9, 1),
            attendances=(attended(2, date(2026, 9, 5)),),
        ),
        account(
            "named",
            customer_since=date(2026, 9, 10),
            attendances=(attended(3, date(2026, 9, 1), onboarding=True),),
        ),
        account(
            "named",
            customer_since=date(2026, 7, 15),
            attendances=(attended(1, date(2026, 8, 20), onboarding=True),),
        ),
        account(
            "digital",
            customer_since=date(2026, 8, 10),
            attendances=(attended(1, date(2026, 8, 20), onboarding=True),),
        ),
    ]
    result = run("webinar_attendance_new", accounts)
    assert (result.numerator, result.denominator, result.value) == (1, 3, D("0.3333"))
    assert result.attained is False


def test_webinar_attendance_new_running_quarter():
    """As of 2026-09-15: Named since 09-01 attending an onboarding webinar on 09-20 has not
    attended yet; Mid-Touch since 08-05 attended on 08-12. 1/2 = 0.5 >= 0.5 -> attained."""
    accounts = [
        account(
            "named",
            customer_since=date(2026, 9, 1),
            attendances=(attended(1, date(2026, 9, 20), onboarding=True),),
        ),
        account(
            "mid-touch",
            customer_since=date(2026, 8, 5),
            attendances=(attended(2, date(2026, 8, 12), onboarding=True),),
        ),
    ]
    result = run("webinar_attendance_new", accounts, RUNNING)
    assert (result.numerator, result.denominator, result.value) == (1, 2, D("0.5"))
    assert result.attained is True


def test_onboarding_nps_csat_average_csat_and_nps_in_details():
    """Target > 4.0. Onboarding surveys answered in FY27-Q3 by Named, Mid-Touch, Digital:
    - Named: 08-01 CSAT 5 / NPS 10; 10-31 CSAT 4 / NPS 9
    - Digital: 09-01 CSAT 3 / NPS 6
    - Mid-Touch: 09-10 NPS 7, no CSAT
    Not counted: a Named onboarding survey on 07-31 and one on 11-01, a Named renewal
    survey, an Onboarding-segment and a Strategic onboarding survey (all CSAT 1, NPS 0).
    CSAT (5 + 4 + 3) / 3 = 4.0, not above 4.0 -> not attained.
    NPS: 4 responses (10, 9, 6, 7), promoters (9-10) 2, detractors (0-6) 1 ->
    (2 - 1) / 4 = +25.0 points."""
    low = {"csat": 1, "nps": 0}
    accounts = [
        account(
            "named",
            surveys=(
                survey("onboarding", date(2026, 8, 1), csat=5, nps=10),
                survey("onboarding", date(2026, 10, 31), csat=4, nps=9),
                survey("onboarding", date(2026, 7, 31), **low),
                survey("onboarding", date(2026, 11, 1), **low),
                survey("renewal", date(2026, 9, 1), **low),
            ),
        ),
        account("digital", surveys=(survey("onboarding", date(2026, 9, 1), csat=3, nps=6),)),
        account("mid-touch", surveys=(survey("onboarding", date(2026, 9, 10), nps=7),)),
        account("onboarding", surveys=(survey("onboarding", date(2026, 9, 1), **low),)),
        account("strategic", surveys=(survey("onboarding", date(2026, 9, 1), **low),)),
    ]
    result = run("onboarding_nps_csat", accounts)
    assert (result.numerator, result.denominator, result.value) == (12, 3, D(4))
    assert result.attained is False
    assert result.details["nps"] == "25.0"
    assert (
        result.details["responses"],
        result.details["promoters"],
        result.details["detractors"],
    ) == ("4", "2", "1")


def test_onboarding_nps_csat_above_target_and_no_surveys():
    """CSAT 5 and 4 -> 4.5 > 4.0 -> attained; NPS 9 and 8: 1 promoter, no detractor of 2
    -> +50.0. A quarter with no onboarding surveys -> no data. Surveys with an NPS but no
    CSAT: no CSAT average (0/0) -> no data, and the NPS is still reported (1 detractor of
    1 -> -100.0)."""
    result = run(
        "onboarding_nps_csat",
        [
            account("named", surveys=(survey("onboarding", date(2026, 8, 5), csat=5, nps=9),)),
            account("digital", surveys=(survey("onboarding", date(2026, 8, 6), csat=4, nps=8),)),
        ],
    )
    assert result.value == D("4.5")
    assert result.attained is True
    assert result.details["nps"] == "50.0"
    assert_no_data(run("onboarding_nps_csat", [account("named")]))
    nps_only = run(
        "onboarding_nps_csat",
        [account("named", surveys=(survey("onboarding", date(2026, 8, 5), nps=3),))],
    )
    assert_no_data(nps_only)
    assert nps_only.details["nps"] == "-100.0"


def test_primary_use_case_green_within_90_days():
    """Target 100%. Named / Mid-Touch customers whose 90th day falls in FY27-Q3:
    - Named since 2026-05-03: day 90 = 08-01 (first day), green on 08-01 -> yes
    - Mid-Touch since 2026-08-02: day 90 = 10-31 (last day), green on 10-31 -> yes
    - Named since 2026-06-01: day 90 = 08-30, green only on 08-31 (day 91) -> no
    Not in the population: Named since 05-02 (day 90 = 07-31), Named since 08-03
    (day 90 = 11-01), a Digital customer since 05-03 (segment).
    2/3 = 0.6667 < 1 -> not attained."""
    accounts = [
        account("named", customer_since=date(2026, 5, 3), green_health_days=(date(2026, 8, 1),)),
        account(
            "mid-touch", customer_since=date(2026, 8, 2), green_health_days=(date(2026, 10, 31),)
        ),
        account("named", customer_since=date(2026, 6, 1), green_health_days=(date(2026, 8, 31),)),
        account("named", customer_since=date(2026, 5, 2), green_health_days=(date(2026, 6, 1),)),
        account("named", customer_since=date(2026, 8, 3), green_health_days=(date(2026, 8, 4),)),
        account("digital", customer_since=date(2026, 5, 3), green_health_days=(date(2026, 6, 1),)),
    ]
    result = run("primary_use_case_green_90d", accounts)
    assert (result.numerator, result.denominator, result.value) == (2, 3, D("0.6667"))
    assert result.attained is False


def test_primary_use_case_green_90d_running_quarter():
    """As of 2026-09-15: Named since 06-17 (day 90 = 09-15, green 07-01) -> yes; Named
    since 06-18 (day 90 = 09-16) not judged yet. 1/1 -> attained."""
    accounts = [
        account("named", customer_since=date(2026, 6, 17), green_health_days=(date(2026, 7, 1),)),
        account("named", customer_since=date(2026, 6, 18)),
    ]
    result = run("primary_use_case_green_90d", accounts, RUNNING)
    assert (result.numerator, result.denominator, result.value) == (1, 1, 1)
    assert result.attained is True


# --- webinars -----------------------------------------------------------------------------


def test_webinars_per_quarter_counts_distinct_webinars_across_accounts():
    """Target 3. Attendances of Named / Mid-Touch accounts in FY27-Q3:
    - Named A: webinar 1 (08-05), webinar 2 (09-10)
    - Mid-Touch B: webinar 2 (09-10), webinar 3 (10-31)
    - Named C: webinar 4 (11-01) and webinar 5 (07-31): outside the quarter
    - Digital D: webinar 6 (09-01): not in the segments
    Distinct webinars {1, 2, 3} = 3 (webinar 2 counted once) >= 3 -> attained."""
    accounts = [
        account(
            "named", attendances=(attended(1, date(2026, 8, 5)), attended(2, date(2026, 9, 10)))
        ),
        account(
            "mid-touch",
            attendances=(attended(2, date(2026, 9, 10)), attended(3, date(2026, 10, 31))),
        ),
        account(
            "named", attendances=(attended(4, date(2026, 11, 1)), attended(5, date(2026, 7, 31)))
        ),
        account("digital", attendances=(attended(6, date(2026, 9, 1)),)),
    ]
    result = run("webinars_per_quarter", accounts)
    assert result.value == 3
    assert result.numerator == 3
    assert result.attained is True


def test_webinars_per_quarter_below_target():
    """Webinars 1 and 2, attended by two accounts each: 2 distinct < 3 -> not attained."""
    accounts = [
        account(
            "named", attendances=(attended(1, date(2026, 8, 5)), attended(2, date(2026, 9, 1)))
        ),
        account(
            "named", attendances=(attended(1, date(2026, 8, 5)), attended(2, date(2026, 9, 1)))
        ),
    ]
    result = run("webinars_per_quarter", accounts)
    assert result.value == 2
    assert result.attained is False


def test_webinar_stay_rate():
    """Target 80%. Attendances in FY27-Q3 with a known 'stayed':
    - Named A: stayed, stayed, stayed
    - Mid-Touch B: left early, stayed; one with 'stayed' unknown (not counted)
    Not counted: B's attendance on 11-01 (left early), a Digital attendance (left early).
    4/5 = 0.8 >= 0.8 -> attained."""
    accounts = [
        account(
            "named",
            attendances=tuple(attended(n, date(2026, 8, n), stayed=True) for n in (1, 2, 3)),
        ),
        account(
            "mid-touch",
            attendances=(
                attended(4, date(2026, 9, 1), stayed=False),
                attended(5, date(2026, 9, 2), stayed=True),
                attended(6, date(2026, 9, 3), stayed=None),
                attended(7, date(2026, 11, 1), stayed=False),
            ),
        ),
        account("digital", attendances=(attended(4, date(2026, 9, 1), stayed=False),)),
    ]
    result = run("webinar_stay_rate", accounts)
    assert (result.numerator, result.denominator, result.value) == (4, 5, D("0.8"))
    assert result.attained is True


def test_webinar_feedback_average_above_4():
    """Target > 4.0. Scores 5, 4, 3 (and one attendance without a score) ->
    12 / 3 = 4.0, not above -> not attained; with one more 5: 17 / 4 = 4.25 -> attained.
    A Digital account's 1 is not counted."""
    named = account(
        "named",
        attendances=(
            attended(1, date(2026, 8, 5), feedback=5),
            attended(2, date(2026, 8, 6), feedback=4),
            attended(3, date(2026, 8, 7), feedback=3),
            attended(4, date(2026, 8, 8)),
        ),
    )
    digital = account("digital", attendances=(attended(1, date(2026, 8, 5), feedback=1),))
    result = run("webinar_feedback", [named, digital])
    assert (result.numerator, result.denominator, result.value) == (12, 3, D(4))
    assert result.attained is False
    more = account("mid-touch", attendances=(attended(1, date(2026, 8, 5), feedback=5),))
    result = run("webinar_feedback", [named, digital, more])
    assert (result.numerator, result.denominator, result.value) == (17, 4, D("4.25"))
    assert result.attained is True


def test_webinar_metrics_without_attendances_in_the_quarter():
    """Named / Mid-Touch accounts with no attendance in the quarter (one attended on
    2026-05-01): every account in the segments counts for webinars per quarter, so the
    scope held 0 webinars (< 3 -> not attained), not no data; no stay data and no
    feedback -> no data. A scope whose only account is Digital (with an attendance in the
    quarter) has no account in the segments -> no data for all three."""
    accounts = [
        account("named"),
        account("mid-touch", attendances=(attended(1, date(2026, 5, 1)),)),
    ]
    held = run("webinars_per_quarter", accounts)
    assert (held.numerator, held.value) == (0, 0)
    assert held.attained is False
    for key in ("webinar_stay_rate", "webinar_feedback"):
        assert_no_data(run(key, accounts))
    digital = [account("digital", attendances=(attended(1, date(2026, 9, 1), stayed=True),))]
    for key in ("webinars_per_quarter", "webinar_stay_rate", "webinar_feedback"):
        assert_no_data(run(key, digital))


# --- stage adoption -----------------------------------------------------------------------


def test_active_stage_play():
    """Target 50%. Named / Mid-Touch accounts, as of 2026-10-31:
    - Named: stage adoption play started 08-01, open -> yes
    - Mid-Touch: stage adoption play started 05-01, completed 11-15 (after the as-of day)
      -> still active -> yes
    - Named: stage adoption play completed 10-31 -> not open any more -> no
    - Named: an open expansion play only -> no
    - Named: no play -> no
    Not in the population: a Strategic account with an open play.
    2/5 = 0.4 < 0.5 -> not attained."""
    accounts = [
        account("named", playbooks=(playbook(started=date(2026, 8, 1)),)),
        account(
            "mid-touch",
            playbooks=(playbook(started=date(2026, 5, 1), completed=date(2026, 11, 15)),),
        ),
        account(
            "named",
            playbooks=(playbook(started=date(2026, 8, 1), completed=date(2026, 10, 31)),),
        ),
        account("named", playbooks=(playbook("expansion", started=date(2026, 8, 1)),)),
        account("named"),
        account("strategic", playbooks=(playbook(started=date(2026, 8, 1)),)),
    ]
    result = run("active_stage_play", accounts)
    assert (result.numerator, result.denominator, result.value) == (2, 5, D("0.4"))
    assert result.attained is False


def test_active_stage_play_running_quarter():
    """As of 2026-09-15: a play starting 09-20 is not active yet; a play completed on
    10-01 is still active. 1/2 = 0.5 >= 0.5 -> attained."""
    accounts = [
        account("named", playbooks=(playbook(started=date(2026, 9, 20)),)),
        account(
            "named", playbooks=(playbook(started=date(2026, 8, 1), completed=date(2026, 10, 1)),)
        ),
    ]
    result = run("active_stage_play", accounts, RUNNING)
    assert (result.numerator, result.denominator, result.value) == (1, 2, D("0.5"))
    assert result.attained is True


def test_two_stages_adopted():
    """Target 90%. Stages enabled by the as-of day 2026-10-31:
    - Named: enabled 2025-01-01 and 2026-10-31 -> 2 -> yes
    - Mid-Touch: 3 stages -> yes
    - Named: one stage, plus one enabled 11-01 (after the as-of day) -> 1 -> no
    - Named: none -> no
    2/4 = 0.5 < 0.9 -> not attained."""
    accounts = [
        account("named", stages=(stage(date(2025, 1, 1)), stage(date(2026, 10, 31)))),
        account("mid-touch", stages=tuple(stage(date(2026, 1, n)) for n in (1, 2, 3))),
        account("named", stages=(stage(date(2026, 2, 1)), stage(date(2026, 11, 1)))),
        account("named"),
    ]
    result = run("two_stages_adopted", accounts)
    assert (result.numerator, result.denominator, result.value) == (2, 4, D("0.5"))
    assert result.attained is False


def test_stages_adopted_growth_quarter_over_quarter():
    """Target +10%. Stages adopted at the quarter's start (enabled by 2026-07-31) and by
    the as-of day 2026-10-31, summed over the book:
    - Named: 2025-03-01, 2026-07-31 (2 at the start), + 2026-08-01 -> 3
    - Mid-Touch: 2026-01-01 (1), + 2026-10-31 -> 2; one enabled 11-01 is not counted
    - Named: none -> 0, 0
    - Mid-Touch: 2 at the start, 2 now
    Start 5, now 7: growth (7 - 5) / 5 = 0.4 >= 0.1 -> attained."""
    accounts = [
        account(
            "named",
            stages=(stage(date(2025, 3, 1)), stage(date(2026, 7, 31)), stage(date(2026, 8, 1))),
        ),
        account(
            "mid-touch",
            stages=(stage(date(2026, 1, 1)), stage(date(2026, 10, 31)), stage(date(2026, 11, 1))),
        ),
        account("named"),
        account("mid-touch", stages=(stage(date(2025, 1, 1)), stage(date(2025, 2, 1)))),
    ]
    result = run("stages_adopted_growth", accounts)
    assert (result.numerator, result.denominator, result.value) == (2, 5, D("0.4"))
    assert result.attained is True


def test_stages_adopted_in_a_running_quarter():
    """As of 2026-09-15 (the quarter's dates run to 10-31):
    - Named A, stages enabled 2026-05-01, 09-15, 09-20 -> 2 adopted by the as-of day
    - Named B, stages enabled 2026-05-01, 09-20 -> 1 adopted by the as-of day
    two_stages_adopted: A yes, B no -> 1/2 = 0.5.
    stages_adopted_growth: 2 at the start (1 + 1), 3 now (2 + 1) -> 1/2 = 0.5."""
    accounts = [
        account(
            "named",
            stages=(stage(date(2026, 5, 1)), stage(date(2026, 9, 15)), stage(date(2026, 9, 20))),
        ),
        account("named", stages=(stage(date(2026, 5, 1)), stage(date(2026, 9, 20)))),
    ]
    results = scope(accounts, RUNNING)
    two = results["two_stages_adopted"]
    assert (two.numerator, two.denominator, two.value) == (1, 2, D("0.5"))
    growth = results["stages_adopted_growth"]
    assert (growth.numerator, growth.denominator, growth.value) == (1, 2, D("0.5"))


def test_stages_adopted_growth_flat_or_from_nothing():
    """10 stages at the start, 10 now -> 0/10 = 0 < 0.1 -> not attained. A book with no
    stage at the quarter's start has no base to grow from -> no data, not a division by
    zero."""
    flat = [account("named", stages=tuple(stage(date(2025, n, 1)) for n in range(1, 11)))]
    result = run("stages_adopted_growth", flat)
    assert (result.numerator, result.denominator, result.value) == (0, 10, 0)
    assert result.attained is False
    assert_no_data(
        run("stages_adopted_growth", [account("named", stages=(stage(date(2026, 8, 5)),))])
    )


def test_stage_initial_adoption_within_60_days():
    """Target 100%. Enabled stages whose 60th day falls in FY27-Q3 (counted per stage):
    - enabled 2026-06-02 (day 60 = 08-01), 10% reached 08-01 -> yes
    - enabled 2026-09-01 (day 60 = 10-31), 10% reached 11-01 (day 61) -> no
    - enabled 2026-07-15 (day 60 = 09-13), never reached -> no
    Not counted: enabled 06-01 (day 60 = 07-31), enabled 09-02 (day 60 = 11-01), a
    Digital account's stage enabled 07-15.
    1/3 = 0.3333 < 1 -> not attained."""
    accounts = [
        account(
            "named",
            stages=(
                stage(date(2026, 6, 2), initial=date(2026, 8, 1)),
                stage(date(2026, 9, 1), initial=date(2026, 11, 1)),
                stage(date(2026, 6, 1), initial=date(2026, 6, 10)),
            ),
        ),
        account(
            "mid-touch",
            stages=(
                stage(date(2026, 7, 15)),
                stage(date(2026, 9, 2), initial=date(2026, 9, 3)),
            ),
        ),
        account("digital", stages=(stage(date(2026, 7, 15), initial=date(2026, 7, 20)),)),
    ]
    result = run("stage_initial_adoption_60d", accounts)
    assert (result.numerator, result.denominator, result.value) == (1, 3, D("0.3333"))
    assert result.attained is False


def test_stage_broad_adoption_within_6_months():
    """Target 100%. Enabled stages whose 6 months (calendar months) end in FY27-Q3:
    - enabled 2026-02-01 (ends 08-01, the first day), 50% reached 08-01 -> yes
    - enabled 2026-04-30 (ends 10-30), 50% reached 10-31 (a day late) -> no
    - enabled 2026-03-15 (ends 09-15), 50% reached 05-01 -> yes
    Not counted: enabled 2026-01-31 (ends 07-31) and 2026-05-01 (ends 11-01).
    2/3 = 0.6667 < 1 -> not attained."""
    accounts = [
        account(
            "named",
            stages=(
                stage(date(2026, 2, 1), broad=date(2026, 8, 1)),
                stage(date(2026, 4, 30), broad=date(2026, 10, 31)),
                stage(date(2026, 1, 31), broad=date(2026, 3, 1)),
            ),
        ),
        account(
            "mid-touch",
            stages=(
                stage(date(2026, 3, 15), broad=date(2026, 5, 1)),
                stage(date(2026, 5, 1), broad=date(2026, 6, 1)),
            ),
        ),
    ]
    result = run("stage_broad_adoption_6m", accounts)
    assert (result.numerator, result.denominator, result.value) == (2, 3, D("0.6667"))
    assert result.attained is False


def test_stage_broad_adoption_6m_running_quarter_and_month_end():
    """As of 2026-09-15: enabled 03-15 (6 months end 09-15) counts, enabled 03-16 (ends
    09-16) not yet. FY27-Q1 (2026-02-01 .. 04-30): enabled 2025-08-31, its 6 months end
    on 2026-02-28 (clamped to the month's end), 50% reached 03-01 -> late. Each 0/1."""
    running = run(
        "stage_broad_adoption_6m",
        [account("named", stages=(stage(date(2026, 3, 15)), stage(date(2026, 3, 16))))],
        RUNNING,
    )
    assert (running.numerator, running.denominator) == (0, 1)
    q1 = QuarterWindow("FY27-Q1", date(2026, 2, 1), date(2026, 4, 30), date(2026, 4, 30))
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    clamped = run(
        "stage_broad_adoption_6m",
        [account("named", stages=(stage(date(2025, 8, 31), broad=date(2026, 3, 1)),))],
        q1,
    )
    assert (clamped.numerator, clamped.denominator, clamped.value) == (0, 1, 0)


# --- low licence utilisation saves, renewal and six-month surveys -------------------------


def test_low_license_saves_compares_with_the_previous_quarter():
    """Improving QoQ. Named / Mid-Touch accounts flagged in FY27-Q3 (one flag each):
    - Named flagged 08-01, saved -> yes
    - Named flagged 10-31, not saved -> no
    - Mid-Touch flagged 09-01, saved -> yes
    - Mid-Touch flagged 09-05, outcome unknown -> not saved
    Not counted: flags on 07-31 and 11-01 (saved), a Digital account's saved flag.
    2/4 = 0.5: previous 0.4 -> improved (attained); previous 0.5 -> not; no previous
    value -> attained None. The target shown is the previous value."""
    accounts = [
        account("named", license_flags=(LicenseFlag(date(2026, 8, 1), True),)),
        account("named", license_flags=(LicenseFlag(date(2026, 10, 31), False),)),
        account("mid-touch", license_flags=(LicenseFlag(date(2026, 9, 1), True),)),
        account("mid-touch", license_flags=(LicenseFlag(date(2026, 9, 5), None),)),
        account("named", license_flags=(LicenseFlag(date(2026, 7, 31), True),)),
        account("named", license_flags=(LicenseFlag(date(2026, 11, 1), True),)),
        account("digital", license_flags=(LicenseFlag(date(2026, 9, 1), True),)),
    ]
    result = run("low_license_saves", accounts, previous=D("0.4"))
    assert (result.numerator, result.denominator, result.value) == (2, 4, D("0.5"))
    assert result.target == D("0.4")
    assert result.attained is True
    assert run("low_license_saves", accounts, previous=D("0.5")).attained is False
    assert run("low_license_saves", accounts).attained is None


def test_low_license_saves_population_is_accounts_not_flags():
    """DESIGN 5: population 'accounts flagged low utilisation', value 'share saved'.
    Named A flagged on 08-01 and again on 09-15, saved both times; Named B flagged on
    09-01, not saved. Accounts flagged 2, saved 1 -> 1/2 = 0.5 (counting flags would give
    2/3 = 0.6667)."""
    accounts = [
        account(
            "named",
            license_flags=(
                LicenseFlag(date(2026, 8, 1), True),
                LicenseFlag(date(2026, 9, 15), True),
            ),
        ),
        account("named", license_flags=(LicenseFlag(date(2026, 9, 1), False),)),
    ]
    result = run("low_license_saves", accounts)
    assert (result.numerator, result.denominator, result.value) == (1, 2, D("0.5"))


def test_low_license_saves_an_account_is_saved_if_any_flag_in_the_quarter_was():
    """Accounts flagged in FY27-Q3:
    - Mid-Touch flagged 08-10 (not saved) and 10-01 (saved) -> saved
    - Named flagged 09-10 (not saved) and 09-20 (outcome unknown) -> not saved
    - Named flagged 2026-07-20 (saved, the previous quarter) and 09-10 (not saved): only
      the flag in the quarter counts -> not saved
    - Named flagged only on 2026-07-20 (saved): not flagged in the quarter, not counted
    1 saved of 3 accounts = 0.3333."""
    accounts = [
        account(
            "mid-touch",
            license_flags=(
                LicenseFlag(date(2026, 8, 10), False),
                LicenseFlag(date(2026, 10, 1), True),
            ),
        ),
        account(
            "named",
            license_flags=(
                LicenseFlag(date(2026, 9, 10), False),
                LicenseFlag(date(2026, 9, 20), None),
            ),
        ),
        account(
            "named",
            license_flags=(
                LicenseFlag(date(2026, 7, 20), True),
                LicenseFlag(date(2026, 9, 10), False),
            ),
        ),
        account("named", license_flags=(LicenseFlag(date(2026, 7, 20), True),)),
    ]
    result = run("low_license_saves", accounts)
    assert (result.numerator, result.denominator, result.value) == (1, 3, D("0.3333"))


def test_renewal_nps_csat():
    """Target > 4.0. Renewal surveys of Named / Mid-Touch accounts in FY27-Q3:
    CSAT 5 / NPS 2, CSAT 5 / NPS 5, CSAT 3 / NPS 10.
    Not counted: a Named onboarding survey, a Digital renewal survey, a Named renewal
    survey answered 11-01 (all CSAT 1).
    CSAT 13 / 3 = 4.3333 > 4.0 -> attained. NPS: promoters 1, detractors 2 of 3 ->
    (1 - 2) / 3 = -33.3 points."""
    accounts = [
        account(
            "named",
            surveys=(
                survey("renewal", date(2026, 8, 1), csat=5, nps=2),
                survey("onboarding", date(2026, 8, 1), csat=1, nps=0),
                survey("renewal", date(2026, 11, 1), csat=1, nps=0),
            ),
        ),
        account("mid-touch", surveys=(survey("renewal", date(2026, 9, 1), csat=5, nps=5),)),
        account("named", surveys=(survey("renewal", date(2026, 10, 31), csat=3, nps=10),)),
        account("digital", surveys=(survey("renewal", date(2026, 9, 1), csat=1, nps=0),)),
    ]
    result = run("renewal_nps_csat", accounts)
    assert (result.numerator, result.denominator, result.value) == (13, 3, D("4.3333"))
    assert result.attained is True
    assert result.details["nps"] == "-33.3"
    assert_no_data(run("renewal_nps_csat", [account("named", surveys=accounts[0].surveys[1:2])]))


def test_six_month_nps_csat_digital_only():
    """Target > 4.0, Digital only. Digital six-month surveys CSAT 5 and 4 -> 4.5 ->
    attained. Not counted: a Named and an Onboarding six-month survey (CSAT 1), a Digital
    onboarding survey (CSAT 1). A quarter with no six-month survey -> no data."""
    accounts = [
        account(
            "digital",
            surveys=(
                survey("six_month", date(2026, 8, 20), csat=5, nps=9),
                survey("onboarding", date(2026, 8, 20), csat=1),
            ),
        ),
        account("digital", surveys=(survey("six_month", date(2026, 9, 20), csat=4),)),
        account("named", surveys=(survey("six_month", date(2026, 9, 20), csat=1),)),
        account("onboarding", surveys=(survey("six_month", date(2026, 9, 20), csat=1),)),
    ]
    result = run("six_month_nps_csat", accounts)
    assert (result.numerator, result.denominator, result.value) == (9, 2, D("4.5"))
    assert result.attained is True
    assert_no_data(run("six_month_nps_csat", accounts[2:]))


def test_survey_after_the_as_of_day_is_not_counted():
    """As of 2026-09-15: onboarding surveys answered 09-15 (CSAT 5) and 09-16 (CSAT 1)
    -> only the first: 5 / 1 = 5."""
    accounts = [
        account(
            "named",
            surveys=(
                survey("onboarding", date(2026, 9, 15), csat=5),
                survey("onboarding", date(2026, 9, 16), csat=1),
            ),
        )
    ]
    result = run("onboarding_nps_csat", accounts, RUNNING)
    assert (result.numerator, result.denominator, result.value) == (5, 1, 5)


# --- playbooks ----------------------------------------------------------------------------


def test_playbooks_completed_counts_and_compares_with_previous_quarter():
    """Up QoQ, TAM-assigned. Playbooks completed in FY27-Q3:
    - Strategic: a stage adoption play completed 08-01, an expansion play completed
      10-31 (won)
    - Named: a stage adoption play completed 09-10; an open play; plays completed 07-31
      and 11-01 (outside)
    - Onboarding: a play completed 09-01 (not TAM-assigned)
    Count 3: previous 2 -> up (attained); previous 3 -> not; no previous -> None."""
    accounts = [
        account(
            "strategic",
            playbooks=(
                playbook(started=date(2026, 7, 1), completed=date(2026, 8, 1)),
                playbook("expansion", date(2026, 7, 1), date(2026, 10, 31), "won"),
            ),
        ),
        account(
            "named",
            playbooks=(
                playbook(started=date(2026, 8, 1), completed=date(2026, 9, 10)),
                playbook(started=date(2026, 8, 1)),
                playbook(started=date(2026, 6, 1), completed=date(2026, 7, 31)),
                playbook(started=date(2026, 9, 1), completed=date(2026, 11, 1)),
            ),
        ),
        account(
            "onboarding",
            playbooks=(playbook(started=date(2026, 8, 1), completed=date(2026, 9, 1)),),
        ),
    ]
    result = run("playbooks_completed", accounts, previous=D(2))
    assert result.value == 3
    assert result.target == 2
    assert result.attained is True
    assert run("playbooks_completed", accounts, previous=D(3)).attained is False
    assert run("playbooks_completed", accounts).attained is None


def test_playbooks_completed_in_a_running_quarter():
    """As of 2026-09-15: completed 09-15 counts, completed 09-20 does not yet -> 1."""
    accounts = [
        account(
            "named",
            playbooks=(
                playbook(started=date(2026, 8, 1), completed=date(2026, 9, 15)),
                playbook(started=date(2026, 8, 1), completed=date(2026, 9, 20)),
            ),
        )
    ]
    assert run("playbooks_completed", accounts, RUNNING).value == 1


def test_days_per_playbook_average_and_down_is_better():
    """Down QoQ. Playbooks completed in FY27-Q3 with a start date:
    - Strategic: started 08-01, completed 08-11 -> 10 days
    - Mid-Touch: started 2026-07-01, completed 08-30 -> 60 days
    Not counted: one without a start date (completed 09-01), one completed 11-01, an
    Onboarding account's play.
    (10 + 60) / 2 = 35 days: previous 40 -> fewer days (attained); previous 35 -> not;
    no previous -> None."""
    accounts = [
        account(
            "strategic",
            playbooks=(playbook(started=date(2026, 8, 1), completed=date(2026, 8, 11)),),
        ),
        account(
            "mid-touch",
            playbooks=(
                playbook(started=date(2026, 7, 1), completed=date(2026, 8, 30)),
                playbook(started=None, completed=date(2026, 9, 1)),
                playbook(started=date(2026, 10, 1), completed=date(2026, 11, 1)),
            ),
        ),
        account(
            "onboarding",
            playbooks=(playbook(started=date(2026, 1, 1), completed=date(2026, 9, 1)),),
        ),
    ]
    result = run("days_per_playbook", accounts, previous=D(40))
    assert (result.numerator, result.denominator, result.value) == (70, 2, 35)
    assert result.target == 40
    assert result.attained is True
    assert run("days_per_playbook", accounts, previous=D(35)).attained is False
    assert run("days_per_playbook", accounts).attained is None


def test_expansion_win_rate_strategic_won_over_closed():
    """Up QoQ, Strategic only. Expansion playbooks closed in FY27-Q3:
    won 08-15, lost 09-15, won 10-31 -> 2 won of 3 closed = 0.6667.
    Not counted: an expansion play completed with outcome still 'open', a won stage
    adoption play, an expansion play won on 11-01, a Named account's won expansion play.
    Previous 0.5 -> attained; previous 0.6667 -> not; no previous -> None."""
    started = date(2026, 6, 1)
    accounts = [
        account(
            "strategic",
            playbooks=(
                playbook("expansion", started, date(2026, 8, 15), "won"),
                playbook("expansion", started, date(2026, 9, 15), "lost"),
                playbook("expansion", started, date(2026, 9, 20), "open"),
                playbook("stage_adoption", started, date(2026, 9, 20), "won"),
                playbook("expansion", started, date(2026, 11, 1), "won"),
            ),
        ),
        account(
            "strategic", playbooks=(playbook("expansion", started, date(2026, 10, 31), "won"),)
        ),
        account("named", playbooks=(playbook("expansion", started, date(2026, 9, 1), "won"),)),
    ]
    result = run("expansion_win_rate", accounts, previous=D("0.5"))
    assert (result.numerator, result.denominator, result.value) == (2, 3, D("0.6667"))
    assert result.attained is True
    assert run("expansion_win_rate", accounts, previous=D("0.6667")).attained is False
    assert run("expansion_win_rate", accounts).attained is None


def test_up_down_metrics_without_data_are_not_attained_or_failed():
    """A Strategic account with only an open playbook and a Named account never flagged:
    days per playbook, expansion win rate and low licence saves have no population -> no
    data, attained None, even with a previous value to compare with; the target shown is
    still the previous value. Playbooks completed counts every TAM-assigned account, so
    the Strategic account makes it 0 completed: 0 is not above the previous 1 -> not
    attained. A scope with only an Onboarding account (not TAM-assigned) has no data for
    it, the previous value still shown."""
    accounts = [account("strategic", playbooks=(playbook(started=date(2026, 8, 1)),))]
    for key in ("days_per_playbook", "expansion_win_rate"):
        result = run(key, accounts, previous=D(1))
        assert_no_data(result)
        assert result.target == 1
    completed = run("playbooks_completed", accounts, previous=D(1))
    assert (completed.numerator, completed.value, completed.target) == (0, 0, 1)
    assert completed.attained is False
    outside = run(
        "playbooks_completed",
        [account("onboarding", playbooks=(playbook(started=date(2026, 8, 1)),))],
        previous=D(1),
    )
    assert_no_data(outside)
    assert outside.target == 1
    saves = run("low_license_saves", [account("named")], previous=D("0.5"))
    assert_no_data(saves)
    assert saves.target == D("0.5")


# --- ARR: gross retention, IACV growth, time to IACV growth -------------------------------


def test_gross_retention_churn_and_contraction_lower_it_growth_does_not_offset():
    """Target >= 90%. ARR at the start of FY27-Q3 -> at its end:
    - Strategic 1,000,000 -> 1,200,000 (growth: retained 1,000,000, not 1,200,000)
    - Named 200,000 -> 150,000 (contraction 50,000: retained 150,000)
    - Mid-Touch 100,000 -> 0 (churn: retained 0)
    - Onboarding 50,000 -> 50,000 (retained 50,000)
    Not counted: Digital 10,000 -> 0 (segment), Named with start ARR unknown or 0.
    (1,350,000 - 50,000 - 100,000) / 1,350,000 = 1,200,000 / 1,350,000 = 0.8889 < 0.9 ->
    not attained."""
    accounts = [
        account("strategic", arr_start=D(1_000_000), arr_end=D(1_200_000)),
        account("named", arr_start=D(200_000), arr_end=D(150_000)),
        account("mid-touch", arr_start=D(100_000), arr_end=D(0)),
        account("onboarding", arr_start=D(50_000), arr_end=D(50_000)),
        account("digital", arr_start=D(10_000), arr_end=D(0)),
        account("named", arr_start=None, arr_end=D(300_000)),
        account("named", arr_start=D(0), arr_end=D(300_000)),
    ]
    result = run("gross_retention", accounts)
    assert (result.numerator, result.denominator) == (1_200_000, 1_350_000)
    assert result.value == D("0.8889")
    assert result.attained is False


def test_gross_retention_growth_alone_stays_at_100_percent():
    """Named 100,000 -> 300,000 and Onboarding 40,000 -> 40,000: nothing lost ->
    140,000 / 140,000 = 1.0 (not 2.43) >= 0.9 -> attained."""
    accounts = [
        account("named", arr_start=D(100_000), arr_end=D(300_000)),
        account("onboarding", arr_start=D(40_000), arr_end=D(40_000)),
    ]
    result = run("gross_retention", accounts)
    assert (result.numerator, result.denominator, result.value) == (140_000, 140_000, 1)
    assert result.attained is True


def test_gross_retention_at_exactly_90_percent_is_attained():
    """Mid-Touch 100,000 -> 90,000: 90,000 / 100,000 = 0.9 >= 0.9 -> attained."""
    result = run("gross_retention", [account("mid-touch", arr_start=D(100_000), arr_end=D(90_000))])
    assert result.value == D("0.9")
    assert result.attained is True


def test_gross_retention_without_start_arr_is_no_data():
    """Start ARR 0 or unknown for every account: no ARR to retain -> no data, no
    division by zero."""
    accounts = [
        account("named", arr_start=D(0), arr_end=D(50_000)),
        account("onboarding", arr_start=None, arr_end=D(30_000)),
    ]
    assert_no_data(run("gross_retention", accounts))


def test_gross_retention_leaves_out_an_account_whose_end_arr_is_unknown():
    """Named 200,000 -> 180,000 (retained 180,000); Mid-Touch 100,000 -> end unknown
    (None): not in the population (not taken as retained, nor as lost).
    180,000 / 200,000 = 0.9 >= 0.9 -> attained. The Mid-Touch account alone -> no data."""
    accounts = [
        account("named", arr_start=D(200_000), arr_end=D(180_000)),
        account("mid-touch", arr_start=D(100_000), arr_end=None),
    ]
    result = run("gross_retention", accounts)
    assert (result.numerator, result.denominator, result.value) == (180_000, 200_000, D("0.9"))
    assert result.attained is True
    assert_no_data(run("gross_retention", accounts[1:]))


def test_arr_metrics_count_an_account_in_the_segment_it_started_the_quarter_in():
    """Gross retention (TAM-assigned and Onboarding) by the start-of-quarter segment:
    - Strategic (now and at the start) 300,000 -> 300,000 (retained 300,000)
    - churned: current segment None, started the quarter Named, 100,000 -> 0: counts,
      its loss shows (retained 0)
    - now Digital, started Named, 50,000 -> 20,000: counts (retained 20,000)
    - now Named, started Digital, 10,000 -> 80,000: not counted
    (300,000 + 0 + 20,000) / (300,000 + 100,000 + 50,000) = 320,000 / 450,000 = 0.7111
    < 0.9 -> not attained. By the current segment it would have been the Strategic
    300,000 and the now-Named 10,000 (its growth not counted): 310,000 / 310,000 = 1.
    IACV growth (TAM-assigned) by the same rule: (0 - 100,000 - 30,000) / 450,000 =
    -0.2889.
    Metrics by the current segment still ignore the start segment: the churned account
    has no segment, so its completed playbook is in no playbooks count (no data)."""
    accounts = [
        account(
            "strategic", segment_at_start="strategic", arr_start=D(300_000), arr_end=D(300_000)
        ),
        account(
            None,
            segment_at_start="named",
            arr_start=D(100_000),
            arr_end=D(0),
            playbooks=(playbook(started=date(2026, 8, 1), completed=date(2026, 9, 1)),),
        ),
        account("digital", segment_at_start="named", arr_start=D(50_000), arr_end=D(20_000)),
        account("named", segment_at_start="digital", arr_start=D(10_000), arr_end=D(80_000)),
    ]
    retention = run("gross_retention", accounts)
    assert (retention.numerator, retention.denominator) == (320_000, 450_000)
    assert retention.value == D("0.7111")
    assert retention.attained is False
    growth = run("iacv_growth", accounts)
    assert (growth.numerator, growth.denominator) == (-130_000, 450_000)
    assert growth.value == D("-0.2889")
    assert_no_data(run("playbooks_completed", accounts[1:2]))


def test_churned_account_alone_shows_its_loss_in_gross_retention():
    """One account churned in FY27-Q3: no current segment, started the quarter Named,
    100,000 -> 0 -> 0 / 100,000 = 0 (not no data) -> not attained. Without a start segment
    it falls back to its current one (None): no data."""
    churned = account(None, segment_at_start="named", arr_start=D(100_000), arr_end=D(0))
    result = run("gross_retention", [churned])
    assert (result.numerator, result.denominator, result.value) == (0, 100_000, 0)
    assert result.attained is False
    assert_no_data(run("gross_retention", [account(None, arr_start=D(100_000), arr_end=D(0))]))


def test_iacv_growth_against_target():
    """ARR growth over the book, TAM-assigned: Strategic 1,000,000 -> 1,100,000 (+100,000),
    Named 200,000 -> 180,000 (-20,000). Not counted: Mid-Touch with no end ARR, Mid-Touch
    with start 0, an Onboarding account. (100,000 - 20,000) / 1,200,000 = 0.0667:
    target 0.05 -> attained; target 0.10 -> not; no target (the default) -> None."""
    accounts = [
        account("strategic", arr_start=D(1_000_000), arr_end=D(1_100_000)),
        account("named", arr_start=D(200_000), arr_end=D(180_000)),
        account("mid-touch", arr_start=D(100_000), arr_end=None),
        account("mid-touch", arr_start=D(0), arr_end=D(60_000)),
        account("onboarding", arr_start=D(30_000), arr_end=D(45_000)),
    ]
    result = run("iacv_growth", accounts, target=D("0.05"))
    assert (result.numerator, result.denominator, result.value) == (80_000, 1_200_000, D("0.0667"))
    assert result.attained is True
    assert run("iacv_growth", accounts, target=D("0.10")).attained is False
    assert run("iacv_growth", accounts).attained is None
    assert_no_data(run("iacv_growth", accounts[2:], target=D("0.05")))


def test_time_to_iacv_growth_median_against_the_prior_year_cohort():
    """Faster than the prior fiscal year's cohort (down). Onboarding / Digital customers
    in year 1 whose ARR first grew in FY27-Q3:
    - Onboarding since 2026-05-01, first increase 08-01: 92 days
    - Onboarding since 2026-06-01, first increase 09-15: 106 days
    - Digital since 2026-01-01, first increase 10-31: 303 days
    Not counted: Digital since 2025-08-01, increase 2026-08-10 (374 days: past year 1);
    increases on 07-31 and 11-01; a Named customer (segment).
    Median 106: previous 120 -> faster (attained); previous 100 -> not; none -> None."""
    accounts = [
        account(
            "onboarding", customer_since=date(2026, 5, 1), first_arr_increase_on=date(2026, 8, 1)
        ),
        account(
            "onboarding", customer_since=date(2026, 6, 1), first_arr_increase_on=date(2026, 9, 15)
        ),
        account(
            "digital", customer_since=date(2026, 1, 1), first_arr_increase_on=date(2026, 10, 31)
        ),
        account(
            "digital", customer_since=date(2025, 8, 1), first_arr_increase_on=date(2026, 8, 10)
        ),
        account(
            "digital", customer_since=date(2026, 5, 1), first_arr_increase_on=date(2026, 7, 31)
        ),
        account(
            "onboarding", customer_since=date(2026, 5, 1), first_arr_increase_on=date(2026, 11, 1)
        ),
        account("named", customer_since=date(2026, 6, 1), first_arr_increase_on=date(2026, 8, 1)),
    ]
    result = run("time_to_iacv_growth", accounts, previous=D(120))
    assert result.value == 106
    assert result.target == 120
    assert result.attained is True
    assert run("time_to_iacv_growth", accounts, previous=D(100)).attained is False
    assert run("time_to_iacv_growth", accounts).attained is None


def test_time_to_iacv_growth_even_count_and_no_growth():
    """92 and 106 days -> median 99. Year-1 customers with no ARR increase (or none in
    the quarter) -> no data."""
    accounts = [
        account(
            "onboarding", customer_since=date(2026, 5, 1), first_arr_increase_on=date(2026, 8, 1)
        ),
        account(
            "digital", customer_since=date(2026, 6, 1), first_arr_increase_on=date(2026, 9, 15)
        ),
    ]
    assert run("time_to_iacv_growth", accounts).value == 99
    assert_no_data(
        run("time_to_iacv_growth", [account("onboarding", customer_since=date(2026, 6, 1))])
    )


def test_time_to_iacv_growth_year_1_is_fewer_than_365_days():
    """Onboarding since 2025-08-10: an increase on 2026-08-09 is day 364 (in year 1,
    counted); one on 2026-08-10 is day 365, the first anniversary (year 2, not counted).
    Median 364; the day-365 account alone -> no data."""
    since = date(2025, 8, 10)
    assert (date(2026, 8, 9) - since).days == 364
    assert (date(2026, 8, 10) - since).days == 365
    accounts = [
        account("onboarding", customer_since=since, first_arr_increase_on=date(2026, 8, 9)),
        account("onboarding", customer_since=since, first_arr_increase_on=date(2026, 8, 10)),
    ]
    assert run("time_to_iacv_growth", accounts).value == 364
    assert_no_data(run("time_to_iacv_growth", accounts[1:]))


def test_time_to_iacv_growth_goes_by_the_start_segment():
    """Now Named, started FY27-Q3 Onboarding, since 2026-05-01, first increase 08-01:
    92 days, counted. Now Onboarding, started Named: not counted -> median 92."""
    accounts = [
        account(
            "named",
            segment_at_start="onboarding",
            customer_since=date(2026, 5, 1),
            first_arr_increase_on=date(2026, 8, 1),
        ),
        account(
            "onboarding",
            segment_at_start="named",
            customer_since=date(2026, 6, 1),
            first_arr_increase_on=date(2026, 9, 15),
        ),
    ]
    assert run("time_to_iacv_growth", accounts).value == 92


# --- finish() -----------------------------------------------------------------------------


def test_finish_without_an_accumulator_is_no_data():
    """A scope that never saw the metric (no accumulator) or an empty accumulator: no data,
    the target still shown."""
    metric = METRICS_BY_KEY["gross_retention"]
    for accumulator in (None, Accumulator()):
        result = finish(metric, accumulator, Targets(D("0.9")))
        assert result == MetricValue(None, None, None, D("0.9"), None)


def test_finish_up_down_metrics_show_the_previous_value_as_target_with_or_without_data():
    """Up / down metrics compare with the previous value, so it is their target, data or
    not: days per playbook (down) with target None, previous 40 -> no data, target 40;
    one playbook of 30 days (30 / 1 = 30 < 40) -> target 40, attained."""
    metric = METRICS_BY_KEY["days_per_playbook"]
    targets = Targets(None, D(40))
    for accumulator in (None, Accumulator()):
        assert finish(metric, accumulator, targets) == MetricValue(None, None, None, D(40), None)
    accumulator = Accumulator()
    accumulator.add(Contribution(D(30), D(1)), metric.kind)
    result = finish(metric, accumulator, targets)
    assert (result.value, result.target, result.attained) == (30, 40, True)


def test_whole_scope_runs_every_metric_of_one_rich_account_set():
    """One Named Pr1 customer since 2026-08-03, engaged 08-05 (2 days), first value 08-20
    (17 days), onboarded 09-10 (38 days), green plan, EBR 09-01: through one scope, each
    clock gives its median and 1/1 within target; success_plan_p1 and ebr_coverage 1/1.
    Metrics whose population it is not in (Strategic-only, Onboarding, Digital) have
    no data."""
    named = account(
        "named",
        priority=1,
        customer_since=date(2026, 8, 3),
        first_engaged_on=date(2026, 8, 5),
        first_value_on=date(2026, 8, 20),
        onboarded_on=date(2026, 9, 10),
        success_plan="green",
        ebr_dates=(date(2026, 9, 1),),
    )
    results = scope([named])
    assert {
        key: results[key].value
        for key in ("time_to_first_engage", "time_to_first_value", "time_to_onboard")
    } == {
        "time_to_first_engage": 2,
        "time_to_first_value": 17,
        "time_to_onboard": 38,
    }
    for key in ("time_to_first_engage", "time_to_first_value", "time_to_onboard"):
        assert (results[key].numerator, results[key].denominator, results[key].attained) == (
            1,
            1,
            True,
        )
    for key in ("success_plan_p1", "ebr_coverage"):
        assert (results[key].value, results[key].attained) == (1, True)
    for key in (
        "expansion_win_rate",
        "success_plan_onboarded",
        "six_month_nps_csat",
        "time_to_iacv_growth",
    ):
        assert_no_data(results[key])
