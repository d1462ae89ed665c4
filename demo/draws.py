"""The calendar the history covers (quarters relative to `as_of`) and the small helpers
every part of the generator draws with: days in a range, anniversaries, round dollars."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from lib.fiscal import FiscalQuarter, last_quarters


@dataclass(frozen=True)
class DemoCalendar:
    as_of: date
    quarters: tuple[FiscalQuarter, ...]  # the quarters of history, oldest first
    # Read for every account, so worked out once:
    history_start: date  # the first day of the oldest quarter
    recent_from: date  # the first day of the previous quarter: customers since are recent

    @classmethod
    def ending(cls, as_of: date, quarters: int) -> DemoCalendar:
        history = tuple(last_quarters(as_of, quarters, settings.FISCAL_YEAR_START_MONTH))
        return cls(
            as_of=as_of,
            quarters=history,
            history_start=history[0].start,
            recent_from=history[-1].previous.start,
        )

    @property
    def current(self) -> FiscalQuarter:
        return self.quarters[-1]


def random_day(rng: random.Random, first: date, last: date) -> date:
    """A day in [first, last]; `first` when the range is empty."""
    span = (last - first).days
    return first + timedelta(days=rng.randint(0, span)) if span > 0 else first


def years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def next_anniversary(since: date, after: date) -> date:
    years = 1
    while years_later(since, years) <= after:
        years += 1
    return years_later(since, years)


def weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def weekday_into(quarter: FiscalQuarter, days: tuple[int, int], rng: random.Random) -> date:
    """A weekday between `days[0]` and `days[1]` days into the quarter (or just after)."""
    return weekday_on_or_after(quarter.start + timedelta(days=rng.randint(*days)))


def round_dollars(value: float | Decimal, step: int = 10) -> Decimal:
    return Decimal(round(float(value) / step) * step)
