"""Metric figures and targets as sentences (metrics/target_words.py, DESIGN 5 and 12).

The targets are DESIGN 5's defaults as seeded (metrics/migrations/0002): shares as
fractions, days, CSAT on 1-5; "up"/"down" metrics compare with last quarter's figure.
"""

from decimal import Decimal

import pytest

from metrics.target_words import metric_target_text, metric_value_text


@pytest.mark.parametrize(
    ("target", "unit", "direction", "expected"),
    [
        (Decimal("4.0000"), "score", "above", "over 4.0 of 5"),  # CSAT above 4
        (Decimal("0.8000"), "share", "at_least", "at least 80%"),  # webinar stay rate
        (Decimal("0.7500"), "share", "at_least", "at least 75%"),  # EBR coverage, Strategic
        (Decimal("45.0000"), "days", "at_most", "within 45 days"),  # time to onboard
        (Decimal("3.0000"), "count", "at_least", "at least 3"),  # webinars per quarter
        (Decimal("0.1000"), "ratio", "at_least", "at least +10%"),  # stages adopted growth
        (Decimal("0.4286"), "share", "up", "above last quarter's 42.9%"),  # win rate
        (Decimal("72.33"), "days", "down", "below last quarter's 72.33 days"),
        (None, "share", "at_least", "no target"),
        (None, "count", "up", "better than last quarter (no figure then)"),
    ],
)
def test_a_target_reads_as_a_sentence(target, unit, direction, expected):
    assert metric_target_text(target, unit, direction) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal("0.5"), "share", "50%"),
        (Decimal("0.04"), "ratio", "+4%"),
        (Decimal("15.5"), "days", "15.5 days"),
        (Decimal("3.5"), "score", "3.5 of 5"),
        (Decimal("28"), "count", "28"),
        (None, "share", "no data"),
    ],
)
def test_a_figure_reads_in_its_unit(value, unit, expected):
    assert metric_value_text(value, unit) == expected
