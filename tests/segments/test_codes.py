"""The segment codes the rules compare with (segments/codes.py) are the segments that exist.

DESIGN 3 seeds five segments; the priority rules (Digital-Only, Onboarding) and the metrics
(TAM-assigned, Named and Mid-Touch, Strategic, ...) name them by code. A code missing from
the table, or a seeded segment the enum does not know, would make a rule silently never fire.
"""

import pytest

from segments.codes import TAM_ASSIGNED_CODES, SegmentCode
from segments.models import Segment

pytestmark = pytest.mark.django_db


def test_every_seeded_segment_is_a_segment_code_and_back():
    assert set(Segment.objects.values_list("code", flat=True)) == set(SegmentCode)


def test_the_tam_assigned_codes_are_the_segments_seeded_as_tam_assigned():
    """DESIGN 3: TAM-Assigned is Strategic, Named and Mid-Touch."""
    seeded = set(Segment.objects.filter(tam_assigned=True).values_list("code", flat=True))
    assert seeded == TAM_ASSIGNED_CODES == {"strategic", "named", "mid-touch"}
