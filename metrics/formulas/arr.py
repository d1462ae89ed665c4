"""Gross retention and IACV growth (DESIGN section 5): ARR metrics, counted in the
segment an account started the quarter in; pure."""

from __future__ import annotations

from .facts import ZERO, Contribution, days_between


def gross_retention(account, quarter, target):
    if not account.arr_start or account.arr_end is None:
        return None  # no start ARR, or the end is not known yet: not in the population
    lost = max(account.arr_start - account.arr_end, ZERO)  # churn, contraction; not growth
    return Contribution(numerator=account.arr_start - lost, denominator=account.arr_start)


def iacv_growth(account, quarter, target):
    if not account.arr_start or account.arr_end is None:
        return None
    return Contribution(
        numerator=account.arr_end - account.arr_start, denominator=account.arr_start
    )


def time_to_iacv_growth(account, quarter, target):
    increase = account.first_arr_increase_on
    if account.customer_since is None or not quarter.contains(increase):
        return None
    days = days_between(account.customer_since, increase)
    if days is None or days >= 365:
        return None  # year-1 customers only: under 365 days from the contract
    return Contribution(samples=(days,))
