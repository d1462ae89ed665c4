"""Onboarding clocks (pages 000-003, DESIGN section 5): pure, no Django.

Every clock starts at customer-since (contract close) and stops at its milestone: first
engaged, first value, onboarded. While a clock runs past its target the account is
late (target 10 days to engage: on day 11 with no engagement it is late). A stopped
clock says whether it stopped within its target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lib.dates import shift

CLOCKS = (
    ("first_engage", "First engaged", "time_to_first_engage"),
    ("first_value", "First value", "time_to_first_value"),
    ("onboard", "Onboarded", "time_to_onboard"),
)


@dataclass(frozen=True)
class Clock:
    name: str
    label: str
    started_on: date
    reached_on: date | None
    target_days: int | None
    days: int  # to the milestone, or so far while running

    @property
    def running(self) -> bool:
        return self.reached_on is None

    @property
    def due_on(self) -> date | None:
        if self.target_days is None:
            return None
        return shift(self.started_on, self.target_days)

    @property
    def late(self) -> bool:
        """Running past the target."""
        return self.running and self.target_days is not None and self.days > self.target_days

    @property
    def within_target(self) -> bool | None:
        if self.running or self.target_days is None:
            return None
        return self.days <= self.target_days


def onboarding_clocks(
    *,
    customer_since: date | None,
    milestones: dict[str, date | None],
    targets: dict[str, int | None],
    today: date,
) -> list[Clock]:
    """The three clocks of an account; none before its customer-since date is known.

    `milestones` maps first_engage / first_value / onboard to the day reached (or None);
    `targets` maps the metric keys (time_to_first_engage, ...) to target days.
    """
    if customer_since is None:
        return []
    clocks = []
    for name, label, metric_key in CLOCKS:
        reached = milestones.get(name)
        if reached is not None and reached > today:
            reached = None
        end = reached or today
        clocks.append(
            Clock(
                name=name,
                label=label,
                started_on=customer_since,
                reached_on=reached,
                target_days=targets.get(metric_key),
                days=max((end - customer_since).days, 0),
            )
        )
    return clocks


def account_clocks(account, targets: dict[str, int | None], today: date) -> list[Clock]:
    """`onboarding_clocks` of anything with an account's customer-since and milestone dates
    (a model instance or a plain object): the book and the account page both show them."""
    return onboarding_clocks(
        customer_since=account.customer_since,
        milestones={
            "first_engage": account.first_engaged_on,
            "first_value": account.first_value_on,
            "onboard": account.onboarded_on,
        },
        targets=targets,
        today=today,
    )
