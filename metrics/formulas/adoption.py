"""Use-case health, stage adoption, licence saves and playbooks (DESIGN section 5); pure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import lru_cache

from lib.dates import add_months, shift

from .facts import Contribution, MetricAccount, days_between, share


def green_within_90_days(account, quarter, target):
    if account.customer_since is None:
        return None
    deadline = shift(account.customer_since, 90)
    if not quarter.contains(deadline):
        return None
    return share(
        any(account.customer_since <= day <= deadline for day in account.green_health_days)
    )


def active_stage_play(account, quarter, target):
    active = any(
        playbook.kind == "stage_adoption"
        and playbook.started_on is not None
        and playbook.started_on <= quarter.as_of
        and (playbook.completed_on is None or playbook.completed_on > quarter.as_of)
        for playbook in account.playbooks
    )
    return share(active)


def stages_by(account: MetricAccount, day: date) -> int:
    return sum(1 for stage in account.stages if stage.enabled_on <= day)


def two_stages(account, quarter, target):
    return share(stages_by(account, quarter.as_of) >= 2)


def stages_growth(account, quarter, target):
    before = stages_by(account, shift(quarter.start, -1))
    after = stages_by(account, quarter.as_of)
    return Contribution(numerator=Decimal(after - before), denominator=Decimal(before))


def stage_adoption_within(reached: str, deadline: Callable[[date], date]):
    # Enablement days repeat across accounts: each deadline is worked out once.
    deadline = lru_cache(maxsize=4096)(deadline)

    def contribution(account, quarter, target):
        due = hits = 0
        for stage in account.stages:
            stage_deadline = deadline(stage.enabled_on)
            if quarter.contains(stage_deadline):
                due += 1
                day = getattr(stage, reached)
                if day is not None and day <= stage_deadline:
                    hits += 1
        if not due:
            return None
        return Contribution(numerator=Decimal(hits), denominator=Decimal(due))

    return contribution


initial_adoption_within_60_days = stage_adoption_within(
    "initial_adoption_on", lambda day: shift(day, 60)
)
broad_adoption_within_6_months = stage_adoption_within(
    "broad_adoption_on", lambda day: add_months(day, 6)
)


def license_saves(account, quarter, target):
    """Accounts, not flags: an account flagged twice counts once, saved if any flag was."""
    flagged = [flag for flag in account.license_flags if quarter.contains(flag.flagged_on)]
    if not flagged:
        return None
    return share(any(flag.saved for flag in flagged))


def completed_in(account, quarter, kind=None):
    return [
        playbook
        for playbook in account.playbooks
        if quarter.contains(playbook.completed_on) and (kind is None or playbook.kind == kind)
    ]


def playbooks_completed(account, quarter, target):
    # Every account in the segments counts, so a scope that completed none shows 0.
    return Contribution(numerator=Decimal(len(completed_in(account, quarter))))


def days_per_playbook(account, quarter, target):
    days = [
        days_between(playbook.started_on, playbook.completed_on)
        for playbook in completed_in(account, quarter)
        if playbook.started_on is not None
    ]
    if not days:
        return None
    return Contribution(numerator=Decimal(sum(days)), denominator=Decimal(len(days)))


def expansion_win_rate(account, quarter, target):
    closed = [
        playbook
        for playbook in completed_in(account, quarter, "expansion")
        if playbook.outcome in ("won", "lost")
    ]
    if not closed:
        return None
    won = sum(1 for playbook in closed if playbook.outcome == "won")
    return Contribution(numerator=Decimal(won), denominator=Decimal(len(closed)))
