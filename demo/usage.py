"""Licence use and health over time: a usage snapshot every four weeks back from today
(weekly in a customer's first weeks, which the recompute derives first value from), and
the low-utilisation save flags the snapshots lead to."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from accounts.models import ActivityKind, Health

from .activities import activity
from .draws import DemoCalendar
from .rows import DemoAccount, DemoRows
from .tables import (
    HEALTH,
    HEALTH_CHANGE_PER_SNAPSHOT,
    LICENSE_FLAG_CHANCE,
    LICENSE_FLAG_GAP_DAYS,
    LICENSE_SAVED_RATE,
    LOW_UTILISATION,
    ONBOARDING_SNAPSHOT_WEEKS,
    SNAPSHOT_EVERY_DAYS,
    UTILISATION_RAMP_DAYS,
)


def usage_histories(
    demo_accounts: list[DemoAccount], calendar: DemoCalendar, rows: DemoRows, rng: random.Random
) -> None:
    """Licence use and health over time for every account whose usage is known, the
    low-utilisation save flags they led to, and today's active users from the latest."""
    for demo in demo_accounts:
        account = demo.account
        days = _snapshot_days(demo, calendar) if account.licensed_users else []
        if not days:
            continue
        ramp_days = rng.randint(*UTILISATION_RAMP_DAYS)
        target = account.active_users / account.licensed_users
        healths = _health_history(account.tam_sentiment or Health.GREEN, days, rng)
        snapshots = [
            {
                "account": demo,
                "taken_on": day,
                "licensed_users": account.licensed_users,
                "active_users": _active_users(demo, day, target, ramp_days, rng),
                "health": health,
            }
            for day, health in zip(days, healths, strict=True)
        ]
        account.active_users = snapshots[-1]["active_users"]
        rows.usage += snapshots
        ramp_end = demo.value_on + timedelta(days=ramp_days)
        rows.activities += _license_flags(demo, snapshots, ramp_end, rng)


def _snapshot_days(demo: DemoAccount, calendar: DemoCalendar) -> list[date]:
    """Every four weeks back from today, weekly (same weekday) in the customer's first
    weeks for the onboarding clocks, and the last active day; inside the history, from
    customer-since."""
    since, last = demo.account.customer_since, demo.active_until
    first = max(since, calendar.history_start)
    if last < first:
        return []
    days = {last}
    day = calendar.as_of
    while day >= first:
        if day <= last:
            days.add(day)
        day -= timedelta(days=SNAPSHOT_EVERY_DAYS)
    first_week = since + timedelta(days=(calendar.as_of - since).days % 7)
    weekly = (first_week + timedelta(weeks=week) for week in range(ONBOARDING_SNAPSHOT_WEEKS))
    days.update(day for day in weekly if first <= day <= last)
    return sorted(days)


def _active_users(
    demo: DemoAccount, day: date, target: float, ramp_days: int, rng: random.Random
) -> int:
    """Below 10% of licensed users until first value, then rising to the account's level
    over the ramp, with some noise; never more than the licences."""
    licensed, since, value_on = (
        demo.account.licensed_users,
        demo.account.customer_since,
        demo.value_on,
    )
    if day < value_on:
        progress = (day - since).days / max(1, (value_on - since).days)
        return math.floor(licensed * (0.01 + 0.08 * progress))
    progress = min(1.0, (day - value_on).days / ramp_days)
    share = (0.1 + (target - 0.1) * progress) * rng.uniform(0.95, 1.05)
    return min(licensed, math.ceil(licensed * max(0.1, share)))


def _health_history(current: str, days: list[date], rng: random.Random) -> list[str]:
    """Health on each day, walked back from today's: it stays the same from one snapshot
    to the one before with HEALTH_CHANGE_PER_SNAPSHOT chance (per four weeks) of having
    been drawn afresh, so most green accounts were green and a red one went red lately."""
    healths = [current]
    for later, earlier in zip(reversed(days[1:]), reversed(days[:-1]), strict=True):
        change = HEALTH_CHANGE_PER_SNAPSHOT * (later - earlier).days / SNAPSHOT_EVERY_DAYS
        if rng.random() < change:
            healths.append(HEALTH.draw(rng))
        else:
            healths.append(healths[-1])
    healths.reverse()
    return healths


def _license_flags(
    demo: DemoAccount, snapshots: list[dict], ramp_end: date, rng: random.Random
) -> list[dict]:
    """A save attempt when a snapshot after the usage ramp shows less than half the
    licences in use, at most one every LICENSE_FLAG_GAP_DAYS."""
    flags: list[dict] = []
    for snapshot in snapshots:
        day = snapshot["taken_on"]
        low = snapshot["active_users"] < snapshot["licensed_users"] * LOW_UTILISATION
        recently = bool(flags) and (day - flags[-1]["occurred_on"]).days < LICENSE_FLAG_GAP_DAYS
        if low and day >= ramp_end and not recently and rng.random() < LICENSE_FLAG_CHANCE:
            saved = rng.random() < LICENSE_SAVED_RATE
            flags.append(activity(demo, ActivityKind.LICENSE_SAVE, day, saved=saved))
    return flags
