"""The mergeable sums of the metrics over some of the accounts (a chunk, or all of them).

A chunk adds each account's contributions once, into the accumulator of its "place": the
(TAM, team, region, segment) it counts in, or the segment it started the quarter in for
the ARR metrics. Places are few (TAMs x segments), so partials are small whatever the
number of accounts; they merge in any order, travel as JSON between processes, and are
folded into the six scope kinds (`scope_accumulators`) once, at the end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from . import formulas
from .models import ScopeType, team_segment_scope

COMPANY = "all"


# (tam_id, team_id, region_id, segment code): where an account counts.
Place = tuple[int | None, int | None, int | None, str | None]
Scope = tuple[str, str]


def scopes_of(place: Place) -> list[Scope]:
    """Each account counts in six scopes: its TAM, team, region, segment, its team's share
    of that segment, and the company (fewer where it has no TAM or segment)."""
    tam_id, team_id, region_id, segment = place
    keys = [(ScopeType.COMPANY, COMPANY), (ScopeType.REGION, str(region_id))]
    if tam_id:
        keys.append((ScopeType.TAM, str(tam_id)))
    if team_id:
        keys.append((ScopeType.TEAM, str(team_id)))
    if segment:
        keys.append((ScopeType.SEGMENT, segment))
        if team_id:
            keys.append((ScopeType.TEAM_SEGMENT, team_segment_scope(team_id, segment)))
    return keys


# Asked for every place whenever the seen scopes are listed.
_scopes_of = lru_cache(maxsize=100_000)(scopes_of)


@dataclass
class MetricsPartial:
    accounts: int = 0
    # Accounts a formula failed on (`lib.failures.account_failure`), in id order.
    failures: list[dict] = field(default_factory=list)
    # Places an account counted in: each of their scopes gets a result, "no data" or not.
    places: set[Place] = field(default_factory=set)
    # metric key -> place -> running sums.
    sums: dict[str, dict[Place, formulas.Accumulator]] = field(default_factory=dict)

    def merge(self, other: MetricsPartial) -> MetricsPartial:
        """Add `other` in (this one's failures first); returns self. `other` is used up:
        its sums become this one's rather than being copied."""
        self.accounts += other.accounts
        self.failures.extend(other.failures)
        self.places |= other.places
        for key, by_place in other.sums.items():
            kind = formulas.METRICS_BY_KEY[key].kind
            mine = self.sums.setdefault(key, {})
            for place, accumulator in by_place.items():
                if place in mine:
                    mine[place].merge(accumulator, kind)
                else:
                    mine[place] = accumulator
        return self

    def to_json(self) -> dict:
        """Plain JSON types only: Decimals as strings, dates ISO; `from_json` restores it.

        Compact, as every chunk goes through it: the places once, each sum as
        `[place index, count, numerator, denominator, samples or null, extra or null]`.
        """
        places = sorted(self.places, key=_place_order)
        index = {place: number for number, place in enumerate(places)}
        return {
            "accounts": self.accounts,
            "failures": self.failures,
            "places": [list(place) for place in places],
            "sums": {
                key: [_accumulator_json(index[place], sums) for place, sums in by_place.items()]
                for key, by_place in self.sums.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict) -> MetricsPartial:
        places = [tuple(place) for place in data["places"]]
        decimal = _Decimals()
        sums = {}
        for key, items in data["sums"].items():
            kind = formulas.METRICS_BY_KEY[key].kind
            sums[key] = {places[item[0]]: _accumulator(item, kind, decimal) for item in items}
        return cls(
            accounts=data["accounts"],
            failures=list(data["failures"]),
            places=set(places),
            sums=sums,
        )

    def scope_accumulators(self, key: str) -> dict[Scope, formulas.Accumulator]:
        """One metric's sums per scope: every place folded into each of its scopes.

        In two stages, so each place is added three times rather than six (issue 14):
        places into TAMs, regions and teams' segments; regions into the company; teams'
        segments (and places with a team but no segment) into teams; teams' segments (and
        places with a segment but no team) into segments. Grouping changes only the order
        of the additions: Decimal sums are exact (figures of far fewer than 28 digits),
        a distinct metric's samples are a set, a median sorts its samples, and every
        contribution of a metric names its extras in the same order, so every value and
        every `details` comes out as folding place by place gave it."""
        kind = formulas.METRICS_BY_KEY[key].kind
        summed = formulas.Accumulator.summed
        by_tam, by_region, by_team_segment, by_team, by_segment = _grouped(self.sums.get(key, {}))
        by_scope: dict[Scope, formulas.Accumulator] = {}
        for region_id, group in by_region.items():
            by_scope[(ScopeType.REGION, str(region_id))] = summed(group, kind)
        if by_region:
            regions = [by_scope[(ScopeType.REGION, str(region_id))] for region_id in by_region]
            by_scope[(ScopeType.COMPANY, COMPANY)] = summed(regions, kind)
        for tam_id, group in by_tam.items():
            by_scope[(ScopeType.TAM, str(tam_id))] = summed(group, kind)
        for (team_id, segment), group in by_team_segment.items():
            total = summed(group, kind)
            by_scope[(ScopeType.TEAM_SEGMENT, team_segment_scope(team_id, segment))] = total
            by_team[team_id].append(total)
            by_segment[segment].append(total)
        for team_id, group in by_team.items():
            by_scope[(ScopeType.TEAM, str(team_id))] = summed(group, kind)
        for segment, group in by_segment.items():
            by_scope[(ScopeType.SEGMENT, segment)] = summed(group, kind)
        return by_scope

    def seen_scopes(self) -> set[Scope]:
        return {scope for place in self.places for scope in _scopes_of(place)}


def _grouped(sums: dict[Place, formulas.Accumulator]) -> tuple[defaultdict, ...]:
    """The first stage of the fold: places by TAM, by region and by team's segment; a
    place with a team but no segment goes straight to its team, one with a segment but
    no team straight to its segment."""
    by_tam, by_region, by_team_segment = defaultdict(list), defaultdict(list), defaultdict(list)
    by_team, by_segment = defaultdict(list), defaultdict(list)
    for place, accumulator in sums.items():
        tam_id, team_id, region_id, segment = place
        by_region[region_id].append(accumulator)
        if tam_id:
            by_tam[tam_id].append(accumulator)
        if team_id:
            if segment:
                by_team_segment[(team_id, segment)].append(accumulator)
            else:
                by_team[team_id].append(accumulator)
        elif segment:
            by_segment[segment].append(accumulator)
    return by_tam, by_region, by_team_segment, by_team, by_segment


def merged(partials: Iterable[MetricsPartial]) -> MetricsPartial:
    """All of `partials` in one, in their order (the first is used up as the total)."""
    total = None
    for partial in partials:
        total = partial if total is None else total.merge(partial)
    return total or MetricsPartial()


def _place_order(place: Place) -> tuple:
    return tuple((value is None, value if value is not None else 0) for value in place)


# A sample is a number of days or an id, so an int; a Decimal or a date is tagged so it
# comes back as what it was.
def _sample_json(sample):
    if isinstance(sample, Decimal):
        return {"decimal": str(sample)}
    if isinstance(sample, date):
        return {"date": sample.isoformat()}
    return sample


def _sample(value):
    if isinstance(value, dict):
        if "decimal" in value:
            return Decimal(value["decimal"])
        return date.fromisoformat(value["date"])
    return value


def _accumulator_json(place: int, accumulator: formulas.Accumulator) -> list:
    samples = accumulator.samples
    if isinstance(samples, set):
        samples = sorted(samples, key=repr)
    return [
        place,
        accumulator.count,
        str(accumulator.numerator),
        str(accumulator.denominator),
        None if samples is None else [_sample_json(item) for item in samples],
        {name: str(amount) for name, amount in accumulator.extra.items()} or None,
    ]


class _Decimals(dict):
    # The same few figures ("0", "1", ...) come back thousands of times: one Decimal each
    # (Decimals are immutable, so sharing them is safe).
    def __missing__(self, text: str) -> Decimal:
        value = self[text] = Decimal(text)
        return value


def _accumulator(item: list, kind: str, decimal: _Decimals) -> formulas.Accumulator:
    _, count, numerator, denominator, samples, extra = item
    accumulator = formulas.Accumulator()
    accumulator.count = count
    accumulator.numerator = decimal[numerator]
    accumulator.denominator = decimal[denominator]
    if samples is not None:
        samples = [_sample(sample) for sample in samples]
        accumulator.samples = set(samples) if kind == "distinct" else samples
    if extra:
        accumulator.extra = {name: decimal[amount] for name, amount in extra.items()}
    return accumulator
