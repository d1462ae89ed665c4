"""The touch points due (rhythm/touchpoints.py, pure: no database), DESIGN 6 and 12."""

from datetime import date

from lib.rule_sets import RuleSet
from rhythm.cadence import RhythmRules
from rhythm.touchpoints import TouchpointFacts, ebr_target, touchpoints_due

AS_OF = date(2026, 11, 20)
US = RuleSet.US_ENTERPRISE


def test_ebr_target_is_six_months_before_renewal_clamped_to_month_end():
    assert ebr_target(date(2027, 2, 28)) == date(2026, 8, 28)
    assert ebr_target(date(2027, 3, 31)) == date(2026, 9, 30)


def test_due_lists_sorted_by_due_date_and_horizon():
    """Pr1 last called 40 days ago (due 10 days ago), Pr2 50 days ago (due in 10 days),
    Pr1 never called (overdue, no date: first). Today: the two overdue; within 10 days:
    all three."""
    facts = [
        TouchpointFacts(1, "Never", US, priority=1),
        TouchpointFacts(2, "Pr2", US, priority=2, last_cadence_call=date(2026, 10, 1)),
        TouchpointFacts(3, "Late", US, priority=1, last_cadence_call=date(2026, 10, 11)),
    ]
    due = touchpoints_due(facts, AS_OF)
    assert [(item.name, item.due_on, item.overdue) for item in due.cadence_calls] == [
        ("Never", None, True),
        ("Late", date(2026, 11, 10), True),
    ]
    assert due.overdue_count == 2
    soon = touchpoints_due(facts, AS_OF, within_days=10)
    assert [item.name for item in soon.cadence_calls] == ["Never", "Late", "Pr2"]


def test_commercial_pr2_is_due_every_90_days():
    """Called 70 days ago: a US Pr2 is 10 days overdue, a Commercial Pr2 due in 20 days."""
    facts = [
        TouchpointFacts(1, "US", US, priority=2, last_cadence_call=date(2026, 9, 11)),
        TouchpointFacts(
            2, "Commercial", RuleSet.COMMERCIAL, priority=2, last_cadence_call=date(2026, 9, 11)
        ),
    ]
    due = touchpoints_due(facts, AS_OF)
    assert [(item.name, item.due_on) for item in due.cadence_calls] == [("US", date(2026, 11, 10))]


def test_the_rules_come_from_the_setting():
    """Pr1 every 45 days, window 60 days: called 40 days ago is not due; a renewal in 60
    days owes a touch from today."""
    rules = RhythmRules(pr1_cadence_days=45, renewal_window_days=60)
    facts = [
        TouchpointFacts(
            1, "A", US, priority=1, last_cadence_call=date(2026, 10, 11),
            renewal_date=date(2027, 1, 19),
        )
    ]  # fmt: skip
    due = touchpoints_due(facts, AS_OF, rules=rules)
    assert due.cadence_calls == ()
    assert [(item.name, item.due_on) for item in due.renewals] == [("A", AS_OF)]


def test_past_renewals_owe_no_ebr_or_renewal_touch():
    """The renewal on 2026-11-19 is over; the import brings the next one."""
    facts = [TouchpointFacts(1, "Renewed", US, priority=1, renewal_date=date(2026, 11, 19))]
    due = touchpoints_due(facts, AS_OF)
    assert due.ebrs == ()
    assert due.renewals == ()
