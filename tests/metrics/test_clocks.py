"""Onboarding clocks: days from customer-since to each milestone, late while running past
the target (pure)."""

from datetime import date

from metrics.clocks import onboarding_clocks

TARGETS = {"time_to_first_engage": 10, "time_to_first_value": 30, "time_to_onboard": 45}


def _clocks(since, today, **milestones):
    return {
        clock.name: clock
        for clock in onboarding_clocks(
            customer_since=since, milestones=milestones, targets=TARGETS, today=today
        )
    }


def test_day_20_and_not_yet_engaged_is_late():
    clocks = _clocks(date(2026, 11, 1), date(2026, 11, 21))

    assert clocks["first_engage"].days == 20
    assert clocks["first_engage"].late
    assert clocks["first_engage"].due_on == date(2026, 11, 11)
    assert not clocks["first_value"].late  # day 20 of 30


def test_exactly_at_the_target_is_not_late_yet():
    clocks = _clocks(date(2026, 11, 1), date(2026, 11, 11))

    assert (clocks["first_engage"].days, clocks["first_engage"].late) == (10, False)


def test_a_stopped_clock_says_whether_it_made_the_target():
    clocks = _clocks(
        date(2026, 9, 1), date(2026, 11, 21),
        first_engage=date(2026, 9, 8), first_value=date(2026, 10, 5), onboard=None,
    )  # fmt: skip

    assert (clocks["first_engage"].days, clocks["first_engage"].within_target) == (7, True)
    assert (clocks["first_value"].days, clocks["first_value"].within_target) == (34, False)
    assert not clocks["first_value"].late  # stopped: late only while running
    assert clocks["onboard"].running and clocks["onboard"].late  # day 81 of 45


def test_no_clock_before_the_contract_closes():
    assert (
        onboarding_clocks(customer_since=None, milestones={}, targets=TARGETS, today=date.today())
        == []
    )


def test_a_milestone_dated_after_today_has_not_happened_yet():
    clocks = _clocks(date(2026, 11, 1), date(2026, 11, 5), first_engage=date(2026, 11, 9))

    assert clocks["first_engage"].running
    assert clocks["first_engage"].days == 4
