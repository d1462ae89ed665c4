"""The run's metrics step (DESIGN 5 and 8): the quarter's lifecycle metrics, after the
segments, priorities and health, computed by `metrics.compute` and written by
`metrics.result_writing`.

Two ways, the same results (tests/orchestration/test_fanout.py compares them):

- **On this process alone** (no broker: the embedded default, or `helpers` is 0): the
  metrics chunks run on the conductor's threads, each adding straight into its thread's
  sums (`metrics.compute.ChunkSums`); the sums are merged here and every result written
  in one transaction.
- **Spread over workers** (issue 14 point 3; `RECOMPUTE_FANOUT_TASKS` helpers): two
  phases of chunks, each drained by the conductor and its helpers alike (`fanout.py`).
  1. `METRICS`: each id range's partial sums (`metrics.partials.MetricsPartial`), kept
     as JSON on its chunk row, wherever it ran.
  2. `METRIC_RESULTS`: one chunk per metric. It reads only its metric's sums from every
     range's row (a key path inside the JSON, extracted by the database) with the
     places, merges them, folds them into the scopes and writes that metric's results.
  At 1,000,000 accounts the merge and write that the conductor did alone after the
  chunks took 33 s of the metrics step's 50 (bench/run recompute 1000000 --workers 2);
  spread per metric they run on every worker. Each metric's results are written in the
  chunk's own transaction, so a reader may see one metric of the run written before
  another; each metric's results are whole. A run that fails between two metrics
  leaves the later ones as the previous run wrote them, and is recorded failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from accounts.models import Account
from core.bulk import id_ranges
from metrics import formulas
from metrics.compute import (
    ChunkSums,
    MetricsRun,
    QuarterSetup,
    prepare_quarter,
    quarter_chunk,
    write_quarter,
)
from metrics.partials import MetricsPartial
from metrics.result_writing import write_results

from .engine import Plan
from .models import RecomputeChunk

# The run's phases after the engine's (`engine.RANK`, `engine.DECIDE`).
METRICS = "metrics"
METRIC_RESULTS = "metric_results"

Work = Callable[[int, int | None], dict | None]


def compute_metrics(plan: Plan, chunk_size: int, run_id: int, *, spread: bool) -> MetricsRun:
    """The quarter's metrics for the run `run_id`, its chunks spread as the passes' are
    (`plan.spread`); `spread`: the results too, a metric per chunk (see the module
    docstring). The run's record gets the step's time by part."""
    started = time.monotonic()
    setup = prepare_quarter(plan.quarter, today=plan.as_of)
    ranges = id_ranges(Account.objects.all(), chunk_size)
    if spread:
        return _spread(plan, setup, ranges, run_id, started)
    sums = ChunkSums(setup, ranges)
    # The conductor's claims last the run (`fanout.RUN_LONG`), so no other drainer does
    # one of its chunks again: it can keep their sums in memory.
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


def _spread(plan: Plan, setup: QuarterSetup, ranges: list, run_id: int, started: float):
    # The results iterators are left unread: the partials are read by key, where needed.
    plan.spread(METRICS, ranges, metrics_chunk_work(setup))
    chunks_done = time.monotonic()
    metrics = MetricsRun(setup.quarter.label)
    stored = RecomputeChunk.objects.filter(run_id=run_id, phase=METRICS).order_by("index")
    for accounts, failures in stored.values_list("result__accounts", "result__failures"):
        metrics.accounts += accounts
        metrics.failures.extend(failures)
    by_metric = [(number, number) for number in range(len(formulas.METRICS))]
    for counts in plan.spread(METRIC_RESULTS, by_metric, metric_results_work(setup, run_id)):
        metrics.results_created += counts["created"]
        metrics.results_updated += counts["updated"]
        metrics.results_deleted += counts["deleted"]
    metrics.seconds = {
        "chunks": round(chunks_done - started, 2),
        "results": round(time.monotonic() - chunks_done, 2),
    }
    return metrics


def metrics_chunk_work(setup: QuarterSetup) -> Work:
    """A metrics chunk: its accounts' partial sums, as JSON (read only)."""
    return lambda first, last: quarter_chunk(setup, first, last).to_json()


def metric_results_work(setup: QuarterSetup, run_id: int) -> Work:
    """A `METRIC_RESULTS` chunk: the results of the metrics numbered first..last (in
    `formulas.METRICS`) from every range's sums; the counts written."""

    def work(first: int, last: int | None) -> dict:
        keys = [metric.key for metric in formulas.METRICS[first : (last or first) + 1]]
        written = MetricsRun(setup.quarter.label)
        write_results(
            setup.quarter, metric_sums(run_id, keys), setup.defaults, setup.by_segment,
            written, keys=keys,
        )  # fmt: skip
        return {
            "created": written.results_created,
            "updated": written.results_updated,
            "deleted": written.results_deleted,
        }

    return work


def metric_sums(run_id: int, keys: list[str]) -> MetricsPartial:
    """The run's sums of the metrics `keys`, merged over every range, with every place an
    account counted in (each place's scopes get a result, "no data" or not)."""
    stored = RecomputeChunk.objects.filter(run_id=run_id, phase=METRICS).order_by("index")
    total = MetricsPartial()
    for places, *sums in stored.values_list(
        "result__places", *[f"result__sums__{key}" for key in keys]
    ).iterator(chunk_size=50):
        sums_by_key = {key: items for key, items in zip(keys, sums, strict=True) if items}
        total.merge(
            MetricsPartial.from_json(
                {"accounts": 0, "failures": [], "places": places, "sums": sums_by_key}
            )
        )
    return total
