"""What saving an edited segment threshold or rule parameter would move (DESIGN 3, 4).

The same passes as the nightly run over a configuration with the unsaved edit in place,
written nowhere, counting who moves from which segment and priority to which, and
listing each account that moves and each TAM whose accounts move.

The listing is gathered in the decide pass from the rows and decisions it already holds
(no query per account): each moving account as a small `AccountMove` and each TAM's Pr1
count before and after. Names are read once for the TAMs, regions and segments involved;
an account's name only for the rows a page shows (`account_names`), or, to sort by name,
once for all moving accounts.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from accounts.models import Account, Region
from people.models import User
from prioritization.models import RuleSetParameters
from segments.models import Segment

from .configuration import load_configuration
from .engine import Plan, decide_chunk, for_each_chunk, merge_failures, rank_portfolio
from .models import RecomputeRun, RunStatus
from .reading import ACCOUNT_COLUMNS

# The runs whose results the accounts show: a run that completed with errors wrote every
# account but those it lists.
FINISHED_RUNS = (RunStatus.SUCCEEDED, RunStatus.COMPLETED_WITH_ERRORS)

# How the list of moving accounts can be ordered; "-" first for the reverse.
ACCOUNT_SORTS = ("arr", "name", "tam", "region", "segment", "priority")
DEFAULT_ACCOUNT_SORT = "-arr"  # the largest accounts first: the moves that matter most


@dataclass(frozen=True)
class AccountMove:
    """One account whose segment or priority the edit would change."""

    account_id: int
    tam_id: int | None
    region_id: int
    arr: Decimal
    segment_before: str | None
    segment_after: str | None
    priority_before: int | None
    priority_after: int
    reasons: tuple[str, ...]  # the new priority's reason codes


@dataclass(frozen=True)
class TamMove:
    """A TAM with at least one moving account, and their Pr1 count before and after."""

    tam_id: int
    name: str
    accounts_moving: int
    pr1_before: int
    pr1_after: int


@dataclass
class Impact:
    accounts: int
    segment_moves: list[tuple[str | None, str | None, int]]
    priority_moves: list[tuple[int | None, int, int]]
    last_run: RecomputeRun | None
    failed_accounts: int = 0  # left out: a rule failed on them (see engine.py)
    moved: list[AccountMove] = field(default_factory=list)  # largest ARR first
    tams: list[TamMove] = field(default_factory=list)  # most accounts moving first
    tam_names: dict[int, str] = field(default_factory=dict)
    region_names: dict[int, str] = field(default_factory=dict)
    segment_names: dict[str, str] = field(default_factory=dict)  # code: name, edit included
    segment_order: dict[str, int] = field(default_factory=dict)  # code: position

    @property
    def segments_moving(self) -> int:
        return sum(count for _, _, count in self.segment_moves)

    @property
    def priorities_moving(self) -> int:
        return sum(count for _, _, count in self.priority_moves)

    def sorted_moves(self, sort: str) -> list[AccountMove]:
        """The moving accounts in the order `sort` names (see ACCOUNT_SORTS), ties by ARR,
        largest first. Sorting by name reads every moving account's name (one query)."""
        column = sort.removeprefix("-")
        if column not in ACCOUNT_SORTS or column == "arr":
            return self.moved if sort != "arr" else self.moved[::-1]
        key = self._sort_key(column)
        # Python's sort is stable: `moved` is already by ARR, so ties keep that order.
        return sorted(self.moved, key=key, reverse=sort.startswith("-"))

    def _sort_key(self, column: str):
        if column == "name":
            names = account_names([move.account_id for move in self.moved])
            return lambda move: names.get(move.account_id, "").casefold()
        if column == "tam":
            return lambda move: self.tam_names.get(move.tam_id, "").casefold()
        if column == "region":
            return lambda move: self.region_names.get(move.region_id, "").casefold()
        if column == "segment":
            last = len(self.segment_order)  # no segment sorts last
            return lambda move: (
                self.segment_order.get(move.segment_before, last),
                self.segment_order.get(move.segment_after, last),
            )
        return lambda move: (move.priority_before or 9, move.priority_after)


def account_names(account_ids: list[int]) -> dict[int, str]:
    """The accounts' names (one query): for the rows a page shows."""
    if not account_ids:
        return {}
    return dict(Account.objects.filter(id__any=account_ids).values_list("id", "name"))


def preview_impact(
    *,
    segment: Segment | None = None,
    parameters: RuleSetParameters | None = None,
    as_of: date | None = None,
) -> Impact:
    """What saving an edited segment or rule-parameter row would move, without writing.

    Compared with what the accounts show now (the last recompute), so moves include any
    fact that changed since then as well as the edit itself.
    """
    plan = Plan(
        load_configuration(segment=segment, parameters=parameters),
        as_of or timezone.localdate(),
        write=False,
        workers=settings.RECOMPUTE_WORKERS,
    )
    context, ranking = rank_portfolio(plan)
    listing = _Listing(plan)

    def decide(rows: list[dict]):
        part, decisions = decide_chunk(plan, rows, context)
        listing.add(rows, decisions)
        return part

    result = for_each_chunk(plan, Account.objects.all(), ACCOUNT_COLUMNS, decide)
    impact = Impact(
        accounts=result.accounts,
        segment_moves=_moves(result.segment_moves),
        priority_moves=_moves(result.priority_moves),
        last_run=RecomputeRun.objects.filter(status__in=FINISHED_RUNS)
        .order_by("-started_at", "-pk")
        .first(),
        failed_accounts=len(merge_failures(ranking.failures, result.failures)),
        moved=sorted(listing.moved, key=lambda move: (-move.arr, move.account_id)),
    )
    _name_and_count_tams(impact, listing)
    impact.region_names = dict(Region.objects.values_list("pk", "name"))
    segments = {row.code: row for row in Segment.objects.all()}
    if segment is not None:
        segments[segment.code] = segment
    impact.segment_names = {code: row.name for code, row in segments.items()}
    impact.segment_order = {code: row.position for code, row in segments.items()}
    return impact


class _Listing:
    """The moving accounts and every TAM's Pr1 count, fed chunk by chunk from the threads."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.moved: list[AccountMove] = []
        self.pr1_before: Counter = Counter()
        self.pr1_after: Counter = Counter()
        self._lock = threading.Lock()

    def add(self, rows: list[dict], decisions: dict) -> None:
        config = self.plan.config
        moved, pr1_before, pr1_after = [], Counter(), Counter()
        for row in rows:
            decided = decisions.get(row["id"])  # absent: a rule failed, nothing moves
            priority = decided[0].priority if decided else row["priority"]
            if row["tam_id"] is not None:
                pr1_before[row["tam_id"]] += row["priority"] == 1
                pr1_after[row["tam_id"]] += priority == 1
            if decided is None:
                continue
            override = row["segment_override_id"]
            before = config.effective_segment(
                config.segment_code_of.get(row["segment_id"]), override
            )
            after = config.effective_segment(
                None if override else self.plan.computed_segment(row), override
            )
            if (before, row["priority"]) != (after, priority):
                moved.append(
                    AccountMove(
                        row["id"], row["tam_id"], row["region_id"], row["arr"], before, after,
                        row["priority"], priority, decided[0].reasons,
                    )
                )  # fmt: skip
        with self._lock:
            self.moved.extend(moved)
            self.pr1_before.update(pr1_before)
            self.pr1_after.update(pr1_after)


def _name_and_count_tams(impact: Impact, listing: _Listing) -> None:
    """The TAMs with a moving account, named in one query, most accounts moving first."""
    moving = Counter(move.tam_id for move in impact.moved if move.tam_id is not None)
    if not moving:
        return
    impact.tam_names = {tam.pk: str(tam) for tam in User.objects.filter(id__any=list(moving))}
    tams = []
    for tam_id, count in moving.items():
        name = impact.tam_names.get(tam_id, "")
        before, after = listing.pr1_before[tam_id], listing.pr1_after[tam_id]
        tams.append(TamMove(tam_id, name, count, before, after))
    impact.tams = sorted(
        tams, key=lambda tam: (-tam.accounts_moving, tam.name.casefold(), tam.tam_id)
    )


def _moves(counter: Counter) -> list[tuple]:
    moves = [(before, after, count) for (before, after), count in counter.items()]
    return sorted(
        (move for move in moves if move[0] != move[1]),
        key=lambda move: (-move[2], str(move[0]), str(move[1])),
    )
