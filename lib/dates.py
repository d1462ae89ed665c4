"""Calendar arithmetic the rules need, without third-party packages or Django."""

from __future__ import annotations

import calendar
from datetime import date

# The dates a fact may carry (issue 11): a customer since 0001 or a renewal in 9999 is a typo,
# and date arithmetic on it (add a year, a window of months) overflows for everyone's run.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def in_supported_range(day: date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (2026-08-31 + 6 = 2027-02-28)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
