"""What saving an edited segment threshold or rule parameter would move (DESIGN 3, 4).

The same passes as the nightly run over a configuration with the unsaved edit in place,
written nowhere, counting who moves from which segment and priority to which.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from prioritization.models import RuleSetParameters
from segments.models import Segment

from .configuration import load_configuration
from .engine import Plan, run_passes
from .models import RecomputeRun, RunStatus

# The runs whose results the accounts show: a run that completed with errors wrote every
# account but those it lists.
FINISHED_RUNS = (RunStatus.SUCCEEDED, RunStatus.COMPLETED_WITH_ERRORS)


@dataclass
class Impact:
    accounts: int
    segment_moves: list[tuple[str | None, str | None, int]]
    priority_moves: list[tuple[int | None, int, int]]
    last_run: RecomputeRun | None
    failed_accounts: int = 0  # left out: a rule failed on them (see engine.py)

    @property
    def segments_moving(self) -> int:
        return sum(count for _, _, count in self.segment_moves)

    @property
    def priorities_moving(self) -> int:
        return sum(count for _, _, count in self.priority_moves)


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
    result = run_passes(plan)
    return Impact(
        accounts=result.accounts,
        segment_moves=_moves(result.segment_moves),
        priority_moves=_moves(result.priority_moves),
        last_run=RecomputeRun.objects.filter(status__in=FINISHED_RUNS)
        .order_by("-started_at", "-pk")
        .first(),
        failed_accounts=len(result.failures),
    )


def _moves(counter: Counter) -> list[tuple]:
    moves = [(before, after, count) for (before, after), count in counter.items()]
    return sorted(
        (move for move in moves if move[0] != move[1]),
        key=lambda move: (-move[2], str(move[0]), str(move[1])),
    )
