"""The admin-editable tables the recompute reads, as plain data for the pure rules.

`load_configuration` reads segments, regions and their rule parameters once per run; the
impact preview passes an unsaved edit to see the run it would cause.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from accounts.models import Region
from lib.rule_sets import RuleSet
from prioritization import rules
from prioritization.models import RuleSetParameters
from segments.assign import SegmentThreshold
from segments.models import Segment


@dataclass(frozen=True)
class RegionRules:
    rule_set: RuleSet
    digital_tam_trial: bool
    parameters: rules.RuleParameters


@dataclass(frozen=True)
class Configuration:
    thresholds: list[SegmentThreshold]
    segment_id_of: dict[str, int]
    segment_code_of: dict[int, str]
    tam_assigned_codes: frozenset[str]
    regions: dict[int, RegionRules]

    def effective_segment(self, computed: str | None, override_id: int | None) -> str | None:
        return self.segment_code_of.get(override_id) if override_id else computed

    def regions_following(self, rule_set: RuleSet) -> list[int]:
        return [pk for pk, region in self.regions.items() if region.rule_set == rule_set]


def rule_parameters_from(model: RuleSetParameters) -> rules.RuleParameters:
    return rules.RuleParameters(
        **{item.name: getattr(model, item.name) for item in fields(rules.RuleParameters)}
    )


def threshold_from(segment: Segment) -> SegmentThreshold:
    return SegmentThreshold(
        code=segment.code,
        min_arr=segment.min_arr,
        min_arr_inclusive=segment.min_arr_inclusive,
        lam_min_arr=segment.lam_min_arr,
        high_lam_usd=segment.high_lam_usd,
        tam_assigned=segment.tam_assigned,
    )


def load_configuration(
    *, segment: Segment | None = None, parameters: RuleSetParameters | None = None
) -> Configuration:
    """The stored tables, with `segment` or `parameters` (unsaved edits) in place of theirs."""
    segments = {row.pk or "new": row for row in Segment.objects.all()}
    if segment is not None:
        segments[segment.pk or "new"] = segment
    ordered = sorted(segments.values(), key=lambda row: row.position)
    stored_parameters = {row.region_id: row for row in RuleSetParameters.objects.all()}
    if parameters is not None:
        stored_parameters[parameters.region_id] = parameters
    regions = {}
    for region in Region.objects.all():
        row = stored_parameters.get(region.pk)
        regions[region.pk] = RegionRules(
            # An unknown rule set is an error here, not a silent US Enterprise.
            rule_set=RuleSet(region.rule_set),
            digital_tam_trial=region.digital_tam_trial,
            parameters=rule_parameters_from(row) if row else rules.RuleParameters(),
        )
    return Configuration(
        thresholds=[threshold_from(row) for row in ordered],
        segment_id_of={row.code: row.pk for row in ordered if row.pk},
        segment_code_of={row.pk: row.code for row in ordered if row.pk},
        tam_assigned_codes=frozenset(row.code for row in ordered if row.tam_assigned),
        regions=regions,
    )
