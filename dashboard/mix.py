"""Priority mix, its target and the quarter-on-quarter movements: pure, no Django.

The targets are page 004's, held in each region's rule-set parameters:
- US Enterprise flowchart (and the regions that use it): "roughly one third" of a TAM's
  book at Pr1, the rest Pr2. The share is Pr1 / (Pr1 + Pr2), the book the page means;
  Pr3/Pr4 and unassessed accounts are not in it.
- EMEA Enterprise: "roughly 5 to 8 customers as Priority 1" per TAM, the band from
  `pr1_target_min_per_tam` to `pr1_cap_per_tam` (admin-editable). A count, not a share:
  the dashboard shows no Pr1 share for it, and says how far outside the band a TAM is.
- Commercial: page 004 sets no Pr1 target (new customers start at Pr1, then the
  qualification decides), so the mix is shown without an on/off-target mark.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from lib.rule_sets import RuleSet

US_ENTERPRISE = RuleSet.US_ENTERPRISE
EMEA_ENTERPRISE = RuleSet.EMEA_ENTERPRISE

# "Roughly one third": a share within 10 points of the target counts as on target.
# Not a rule-set parameter (yet): the handbook gives no figure for "roughly".
SHARE_TOLERANCE = Decimal("0.10")

PRIORITY_KEYS: tuple[int | None, ...] = (1, 2, 3, 4, None)  # None: no assessment


def priority_label(priority: int | None) -> str:
    return f"Pr{priority}" if priority else "Not assessed"


@dataclass(frozen=True)
class Pr1Target:
    """What a TAM's Pr1 count is measured against; `kind` is share, band or none."""

    kind: str
    share: Decimal | None = None
    band_min: int | None = None
    band_max: int | None = None

    @classmethod
    def for_rule_set(
        cls, rule_set: str, *, share: Decimal, band_min: int, band_max: int
    ) -> Pr1Target:
        if rule_set == US_ENTERPRISE:
            return cls("share", share=share)
        if rule_set == EMEA_ENTERPRISE:
            return cls("band", band_min=band_min, band_max=band_max)
        return cls("none")

    @property
    def shows_share(self) -> bool:
        """A band region is judged on counts: a Pr1 share column would speak US there."""
        return self.kind != "band"

    @property
    def description(self) -> str:
        if self.kind == "share":
            return f"about {self.share:.0%} of Pr1 + Pr2 at Pr1 (±{SHARE_TOLERANCE:.0%})"
        if self.kind == "band":
            return f"{self.band_min} to {self.band_max} Pr1 accounts per TAM"
        return "no Pr1 target for this rule set"

    def on_target(self, pr1: int, pr2: int) -> bool | None:
        """True or False against the target; None where there is nothing to judge."""
        if self.kind == "share":
            book = pr1 + pr2
            if not book:
                return None
            return abs(Decimal(pr1) / book - self.share) <= SHARE_TOLERANCE
        if self.kind == "band":
            return self.band_min <= pr1 <= self.band_max
        return None

    def band_standing(self, pr1: int) -> str | None:
        """Where a Pr1 count sits against the band, in words; None off a band target.
        Both bounds are inside: the handbook's "5 to 8" includes 5 and 8."""
        if self.kind != "band":
            return None
        if pr1 < self.band_min:
            return f"{self.band_min - pr1} below the band"
        if pr1 > self.band_max:
            return f"{pr1 - self.band_max} above the band"
        return f"within {self.band_min}-{self.band_max}"


@dataclass
class TamMix:
    tam_id: int
    name: str
    counts: dict[int | None, int] = field(default_factory=lambda: dict.fromkeys(PRIORITY_KEYS, 0))
    on_target: bool | None = None
    band_standing: str | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def pr1_share(self) -> Decimal | None:
        book = self.counts[1] + self.counts[2]
        return Decimal(self.counts[1]) / book if book else None

    @property
    def ordered_counts(self) -> list[int]:
        return [self.counts[key] for key in PRIORITY_KEYS]


@dataclass
class Movements:
    """Accounts by last quarter's priority (rows) and this quarter's (columns)."""

    cells: dict[tuple[int | None, int | None], int] = field(default_factory=dict)

    def count(self, last: int | None, this: int | None) -> int:
        return self.cells.get((last, this), 0)

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        """(row label, a count per column, row total), in PRIORITY_KEYS order."""
        table = []
        for last in PRIORITY_KEYS:
            counts = [self.count(last, this) for this in PRIORITY_KEYS]
            table.append((priority_label(last), counts, sum(counts)))
        return table

    @property
    def column_totals(self) -> list[int]:
        return [sum(self.count(last, this) for last in PRIORITY_KEYS) for this in PRIORITY_KEYS]

    @property
    def total(self) -> int:
        return sum(self.cells.values())

    @property
    def any_assessed(self) -> bool:
        """Whether any account has an assessment for the quarter shown (the columns):
        none means the recompute has not run for it, and zeros would mislead."""
        return any(n for (_, this), n in self.cells.items() if this is not None)

    @property
    def moved(self) -> int:
        return sum(n for (last, this), n in self.cells.items() if last != this)


def tally(
    rows: Iterable[dict], tams: Iterable[tuple[int, str]], target: Pr1Target
) -> tuple[list[TamMix], Movements]:
    """Fold (tam_id, last_priority, this_priority, accounts) rows into each TAM's mix this
    quarter and the scope's movement matrix. TAMs come in the given order; an account's
    TAM missing from `tams` (moved team, deactivated) still counts in the matrix."""
    mixes = {tam_id: TamMix(tam_id, name) for tam_id, name in tams}
    movements = Movements()
    for row in rows:
        key = (row["last_priority"], row["this_priority"])
        movements.cells[key] = movements.cells.get(key, 0) + row["accounts"]
        mix = mixes.get(row["tam_id"])
        if mix is not None:
            mix.counts[row["this_priority"]] += row["accounts"]
    for mix in mixes.values():
        mix.on_target = target.on_target(mix.counts[1], mix.counts[2])
        mix.band_standing = target.band_standing(mix.counts[1])
    return list(mixes.values()), movements


@dataclass
class RegionMix:
    """One region's accounts per priority, against the region's own target (the whole
    company's dashboard): a share region on its Pr1 share of Pr1 + Pr2, a band region on
    how many of the TAMs holding its accounts are outside the band."""

    region_id: int
    name: str
    rule_set: str  # as people read it
    target: Pr1Target
    counts: dict[int | None, int] = field(default_factory=lambda: dict.fromkeys(PRIORITY_KEYS, 0))
    tam_pr1: dict[int, int] = field(default_factory=dict)  # each TAM holding an account

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def ordered_counts(self) -> list[int]:
        return [self.counts[key] for key in PRIORITY_KEYS]

    @property
    def pr1_share(self) -> Decimal | None:
        book = self.counts[1] + self.counts[2]
        return Decimal(self.counts[1]) / book if book else None

    @property
    def tams_outside_band(self) -> int:
        return sum(1 for pr1 in self.tam_pr1.values() if self.target.on_target(pr1, 0) is False)

    @property
    def on_target(self) -> bool | None:
        if self.target.kind == "band":
            return None if not self.tam_pr1 else self.tams_outside_band == 0
        return self.target.on_target(self.counts[1], self.counts[2])

    @property
    def standing(self) -> str:
        """Where the region stands against its target, in words."""
        if self.target.kind == "band":
            if not self.tam_pr1:
                return "no TAM holds its accounts"
            outside, tams = self.tams_outside_band, len(self.tam_pr1)
            if not outside:
                return f"all {tams} TAM{'s' if tams != 1 else ''} within the band"
            return f"{outside} of {tams} TAMs outside the band"
        if self.on_target is None:
            return "no Pr1 target" if self.target.kind == "none" else "no Pr1 or Pr2 accounts"
        return "on target" if self.on_target else "off target"


def tally_regions(
    rows: Iterable[dict], regions: Iterable[tuple[int, str, str, Pr1Target]]
) -> tuple[list[RegionMix], Movements]:
    """Fold (region_id, tam_id, last_priority, this_priority, accounts) rows into each
    region's mix this quarter (regions in the given order) and the company's movements."""
    mixes = {region_id: RegionMix(region_id, *rest) for region_id, *rest in regions}
    movements = Movements()
    for row in rows:
        key = (row["last_priority"], row["this_priority"])
        movements.cells[key] = movements.cells.get(key, 0) + row["accounts"]
        mix = mixes.get(row["region_id"])
        if mix is None:
            continue
        mix.counts[row["this_priority"]] += row["accounts"]
        if row["tam_id"] is not None:
            pr1 = row["accounts"] if row["this_priority"] == 1 else 0
            mix.tam_pr1[row["tam_id"]] = mix.tam_pr1.get(row["tam_id"], 0) + pr1
    return list(mixes.values()), movements
