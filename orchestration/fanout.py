"""A run's chunks, spread over every worker that drains them (issue 14, point 3).

A run keeps one conductor: the process that took the lock and recorded the run
(`runs.recompute`). For each phase (rank, decide) the conductor writes the phase's id
ranges as `RecomputeChunk` rows in one insert, sends up to `RECOMPUTE_FANOUT_TASKS`
helper tasks when there is a broker (`tasks.recompute_chunks`), drains the chunks itself
on `RECOMPUTE_WORKERS` threads, waits for the chunks helpers hold, then reads every
chunk's result back in order and merges them. With no broker (the embedded default) no
helper is sent and the same code runs on the conductor's threads alone; a run whose
helpers never start (no worker free) is done by its conductor, never waits forever.

Any drainer claims a chunk with a compare-and-set on every database: one UPDATE of a
chunk not done whose claim is empty or has run out; one row changed means it is ours.
A claim lasts `CLAIM_LEASES` lock expiries (`RECOMPUTE_LOCK_SECONDS`); a drainer that
dies mid-chunk leaves its claim to run out, and the conductor (or a helper) takes the
chunk again. That is safe because chunks are idempotent (the engine writes only what
differs) and because a chunk's result and `done` are written in the chunk's own
transaction with its writes: done with its result, or not done and nothing written.
Writing `done` requires the run to be running still and the chunk not done by another
drainer; otherwise the chunk's transaction is rolled back. A chunk retries a transient
error (`chunks.in_transaction_with_retries`); any other error is written on the chunk's
row and fails the run: the conductor raises it, and helpers stop at their next claim.

A helper rebuilds what a chunk needs from the database: the run's day, the configuration
(read again: a threshold saved meanwhile asks for a run of its own anyway) and the
phase's context the conductor stored in the run's details (`PHASE_CONTEXT`, the
rankings; the finished run's record, written from the conductor's copy, drops it).
Before each claim it checks that the run is still running and its lock still held by
the run's holder, so a helper writes nothing for a run that has ended or lost its lock.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.bulk import for_each_range
from metrics.compute import QuarterSetup, prepare_quarter, quarter_chunk

from .chunks import heap_frozen, in_transaction_with_retries
from .configuration import load_configuration
from .engine import Plan, phase_work
from .models import RECOMPUTE_LOCK, RecomputeChunk, RecomputeRun, RunLock, RunStatus

logger = logging.getLogger(__name__)

CLAIM_LEASES = 2
# The conductor's own claims last as long as its run: if the conductor dies the run is
# abandoned whole, so nobody needs to take its chunks over. That lets the conductor keep
# a chunk's result in memory (a metrics chunk adds straight into its thread's sums)
# without another drainer ever doing the same chunk again.
RUN_LONG = timedelta(days=7)
POLL_SECONDS = 0.05
PHASE_CONTEXT = "phase_context"
# The run's last phase, after the engine's (`engine.RANK`, `engine.DECIDE`).
METRICS = "metrics"
ERROR_KEPT = 20_000  # characters of a failed chunk's traceback

# A chunk's result as JSON, stored on its row; None when the conductor keeps it in memory.
Work = Callable[[int, int | None], dict | None]


class ChunkFailed(RuntimeError):
    """A chunk failed on another worker; its traceback is in the message."""


@dataclass(frozen=True)
class Claimed:
    id: int
    index: int
    first_id: int
    last_id: int | None


class _NotRecorded(Exception):
    """The chunk was done by another drainer meanwhile, or the run ended: roll back."""


def drainer_name() -> str:
    """host:pid:thread: which process (a worker) and which of its threads holds a chunk."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{threading.current_thread().name[:40]}"


def create_chunks(run_id: int, phase: str, ranges: list[tuple[int, int | None]]) -> None:
    RecomputeChunk.objects.bulk_create(
        RecomputeChunk(run_id=run_id, phase=phase, index=index, first_id=first, last_id=last)
        for index, (first, last) in enumerate(ranges)
    )


def claim(
    run_id: int, phase: str, drainer: str, lasting: timedelta | None = None
) -> Claimed | None:
    """A chunk of the phase for `drainer`, or None when none is left to claim; the claim
    lasts `lasting` (default `CLAIM_LEASES` lock expiries)."""
    while True:
        now = timezone.now()
        free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
        candidate = (
            RecomputeChunk.objects.filter(free, run_id=run_id, phase=phase, done=False, error="")
            .order_by("index")
            .values_list("id", "index", "first_id", "last_id")
            .first()
        )
        if candidate is None:
            return None
        until = now + (lasting or timedelta(seconds=CLAIM_LEASES * settings.RECOMPUTE_LOCK_SECONDS))
        taken = RecomputeChunk.objects.filter(free, id=candidate[0], done=False).update(
            claimed_by=drainer, claimed_until=until
        )
        if taken == 1:
            return Claimed(*candidate)
        # Another drainer took it between the two queries: look for the next one.


def drain(
    run_id: int,
    phase: str,
    work: Work,
    *,
    keep_going: Callable[[], bool] = lambda: True,
    lasting: timedelta | None = None,
) -> int:
    """Claim the phase's chunks one by one and run `work(first_id, last_id)` on each until
    none is left to claim (or `keep_going()` says stop); the number of chunks done."""
    drainer = drainer_name()
    done = 0
    while keep_going():
        chunk = claim(run_id, phase, drainer, lasting)
        if chunk is None:
            break
        done += _run(chunk, work, drainer)
    return done


def _run(chunk: Claimed, work: Work, drainer: str) -> bool:
    def attempt() -> None:
        result = work(chunk.first_id, chunk.last_id)
        recorded = RecomputeChunk.objects.filter(
            id=chunk.id, done=False, run__status=RunStatus.RUNNING
        ).update(done=True, result=result, claimed_by=drainer)
        if recorded != 1:
            raise _NotRecorded

    try:
        in_transaction_with_retries(attempt)
    except _NotRecorded:
        return False
    except Exception:
        logger.exception("recompute chunk %s failed on %s", chunk.index, drainer)
        error = traceback.format_exc()[-ERROR_KEPT:]
        RecomputeChunk.objects.filter(id=chunk.id).update(error=error)
        raise
    return True


def chunk_results(run_id: int, phase: str) -> Iterator[dict]:
    """The phase's results in chunk order, read a few at a time: a metrics chunk's
    partial is hundreds of kilobytes of JSON, and the caller folds each in before the
    next, so a fetch of ten holds little whatever the number of chunks."""
    results = RecomputeChunk.objects.filter(run_id=run_id, phase=phase).order_by("index")
    return results.values_list("result", flat=True).iterator(chunk_size=10)


def chunks_by_worker(run_id: int) -> dict[str, int]:
    """Chunks done per worker process (host:pid) in the run."""
    done = RecomputeChunk.objects.filter(run_id=run_id, done=True)
    return dict(
        Counter(drainer.rsplit(":", 1)[0] for drainer in done.values_list("claimed_by", flat=True))
    )


# --- the conductor ----------------------------------------------------------------------


@dataclass
class Conductor:
    """The run's `Plan.spread`: runs each phase's chunks here and on helper workers."""

    run_id: int
    holder: str  # the run's lock holder, which helpers check
    heartbeat: Callable[[], None]  # the lease's renewal; raises LockLost
    threads: int = 1
    helpers: int = 0

    def __call__(
        self, phase: str, ranges: list[tuple], work: Work, context: dict | None = None
    ) -> Iterator[dict]:
        if context is not None:
            self._store_context(phase, context)
        create_chunks(self.run_id, phase, ranges)
        if self.helpers and len(ranges) > 1:
            _send_helpers(self.run_id, phase, self.holder, min(self.helpers, len(ranges) - 1))
        stopped = threading.Event()

        def keep_going() -> bool:
            if stopped.is_set():
                return False
            self.heartbeat()
            return True

        _in_threads(
            self.threads,
            lambda: drain(self.run_id, phase, work, keep_going=keep_going, lasting=RUN_LONG),
            stopped,
        )
        self._wait(phase, work, keep_going)
        return chunk_results(self.run_id, phase)

    def _wait(self, phase: str, work: Work, keep_going: Callable[[], bool]) -> None:
        """Until every chunk of the phase is done: those helpers hold, and those whose
        claim ran out, which it runs itself."""
        while True:
            waiting = RecomputeChunk.objects.filter(run_id=self.run_id, phase=phase, done=False)
            left = list(waiting.values_list("index", "claimed_by", "error"))
            if not left:
                return
            for index, drainer, error in left:
                if error:
                    raise ChunkFailed(f"{phase} chunk {index} failed on {drainer}:\n{error}")
            drain(self.run_id, phase, work, keep_going=keep_going, lasting=RUN_LONG)
            time.sleep(POLL_SECONDS)

    def _store_context(self, phase: str, context: dict) -> None:
        run = RecomputeRun.objects.only("details").get(pk=self.run_id)
        run.details = {
            **run.details,
            PHASE_CONTEXT: {**run.details.get(PHASE_CONTEXT, {}), phase: context},
        }
        run.save(update_fields=["details"])


def helpers_wanted() -> int:
    """Helper tasks a run sends per phase: none without a broker (tasks run in-process)."""
    from .tasks import runs_here  # tasks imports runs, which imports this module

    return 0 if runs_here() else settings.RECOMPUTE_FANOUT_TASKS


def _send_helpers(run_id: int, phase: str, holder: str, count: int) -> None:
    from .tasks import recompute_chunks

    try:
        for _ in range(count):
            recompute_chunks.apply_async(args=(run_id, phase, holder))
    except Exception as error:  # the conductor does every chunk itself
        logger.warning(
            "The broker did not take the recompute's helper tasks (%s: %s); the run's own "
            "threads do every chunk.",
            type(error).__name__,
            error,
        )


def _in_threads(count: int, target: Callable[[], object], stopped: threading.Event) -> None:
    """`target` on `count` threads through `core.bulk.for_each_range` (each thread with
    its own connection, closed at the end; in this thread, on its connection and inside
    its transaction, when `count` <= 1). The first error sets `stopped`, so the other
    threads' drains stop claiming, and is raised here once every thread has ended. A
    thread that runs `target` twice finds nothing left to claim the second time."""

    def run(_first: None, _last: None) -> None:
        try:
            target()
        except BaseException:
            stopped.set()
            raise

    count = max(count, 1)
    for_each_range([(None, None)] * count, run, workers=count)


# --- a helper on another worker -----------------------------------------------------------


def help_run(run_id: int, phase: str, holder: str) -> int:
    """Drain the phase's chunks for the run; the number done. Returns at once when the
    run has ended, lost its lock, or has nothing left to claim in the phase."""
    if not _still_running(run_id, holder) or not _claimable(run_id, phase):
        return 0
    run = RecomputeRun.objects.only("as_of", "details").get(pk=run_id)
    work = helper_work(run, phase)
    with heap_frozen():
        return drain(run_id, phase, work, keep_going=lambda: _still_running(run_id, holder))


def helper_work(run: RecomputeRun, phase: str) -> Work:
    """A chunk's work in `phase`, rebuilt from the database."""
    plan = Plan(load_configuration(), run.as_of, write=True)
    if phase == METRICS:
        return metrics_chunk_work(prepare_quarter(plan.quarter, today=run.as_of))
    return phase_work(plan, phase, run.details.get(PHASE_CONTEXT, {}).get(phase))


def metrics_chunk_work(setup: QuarterSetup) -> Work:
    """A metrics chunk: its accounts' partial sums (read only; the conductor writes the
    merged results)."""
    return lambda first, last: quarter_chunk(setup, first, last).to_json()


def _still_running(run_id: int, holder: str) -> bool:
    running = RecomputeRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).exists()
    return (
        running
        and RunLock.objects.filter(
            name=RECOMPUTE_LOCK, holder=holder, expires_at__gt=timezone.now()
        ).exists()
    )


def _claimable(run_id: int, phase: str) -> bool:
    return RecomputeChunk.objects.filter(run_id=run_id, phase=phase, done=False, error="").exists()
