"""Segment assignment against DESIGN section 3 (pure: no database).

The default table, evaluated in order, first match wins:
Strategic ARR >= 500,000; Named >= 100,000; Mid-Touch > 50,000, or > 5,000 with high LAM
(confidence `high` and LAM >= 100,000); Onboarding >= 20,000; Digital-Only >= 5,000;
below that (or ARR unknown): no segment.
"""

from decimal import Decimal

import pytest

from segments.assign import SegmentThreshold, assign_segment

D = Decimal

DEFAULT_THRESHOLDS = (
    SegmentThreshold("strategic", D(500_000), tam_assigned=True),
    SegmentThreshold("named", D(100_000), tam_assigned=True),
    SegmentThreshold(
        "mid-touch",
        D(50_000),
        min_arr_inclusive=False,
        lam_min_arr=D(5_000),
        high_lam_usd=D(100_000),
        tam_assigned=True,
    ),
    SegmentThreshold("onboarding", D(20_000)),
    SegmentThreshold("digital", D(5_000)),
)

HIGH_LAM = {"lam": D(100_000), "lam_confidence": "high"}
NO_LAM = {"lam": None, "lam_confidence": ""}


def segment(arr, lam=None, lam_confidence="", thresholds=DEFAULT_THRESHOLDS):
    return assign_segment(None if arr is None else D(arr), lam, lam_confidence, thresholds)


@pytest.mark.parametrize(
    ("arr", "expected"),
    [
        ("2000000", "strategic"),
        ("500000", "strategic"),  # Strategic: ARR >= 500,000 (inclusive)
        ("499999.99", "named"),
        ("100000", "named"),  # Named: ARR >= 100,000 (inclusive)
        ("99999.99", "mid-touch"),
        ("50000.01", "mid-touch"),  # Mid-Touch: ARR > 50,000 (strict)
        ("50000", "onboarding"),  # exactly 50k is not "> $50k": Onboarding ($20k-50k)
        ("20000", "onboarding"),  # Onboarding: ARR >= 20,000 (inclusive)
        ("19999.99", "digital"),
        ("5000", "digital"),  # Digital-Only: ARR >= 5,000 (inclusive)
        ("4999.99", None),  # below every row: no TAM program
        ("0", None),
    ],
)
def test_default_thresholds_arr_boundaries(arr, expected):
    """DESIGN 3: each ARR threshold at and just below its boundary (no LAM)."""
    assert segment(arr, **NO_LAM) == expected


def test_unknown_arr_has_no_segment():
    """DESIGN 3: an account with unknown ARR matches no row, even with high LAM."""
    assert segment(None, **NO_LAM) is None
    assert segment(None, **HIGH_LAM) is None


@pytest.mark.parametrize(
    ("arr", "expected"),
    [
        ("5000.01", "mid-touch"),  # "ARR > $5k with high LAM"
        ("5000", "digital"),  # exactly $5k is not "> $5k": Digital-Only
        ("20000", "mid-touch"),  # Mid-Touch is evaluated before Onboarding
        ("50000", "mid-touch"),
        ("4999.99", None),
    ],
)
def test_mid_touch_with_high_lam_above_5k(arr, expected):
    """DESIGN 3: Mid-Touch = ARR > 5,000 with high LAM (confidence high, LAM >= 100,000)."""
    assert segment(arr, **HIGH_LAM) == expected


def test_high_lam_starts_at_exactly_100k():
    """DESIGN 3: "High LAM" = LAM >= HIGH_LAM_USD (100,000): 100,000 is high, 99,999.99 not."""
    assert segment("30000", lam=D("100000"), lam_confidence="high") == "mid-touch"
    assert segment("30000", lam=D("99999.99"), lam_confidence="high") == "onboarding"


def test_low_confidence_lam_is_not_high_lam():
    """DESIGN 3: "High LAM" needs LAM confidence `high`; a low-confidence LAM never counts."""
    assert segment("30000", lam=D("5000000"), lam_confidence="low") == "onboarding"
    assert segment("10000", lam=D("5000000"), lam_confidence="low") == "digital"
    assert segment("10000", lam=D("5000000"), lam_confidence="") == "digital"


def test_unknown_lam_is_not_high_lam():
    """DESIGN 3: high confidence with an unknown LAM amount is not high LAM."""
    assert segment("30000", lam=None, lam_confidence="high") == "onboarding"


def test_high_lam_does_not_lift_a_large_account_out_of_its_segment():
    """DESIGN 3: first match wins; high LAM does not demote Strategic or Named to Mid-Touch."""
    assert segment("600000", **HIGH_LAM) == "strategic"
    assert segment("150000", **HIGH_LAM) == "named"


def test_first_matching_row_wins_so_order_matters():
    """DESIGN 3: rows are evaluated in order; the first the account meets decides."""
    reversed_table = tuple(reversed(DEFAULT_THRESHOLDS))
    # Every account at or above $5k meets the Digital-Only row first in the reversed table.
    assert segment("750000", thresholds=reversed_table) == "digital"
    assert segment("30000", thresholds=reversed_table, **HIGH_LAM) == "digital"
    # In the default order the same accounts land in their own segment.
    assert segment("750000") == "strategic"
    assert segment("30000", **HIGH_LAM) == "mid-touch"


def test_admin_edited_threshold_is_honoured():
    """DESIGN 3: the thresholds are admin-editable; the table given is the one applied."""
    raised = (
        SegmentThreshold("strategic", D(1_000_000), tam_assigned=True),
        *DEFAULT_THRESHOLDS[1:],
    )
    assert segment("750000", thresholds=raised) == "named"
    assert segment("1000000", thresholds=raised) == "strategic"


def test_empty_table_gives_no_segment():
    """DESIGN 3: below every row (here: no rows) means no segment."""
    assert segment("750000", thresholds=()) is None
