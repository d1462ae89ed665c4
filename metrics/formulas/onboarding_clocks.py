"""Time to first engage, first value and onboarded (DESIGN section 5); pure.

The nightly figures of the onboarding clocks: the quarter's new customers, their median
days to each milestone and the share reached within the target. (metrics/clocks.py is
the same clocks for one account, as its page shows them.)
"""

from __future__ import annotations

from .facts import ONE, ZERO, Contribution, MetricAccount, QuarterWindow, days_between


def clock(milestone: str):
    """Time from customer-since to a milestone, for the quarter's new customers."""

    def contribution(account: MetricAccount, quarter: QuarterWindow, target):
        if not quarter.contains(account.customer_since):
            return None
        until = quarter.milestones_until
        reached = getattr(account, milestone)
        days = days_between(account.customer_since, reached) if reached else None
        if reached and reached > until:
            days = None  # reached after the day we look from: not yet, for these figures
        elapsed = days_between(account.customer_since, until)
        limit = int(target) if target is not None else None
        within = days is not None and limit is not None and days <= limit
        overdue = days is None and limit is not None and elapsed > limit
        # A clock still running past its target takes part in the median with the days
        # so far, a lower bound: leaving it out would make late cohorts look fast.
        sample = days if days is not None else (elapsed if overdue else None)
        return Contribution(
            numerator=ONE if within else ZERO,
            denominator=ONE if days is not None or overdue else ZERO,
            samples=(sample,) if sample is not None else (),
            extra=(("cohort", ONE), ("reached", ONE if days is not None else ZERO)),
        )

    return contribution
