"""Success plans and EBR coverage (DESIGN section 5); pure."""

from __future__ import annotations

from functools import lru_cache

from lib.dates import add_months, shift
from segments.codes import SegmentCode

from .facts import share


def success_plan_p1(account, quarter, target):
    if account.priority != 1:
        return None
    if account.segment == SegmentCode.STRATEGIC:
        return share(account.management_qualified)
    return share(account.success_plan == "green")


def success_plan_new(account, quarter, target):
    if account.customer_since is None:
        return None
    deadline = shift(account.customer_since, 60)
    if not quarter.contains(deadline):
        return None
    green = account.success_plan_green_on
    return share(green is not None and green <= deadline)


def success_plan_onboarded(account, quarter, target):
    """A completed plan is a fully green one; objectives alone are a plan in progress."""
    if not quarter.contains(account.onboarded_on):
        return None
    return share(account.success_plan == "green")


def ebr_coverage(account, quarter, target):
    if account.segment != SegmentCode.STRATEGIC and account.priority != 1:
        return None
    year_ago = _year_before(quarter.as_of)
    return share(any(year_ago < day <= quarter.as_of for day in account.ebr_dates))


@lru_cache(maxsize=16)
def _year_before(day):
    return add_months(day, -12)  # the same for every account of a quarter
