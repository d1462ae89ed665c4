"""The rhythm rules in one place (rhythm/cadence.py, pure: no database).

Defaults (DESIGN 4 and 6, page 004): Pr1 every 30 days ("monthly cadence call at
least"), Pr2 every 60, Commercial Pr2 every 90; the renewal window 110 days (002/003).
The boundary Decision: a call `interval` days ago is due today and not overdue; one day
more is overdue by 1 day. Never called: overdue, no due date.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from lib.rule_sets import RuleSet
from rhythm.cadence import (
    INTERVAL_SETTING,
    RULE_SET_SHORT_NAMES,
    RhythmRules,
    cadence_calls_per_year,
    cadence_interval_days,
    cadence_status,
    in_renewal_window,
    interval_summary,
    last_held,
    renewal_window_opens,
)

TODAY = date(2026, 11, 20)
RULES = RhythmRules()
US, EMEA, COMMERCIAL = RuleSet.US_ENTERPRISE, RuleSet.EMEA_ENTERPRISE, RuleSet.COMMERCIAL


def days_ago(days):
    return TODAY - timedelta(days=days)


@pytest.mark.parametrize(
    ("priority", "rule_set", "days"),
    [
        (1, US, 30),
        (1, EMEA, 30),
        (1, COMMERCIAL, 30),  # a Commercial Pr1 is called monthly like any Pr1 (004)
        (2, US, 60),
        (2, EMEA, 60),
        (2, COMMERCIAL, 90),  # 004 Commercial Pr2: quarterly
        (3, US, None),  # Pr3, Pr4, no priority: no cadence calls
        (4, COMMERCIAL, None),
        (None, EMEA, None),
    ],
)
def test_the_interval_by_priority_and_rule_set(priority, rule_set, days):
    assert cadence_interval_days(RULES, priority, rule_set) == days
    assert cadence_interval_days(RULES, priority, rule_set.value) == days


def test_an_unknown_rule_set_is_an_error_not_us_enterprise():
    with pytest.raises(ValueError, match="apac"):
        cadence_interval_days(RULES, 1, "apac")
    with pytest.raises(ValueError):
        cadence_status(RULES, 3, "apac", None, TODAY)


def test_every_rule_set_has_an_interval_for_pr1_and_pr2_and_a_short_name():
    assert set(INTERVAL_SETTING) == {(p, rule_set) for p in (1, 2) for rule_set in RuleSet}
    assert set(RULE_SET_SHORT_NAMES) == set(RuleSet)


@pytest.mark.parametrize(
    ("priority", "rule_set", "called_days_ago", "due_on", "overdue", "overdue_days"),
    [
        (1, US, 29, days_ago(-1), False, None),  # due tomorrow
        (1, US, 30, TODAY, False, None),  # due today: "at least monthly" is kept
        (1, US, 31, days_ago(1), True, 1),
        (2, EMEA, 59, days_ago(-1), False, None),
        (2, EMEA, 60, TODAY, False, None),
        (2, EMEA, 61, days_ago(1), True, 1),
        (2, COMMERCIAL, 61, days_ago(-29), False, None),
        (2, COMMERCIAL, 89, days_ago(-1), False, None),
        (2, COMMERCIAL, 90, TODAY, False, None),
        (2, COMMERCIAL, 91, days_ago(1), True, 1),
        (1, COMMERCIAL, 40, days_ago(10), True, 10),
        (1, US, 0, days_ago(-30), False, None),  # called today
    ],
)
def test_the_status_at_the_boundaries(
    priority, rule_set, called_days_ago, due_on, overdue, overdue_days
):
    status = cadence_status(RULES, priority, rule_set, days_ago(called_days_ago), TODAY)
    assert (status.due_on, status.overdue, status.overdue_days) == (due_on, overdue, overdue_days)
    assert status.last_call == days_ago(called_days_ago)
    assert not status.never_called


def test_never_called_is_overdue_with_no_date():
    status = cadence_status(RULES, 2, US, None, TODAY)
    assert (status.never_called, status.overdue, status.due_on, status.overdue_days) == (
        True,
        True,
        None,
        None,
    )
    assert status.interval_days == 60


def test_no_cadence_no_status():
    assert cadence_status(RULES, 3, US, days_ago(400), TODAY) is None
    assert cadence_status(RULES, None, US, None, TODAY) is None


def test_entries_dated_in_the_future_do_not_count():
    """The latest call held on or before today counts; tomorrow's has not happened. A
    caller passing a future call as the last one is refused, not believed."""
    assert last_held([days_ago(40), days_ago(-1), days_ago(90)], TODAY) == days_ago(40)
    assert last_held([days_ago(0)], TODAY) == TODAY
    assert last_held([days_ago(-1), None], TODAY) is None
    assert last_held([], TODAY) is None
    with pytest.raises(ValueError, match="after"):
        cadence_status(RULES, 1, US, days_ago(-1), TODAY)


def test_the_setting_moves_the_boundary():
    """Pr1 every 45 days: 31 days ago is on time, 46 overdue by 1."""
    rules = RhythmRules(pr1_cadence_days=45)
    assert not cadence_status(rules, 1, US, days_ago(31), TODAY).overdue
    assert not cadence_status(rules, 1, US, days_ago(45), TODAY).overdue
    assert cadence_status(rules, 1, US, days_ago(46), TODAY).overdue_days == 1


@pytest.mark.parametrize(
    ("priority", "rule_set", "calls"),
    [
        (1, US, Decimal(365) / Decimal(30)),  # 12.17
        (2, US, Decimal(365) / Decimal(60)),  # 6.08
        (1, COMMERCIAL, Decimal(365) / Decimal(30)),
        (2, COMMERCIAL, Decimal(365) / Decimal(90)),  # 4.06
        (3, US, Decimal(0)),
        (4, US, Decimal(0)),
        (None, US, Decimal(0)),
    ],
)
def test_cadence_calls_a_year_are_365_over_the_interval(priority, rule_set, calls):
    assert cadence_calls_per_year(RULES, priority, rule_set) == calls


@pytest.mark.parametrize(
    ("rules", "priority", "summary"),
    [
        (RULES, 1, "30 days"),
        (RULES, 2, "60 days (Commercial 90)"),
        (RhythmRules(commercial_pr2_cadence_days=60), 2, "60 days"),
        (
            RhythmRules(pr2_cadence_days=90, commercial_pr2_cadence_days=60),
            2,
            "90 days (Commercial 60)",
        ),
    ],
)
def test_the_interval_in_words(rules, priority, summary):
    assert interval_summary(rules, priority) == summary


@pytest.mark.parametrize(
    ("renewal_in_days", "inside"),
    [(111, False), (110, True), (1, True), (0, True), (-1, False)],
)
def test_the_renewal_window(renewal_in_days, inside):
    """From 110 days before the renewal up to the renewal day, both included."""
    renewal = TODAY + timedelta(days=renewal_in_days)
    assert in_renewal_window(RULES, renewal, TODAY) is inside
    assert renewal_window_opens(RULES, renewal) == renewal - timedelta(days=110)


def test_the_renewal_window_follows_the_setting_and_needs_a_date():
    rules = RhythmRules(renewal_window_days=60)
    assert in_renewal_window(rules, TODAY + timedelta(days=60), TODAY)
    assert not in_renewal_window(rules, TODAY + timedelta(days=61), TODAY)
    assert not in_renewal_window(rules, None, TODAY)
