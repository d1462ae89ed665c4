"""What saving an edited health scorecard would move between bands (DESIGN 11: "an
admin's change of weights or bands shows its impact (accounts moving between bands)
before it is saved, like the segment thresholds").

The accounts the scorecard applies to (a segment's: that segment's accounts; the
default: the accounts of every segment without its own scorecard, and those without a
segment) are read in chunks with `health.inputs.read_health_inputs` and scored twice on
today's inputs: with the scorecard in force and with the edit. Nothing is written.
About 5.5 s at 100,000 accounts with their history (`bench/run health-preview`), two
thirds of it reading the inputs; the scoring is Python, so threads do not shorten it
(tried: reading one chunk while scoring another gave no gain).

Decision: "before" is the scorecard in force scored on today's inputs, not the band
stored on the account by the last recompute. Both sides then read the same inputs on the
same day, so every move listed is the edit's own; a sentiment that went stale since the
last run does not show up as the admin's doing. How many accounts' stored band differs
from that "before" (inputs changed since the last recompute, which the recompute after
saving catches up with anyway) is counted apart, so the admin is not surprised.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils import timezone

from accounts.models import Account
from core.bulk import CHUNK_SIZE
from health.inputs import read_health_inputs
from health.models import HealthScorecard
from health.scorecard import Band, HealthInputs, Scorecard, score_health
from health.selectors import scorecards
from people.models import User
from segments.models import Segment

# An account's bands, best first: the rows and columns of the matrix of moves.
BANDS = (Band.GREEN.value, Band.YELLOW.value, Band.RED.value, Band.UNKNOWN.value)
BAND_RANK = {band: rank for rank, band in enumerate(BANDS)}

# How the list of moving accounts can be ordered; "-" first for the reverse.
HEALTH_SORTS = ("band", "score", "name", "tam", "segment")
DEFAULT_HEALTH_SORT = "band"  # by the move (green -> yellow first), then the largest drop


@dataclass(frozen=True, slots=True)
class BandMove:
    """One account whose band the edit would change."""

    account_id: int
    tam_id: int | None
    segment_id: int | None
    band_before: str  # green / yellow / red / unknown
    band_after: str
    score_before: int | None  # None: unknown
    score_after: int | None


@dataclass
class HealthImpact:
    accounts: int  # the accounts the scorecard applies to, all scored
    moves: list[tuple[str, str, int]]  # (band before, band after, accounts), most first
    moved: list[BandMove] = field(default_factory=list)  # in DEFAULT_HEALTH_SORT order
    out_of_date: int = 0  # accounts whose stored band is not "before": inputs changed
    tam_names: dict[int, str] = field(default_factory=dict)
    segment_names: dict[int, str] = field(default_factory=dict)
    segment_order: dict[int, int] = field(default_factory=dict)  # id: position

    @property
    def accounts_moving(self) -> int:
        return len(self.moved)

    @property
    def matrix(self) -> list[tuple[str, list[int]]]:
        """Accounts by band before (rows) and after (columns, in BANDS order); the
        diagonal is 0: an account that keeps its band is not counted."""
        counts = {(before, after): count for before, after, count in self.moves}
        return [(before, [counts.get((before, after), 0) for after in BANDS]) for before in BANDS]

    def sorted_moves(self, sort: str) -> list[BandMove]:
        column = sort.removeprefix("-")
        if column not in HEALTH_SORTS:
            column, sort = DEFAULT_HEALTH_SORT, DEFAULT_HEALTH_SORT
        key = self._sort_key(column)
        return sorted(self.moved, key=key, reverse=sort.startswith("-"))

    def _sort_key(self, column: str):
        if column == "band":
            return _move_order
        if column == "score":
            return lambda move: (_score(move.score_before), _score(move.score_after))
        if column == "name":
            names = account_names([move.account_id for move in self.moved])
            return lambda move: names.get(move.account_id, "").casefold()
        if column == "tam":
            return lambda move: self.tam_names.get(move.tam_id, "").casefold()
        last = len(self.segment_order)  # no segment sorts last
        return lambda move: self.segment_order.get(move.segment_id, last)


def _score(score: int | None) -> int:
    return -1 if score is None else score


def _move_order(move: BandMove) -> tuple:
    # Worsening moves first (green -> yellow before yellow -> green), then the biggest
    # drop in score, then the account for a stable order.
    return (
        BAND_RANK[move.band_after] < BAND_RANK[move.band_before],
        BAND_RANK[move.band_before],
        BAND_RANK[move.band_after],
        _score(move.score_after) - _score(move.score_before),
        move.account_id,
    )


def account_names(account_ids: list[int]) -> dict[int, str]:
    """The accounts' names (one query): for the rows a page shows."""
    if not account_ids:
        return {}
    return dict(Account.objects.filter(id__any=account_ids).values_list("id", "name"))


def accounts_scored_by(edited: HealthScorecard):
    """The accounts whose health the scorecard decides: its segment's, or, for the
    default, every account whose segment has no scorecard of its own."""
    if edited.segment_id is not None:
        return Account.objects.filter(segment_id=edited.segment_id)
    own = HealthScorecard.objects.exclude(segment=None).values_list("segment_id", flat=True)
    return Account.objects.filter(Q(segment=None) | ~Q(segment_id__in=own))


def preview_health_impact(edited: HealthScorecard, *, today: date | None = None) -> HealthImpact:
    """What saving `edited` (unsaved) would move between bands, without writing."""
    today = today or timezone.localdate()
    in_force = scorecards().for_segment(edited.segment_id)
    candidate = edited.as_scorecard()
    rows = list(
        accounts_scored_by(edited)
        .order_by("id")
        .values_list("id", "tam_id", "segment_id", "health")
    )
    moves: Counter = Counter()
    moved: list[BandMove] = []
    out_of_date = 0
    for start in range(0, len(rows), CHUNK_SIZE):
        chunk = rows[start : start + CHUNK_SIZE]
        inputs = read_health_inputs([row[0] for row in chunk], today)
        for account_id, tam_id, segment_id, stored in chunk:
            move, stale = _score_both(
                in_force, candidate, inputs.get(account_id) or HealthInputs(today), stored
            )
            out_of_date += stale
            if move is not None:
                moves[move[0], move[1]] += 1
                moved.append(BandMove(account_id, tam_id, segment_id, *move))
    impact = HealthImpact(
        accounts=len(rows),
        moves=sorted(
            ((before, after, count) for (before, after), count in moves.items()),
            key=lambda move: (-move[2], BAND_RANK[move[0]], BAND_RANK[move[1]]),
        ),
        moved=sorted(moved, key=_move_order),
        out_of_date=out_of_date,
    )
    _name(impact)
    return impact


def _score_both(
    in_force: Scorecard, candidate: Scorecard, inputs: HealthInputs, stored: str
) -> tuple[tuple | None, bool]:
    """(band before, band after, score before, score after) when the band moves, else
    None; and whether the stored band is out of date against "before"."""
    before = score_health(in_force, inputs)
    after = score_health(candidate, inputs) if candidate != in_force else before
    stale = (stored or Band.UNKNOWN.value) != before.band.value
    if after.band is before.band:
        return None, stale
    return (before.band.value, after.band.value, before.score, after.score), stale


def _name(impact: HealthImpact) -> None:
    """The TAMs of the moving accounts (one query) and every segment (one query)."""
    tam_ids = {move.tam_id for move in impact.moved if move.tam_id is not None}
    if tam_ids:
        impact.tam_names = {tam.pk: str(tam) for tam in User.objects.filter(id__any=list(tam_ids))}
    for segment in Segment.objects.all():
        impact.segment_names[segment.pk] = segment.name
        impact.segment_order[segment.pk] = segment.position
