"""The recompute run: segments, priorities, health and metrics for every account, one at a
time, each recorded (DESIGN 8, 11).

One service for the nightly beat schedule, `manage.py recompute`, `seed_demo`, and the
runs queued after an import or a threshold change. A run takes the lock (`lock.py`),
marks runs left running by dead processes abandoned, records itself (`RecomputeRun`),
derives first-value dates nobody entered, makes the engine's two passes (`engine.py`;
with a broker their chunks spread over helper tasks on other workers, `fanout.py`) and
computes the quarter's lifecycle metrics (`metrics/compute.py`), each step timed apart
in the record, its lease kept alive meanwhile. A fiscal quarter is frozen once it
has ended: a run dated in a past quarter only adds assessments missing for it.

A run covers every recompute request (`outbox.py`) it sees when it starts: those changes
committed before it read anything, so it removes them when it ends (failed too: the
failure is recorded, and the next run starts clean). A run asked for while another is in
progress is not lost: the other run may have read some accounts before the change that
asked, so a full-run request is stored as its follow-up (run as of today; the skip is
recorded), and the task that ran the other run delivers it when that run ends
(`tasks.py`), or the sweep does.
"""

from __future__ import annotations

import time
import traceback
from datetime import date

from django.conf import settings
from django.utils import timezone

from accounts.models import Account
from core.bulk import id_ranges
from metrics.compute import (
    ChunkSums,
    MetricsRun,
    derive_first_value_dates,
    prepare_quarter,
    write_quarter,
)
from metrics.partials import MetricsPartial

from . import outbox
from .chunks import heap_frozen
from .configuration import load_configuration
from .engine import CHUNK_SIZE, PassResult, Plan, merge_failures, name_failures, run_passes
from .fanout import METRICS, Conductor, chunks_by_worker, helpers_wanted
from .lock import Lease, abandon_leftover_runs, exclusive_run
from .models import FAILURES_KEPT, RecomputeChunk, RecomputeRun, RunStatus


def recompute(
    *,
    as_of: date | None = None,
    trigger: str = "manual",
    chunk_size: int = CHUNK_SIZE,
    details: dict | None = None,
) -> RecomputeRun:
    """Recompute segments, priorities and metrics as of `as_of` (default today); `details`
    go into the run's record (what asked for it, the task delivering it)."""
    as_of = as_of or timezone.localdate()
    details = details or {}
    with exclusive_run() as lease:
        if lease is None:
            outbox.store_full_run(trigger)
            return RecomputeRun.objects.create(
                trigger=trigger,
                as_of=as_of,
                status=RunStatus.SKIPPED,
                finished_at=timezone.now(),
                details={**details, "follow_up": "a full run follows the run in progress"},
            )
        abandon_leftover_runs()  # this run redoes their work
        # A run dated another day does not bring today's state up to date.
        covered = outbox.waiting_ids() if as_of == timezone.localdate() else []
        run = RecomputeRun.objects.create(trigger=trigger, as_of=as_of, details=details)
        # Earlier runs' chunks are kept until now, to see how they spread.
        RecomputeChunk.objects.exclude(run=run).delete()
        try:
            with heap_frozen():
                result = _run_steps(run, chunk_size, lease)
        except Exception:
            _finish(run, RunStatus.FAILED, error=traceback.format_exc())
            outbox.remove(covered)
            raise
        status = RunStatus.COMPLETED_WITH_ERRORS if result.failures else RunStatus.SUCCEEDED
        _finish(run, status, result=result)
        outbox.remove(covered)
        return run


def _run_steps(run: RecomputeRun, chunk_size: int, lease: Lease) -> PassResult:
    as_of = run.as_of
    started = time.monotonic()
    derived = derive_first_value_dates()
    lease.renew()
    plan = Plan(
        load_configuration(),
        as_of,
        write=True,
        chunk_size=chunk_size,
        workers=settings.RECOMPUTE_WORKERS,
        heartbeat=lease.renew_if_due,
        spread=Conductor(
            run.pk,
            lease.holder,
            heartbeat=lease.renew_if_due,
            threads=settings.RECOMPUTE_WORKERS,
            helpers=helpers_wanted(),
        ),
    )
    result = run_passes(plan)
    priorities_done = time.monotonic()
    lease.renew()  # the metrics step renews nothing until it ends
    metrics = compute_metrics(plan, chunk_size)
    result.failures = name_failures(merge_failures(result.failures, metrics.failures))
    result.details = {
        "segments_and_priorities_seconds": round(priorities_done - started, 1),
        # Part of the segments and priorities' time: the step runs in their chunks.
        "health_seconds": round(result.health_seconds, 2),
        "health_changed": result.health_changed,
        "health_bands_changed": result.bands_changed,
        "health_history_written": result.health_history_written,
        "metrics_seconds": round(time.monotonic() - priorities_done, 1),
        "metrics_step_seconds": metrics.seconds,
        "first_value_dates_derived": derived,
        "metrics_quarter": metrics.quarter,
        "metric_results_created": metrics.results_created,
        "metric_results_updated": metrics.results_updated,
        "metric_results_deleted": metrics.results_deleted,
        # The chunks each worker process did (host:pid): the run's own, and its helpers'.
        "chunks_by_worker": chunks_by_worker(run.pk),
    }
    return result


def compute_metrics(plan: Plan, chunk_size: int) -> MetricsRun:
    """The quarter's metrics (`metrics/compute.py`), their chunks spread as the passes'
    are, summed by `ChunkSums`, then written here. The chunks this process does add into
    its threads' partials; a helper's come back as JSON and are added as partials. The
    conductor's claims last the whole run (`fanout.RUN_LONG`), so no other drainer does
    one of its chunks again."""
    started = time.monotonic()
    setup = prepare_quarter(plan.quarter, today=plan.as_of)
    ranges = id_ranges(Account.objects.all(), chunk_size)
    sums = ChunkSums(setup, ranges)
    results = plan.spread(METRICS, ranges, sums.add_chunk)
    chunks_done = time.monotonic()
    for number, result in enumerate(results):
        if result is not None:
            sums.add_partial(number, MetricsPartial.from_json(result))
    total = sums.total()
    merged = time.monotonic()
    metrics = write_quarter(setup, total)
    # Where the step's time goes (issue 14): the chunks, wherever they ran; reading the
    # helpers' partials back and merging everything here; folding into scopes, finishing
    # and writing the results here.
    metrics.seconds = {
        "chunks": round(chunks_done - started, 2),
        "merge": round(merged - chunks_done, 2),
        "write": round(time.monotonic() - merged, 2),
    }
    return metrics


def _finish(run: RecomputeRun, status: str, *, result: PassResult | None = None, error=""):
    run.status = status
    run.finished_at = timezone.now()
    run.error = error
    if result is not None:
        run.accounts = result.accounts
        run.segments_changed = result.segments_changed
        run.priorities_changed = result.priorities_changed
        run.assessments_created = result.assessments_created
        run.assessments_updated = result.assessments_updated
        run.failed_accounts = len(result.failures)
        run.failures = result.failures[:FAILURES_KEPT]
        run.details = {
            **run.details,
            "chunks": result.chunks,
            "max_queries_per_chunk": result.max_queries_per_chunk,
            **result.details,
        }
    run.save()
