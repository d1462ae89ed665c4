"""The short words the book shows for success-plan states and clocks (the reason codes' are
prioritization/reason_labels.py's)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accounts.models import SuccessPlanState
from lib.words import date_text
from metrics.clocks import Clock

SUCCESS_PLAN_SHORT = {
    SuccessPlanState.NONE: "None",
    SuccessPlanState.UNCLEAR: "Unclear",
    SuccessPlanState.OBJECTIVES: "Objectives",
    SuccessPlanState.GREEN: "Green",
}
CLOCK_SHORT = {"first_engage": "Engaged", "first_value": "Value", "onboard": "Onboarded"}


def clock_state(clock: Clock) -> str:
    """`reached`, `reached_late` (after its target), `running` or `late` (running past it)."""
    if clock.running:
        return "late" if clock.late else "running"
    return "reached_late" if clock.within_target is False else "reached"


def age(day: date | None, today: date) -> str | None:
    """How long ago `day` was, for "usage data from 12 days ago"; None for no date."""
    if day is None:
        return None
    days = (today - day).days
    if days == 0:
        return "today"
    if days < 0:
        return f"{date_text(day)} (in the future)"
    return f"{days} day{'' if days == 1 else 's'} ago"


def usage_age(day: date | None, today: date) -> str:
    """How old the account's usage data is (its latest snapshot's day, DESIGN 10)."""
    ago = age(day, today)
    return f"usage data from {ago}" if ago else "no usage data"


def health_input_age(day: date | None, today: date) -> str:
    """How old the TAM's sentiment, the health score's judged input, is (DESIGN 10, 11)."""
    ago = age(day, today)
    return f"health input from {ago}" if ago else "health input date unknown"


# The book's flags: short, so a badge never widens the row on a phone.
CHURNED = "Churned"
RENEWAL_PASSED = "Renewal passed"


def account_flags(arr: Decimal | None, renewal_date: date | None, today: date) -> list[str]:
    """What the book flags on a row, from the row's own columns (no query).

    Churned: ARR exactly 0 (an unknown ARR is not churn). Renewal passed: the renewal date
    is before today; a renewal dated today is still to be held that day, so not yet passed.
    """
    flags = []
    if arr is not None and arr == 0:
        flags.append(CHURNED)
    if renewal_date is not None and renewal_date < today:
        flags.append(RENEWAL_PASSED)
    return flags
