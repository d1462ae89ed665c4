"""Calendar arithmetic the rules need, without third-party packages or Django.

Every shift of a date by days or months goes through `shift` or `add_months`, which stop
at `date.min` and `date.max` instead of raising: a fact dated 0001-01-01 or 9999-12-31
(written before the bounds below were checked, or straight into SQL) then only moves its
own deadlines to the end of the calendar, and no rule, clock or formula overflows for
everyone's run (issue 11). Inside the calendar they are plain date arithmetic.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

# The dates a fact may carry (issue 11): a customer since 0001 or a renewal in 9999 is a typo,
# and date arithmetic on it (add a year, a window of months) overflows for everyone's run.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def in_supported_range(day: date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


def shift(day: date, days: int) -> date:
    """`day` moved by `days` (negative: back), held at `date.min` / `date.max`."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def first_of_month(year: int, month: int) -> date:
    """The 1st of `month` in `year`, held at `date.min` / `date.max` outside years 1..9999."""
    if year < date.min.year:
        return date.min
    if year > date.max.year:
        return date.max
    return date(year, month, 1)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (2026-08-31 + 6 = 2027-02-28),
    held at `date.min` / `date.max`."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = index // 12, index % 12 + 1
    if not date.min.year <= year <= date.max.year:
        return first_of_month(year, month)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Where an account has no customer-since date, nothing on it happened before this: a logged
# call in 1999 is a typo (issue 12 point 7). The portal's customers all came after it.
EARLIEST_EVENT_DATE = date(2000, 1, 1)


def earliest_event_date(customer_since: date | None) -> date:
    """The first day anything can have happened on an account: its customer-since date, or
    EARLIEST_EVENT_DATE where it has none."""
    return customer_since or EARLIEST_EVENT_DATE


def too_early_problem(day: date, customer_since: date | None) -> str | None:
    """Why `day` is before anything could happen on the account, or None."""
    if day >= earliest_event_date(customer_since):
        return None
    if customer_since:
        return f"Not before the account's customer-since date ({customer_since.isoformat()})."
    return f"Not before {EARLIEST_EVENT_DATE.isoformat()}."


def event_date_problem(day: date, *, customer_since: date | None, today: date) -> str | None:
    """Why `day` cannot be the date of something that happened on the account (a call, an
    EBR, a milestone, a survey answer, a plan change), or None: it is on or after the
    account's earliest event date and not after `today`."""
    if day > today:
        return "Log what happened: the date is in the future."
    return too_early_problem(day, customer_since)
