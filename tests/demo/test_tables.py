"""The demo's tables (demo/tables.py): draws as `random.choices` makes them, and ARR bands
that land in the segments they are named after (DESIGN 3)."""

import random
from decimal import Decimal
from itertools import pairwise

import pytest

from demo.tables import (
    ARR_BANDS,
    HEALTH,
    NPS_BY_HEALTH,
    TEAM_PLANS,
    Distribution,
    tams_per_region,
)
from orchestration.configuration import load_configuration
from segments.assign import assign_segment


@pytest.mark.parametrize("distribution", [HEALTH, *NPS_BY_HEALTH.values()])
def test_a_distribution_draws_what_random_choices_draws(distribution):
    """`Distribution.draw` stands in for `rng.choices(values, weights)` so the same seed
    gives the same demo: same value, and the generator left in the same state."""
    weights = [later - earlier for earlier, later in pairwise((0, *distribution.cumulative))]
    ours, stdlib = random.Random(7), random.Random(7)
    drawn = [distribution.draw(ours) for _ in range(2000)]
    expected = [stdlib.choices(distribution.values, weights)[0] for _ in range(2000)]
    assert drawn == expected
    assert ours.random() == stdlib.random()


def test_weights_are_relative():
    distribution = Distribution({"rare": 1, "common": 3})
    rng = random.Random(1)
    draws = [distribution.draw(rng) for _ in range(4000)]
    assert 0.70 < draws.count("common") / len(draws) < 0.80  # 3 in 4


@pytest.mark.django_db
def test_every_arr_band_lands_in_the_segment_it_is_named_after():
    """The demo draws ARR between a band's low + $10 and high - $10, with a low LAM: the
    seeded thresholds (Strategic >= $500k ... Digital >= $5k) put both ends in the band's
    segment, and below Digital in none."""
    thresholds = load_configuration().thresholds
    for band in ARR_BANDS:
        expected = None if band.code == "below-digital" else band.code
        for arr in (band.low + 10, band.high - 10):
            assert assign_segment(Decimal(arr), None, "", thresholds) == expected, band.code


def test_the_bands_cover_the_range_without_gaps():
    for larger, smaller in pairwise(ARR_BANDS):
        assert smaller.high == larger.low


def test_tams_per_region_adds_up_the_team_plans():
    tams = tams_per_region()
    assert tams["us-enterprise"] == 18  # two teams of nine
    assert sum(tams.values()) == sum(plan.tams for plan in TEAM_PLANS)
