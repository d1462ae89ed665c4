"""Segment assignment (DESIGN section 3): pure, no Django.

The segment table is evaluated in order and the first row an account matches wins:
its ARR clears the row's threshold (`>=` or `>`), or, for a row with a high-LAM rule,
its ARR is above that rule's floor and its LAM is high (confidence `high` and LAM at
least the row's high-LAM amount). An account with unknown ARR, or below every row, has
no segment. Defaults: Strategic >= $500k, Named >= $100k, Mid-Touch > $50k or > $5k with
high LAM (>= $100k), Onboarding >= $20k, Digital-Only >= $5k.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class SegmentThreshold:
    code: str
    min_arr: Decimal
    min_arr_inclusive: bool = True
    lam_min_arr: Decimal | None = None
    high_lam_usd: Decimal | None = None
    tam_assigned: bool = False


def assign_segment(
    arr: Decimal | None,
    lam: Decimal | None,
    lam_confidence: str,
    thresholds: Sequence[SegmentThreshold],
) -> str | None:
    """The code of the first segment whose rule the account meets, or None."""
    if arr is None:
        return None
    # One loop with the comparisons written out, not a method call per row: the nightly
    # run assigns every account, in both of its passes.
    high_lam = lam if lam_confidence == "high" else None
    for threshold in thresholds:
        if arr >= threshold.min_arr if threshold.min_arr_inclusive else arr > threshold.min_arr:
            return threshold.code
        if (
            high_lam is not None
            and threshold.lam_min_arr is not None
            and threshold.high_lam_usd is not None
            and arr > threshold.lam_min_arr
            and high_lam >= threshold.high_lam_usd
        ):
            return threshold.code
    return None
