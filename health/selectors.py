"""The scorecards as the pure rules read them (`health.scorecard.Scorecard`).

`scorecards()` reads every scorecard in one query, for a run over many accounts;
`scorecard_for_segment()` answers for one. A segment without its own scorecard gets the
default; with no default row (it is made by a migration, but could be deleted in SQL) the
default is DESIGN 11's, from the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from accounts.models import Account

from .models import HealthScorecard
from .scorecard import DEFAULT_SCORECARD, Scorecard


@dataclass(frozen=True)
class Scorecards:
    default: Scorecard = DEFAULT_SCORECARD
    by_segment: dict[int, Scorecard] = field(default_factory=dict)

    def for_segment(self, segment_id: int | None) -> Scorecard:
        return self.by_segment.get(segment_id, self.default)


def scorecards() -> Scorecards:
    """Every scorecard (one query)."""
    default, by_segment = DEFAULT_SCORECARD, {}
    for row in HealthScorecard.objects.all():
        if row.segment_id is None:
            default = row.as_scorecard()
        else:
            by_segment[row.segment_id] = row.as_scorecard()
    return Scorecards(default, by_segment)


def scorecard_for_segment(segment_id: int | None) -> Scorecard:
    """The segment's scorecard, else the default (one query, at most two rows)."""
    wanted = Q(segment=None) | Q(segment=segment_id) if segment_id is not None else Q(segment=None)
    rows = {row.segment_id: row for row in HealthScorecard.objects.filter(wanted)}
    row = rows.get(segment_id) or rows.get(None)
    return row.as_scorecard() if row is not None else DEFAULT_SCORECARD


BAND_ORDER = ("green", "yellow", "red", "unknown")


def band_spread(accounts=None) -> dict[str, int]:
    """Accounts per computed band (one query), green to unknown; blank is unknown.
    `accounts`: a queryset of accounts to count, else every account."""
    rows = (accounts if accounts is not None else Account.objects.all()).values_list("health")
    counts = dict(rows.annotate(n=Count("id")).order_by())
    return {band: counts.get("" if band == "unknown" else band, 0) for band in BAND_ORDER}


def describe_spread(spread: dict[str, int]) -> str:
    """ "green 2,310 (77%), yellow 540 (18%), ...": for the demo's summary and the command."""
    total = sum(spread.values()) or 1
    return ", ".join(f"{band} {n:,} ({100 * n / total:.0f}%)" for band, n in spread.items())
