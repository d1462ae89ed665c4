"""The segment codes the rules rely on (DESIGN 3): the one list of them, pure.

An admin may rename a segment and move its thresholds, but not change its code
(portal/admin.py SegmentAdmin): the priority rules, the metrics and the pages compare
with these members, seeded by segments/migrations/0002_seed_default_thresholds.py.
"""

from enum import StrEnum


class SegmentCode(StrEnum):
    STRATEGIC = "strategic"
    NAMED = "named"
    MID_TOUCH = "mid-touch"
    ONBOARDING = "onboarding"
    DIGITAL = "digital"


# Page 000's TAM-Assigned segment, split by pages 001-003 into these three.
TAM_ASSIGNED_CODES = frozenset({SegmentCode.STRATEGIC, SegmentCode.NAMED, SegmentCode.MID_TOUCH})
