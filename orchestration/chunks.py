"""Running a pass's chunks: each in its own transaction, retried on a transient error.

The one retry layer of the recompute is here: a chunk that meets a transient database
error (`TRANSIENT_ERRORS`: a deadlock, a dropped connection) is rolled back and retried
on a fresh connection; any other error in a chunk's reads or writes ends the run.

Without a run (the preview) a pass's chunks go to `plan.workers` threads of this process,
each with its own database connection: while one thread's chunk waits on PostgreSQL
(psycopg2 lets go of the GIL) another computes. A run's chunks go to its conductor
(`plan.spread`, `fanout.py`), which runs them on its own threads and on helper workers.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import QuerySet

from core.bulk import for_each_range, id_ranges

from .results import PassResult

if TYPE_CHECKING:
    from .engine import Plan

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError)
RETRIES = 3


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Keep what lives before the block (Django, the modules, the configuration) out of
    the cyclic garbage collector's passes while it runs: each full pass otherwise walks
    that whole heap again, about a quarter of a run's Python time (measured with
    bench/profile_recompute.py --freeze). Nothing is leaked: unfreezing hands it back."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def in_transaction_with_retries(work: Callable[[], None]) -> None:
    """Run `work` in its own transaction, again on a transient error (up to RETRIES)."""
    for attempt in range(1, RETRIES + 1):
        try:
            with transaction.atomic():
                work()
            return
        except TRANSIENT_ERRORS:
            if attempt == RETRIES or connection.in_atomic_block:
                raise
            logger.warning("recompute chunk failed (attempt %s), retrying", attempt, exc_info=True)
            connection.close_if_unusable_or_obsolete()
            time.sleep(0.5 * attempt)


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def chunk_work(
    accounts: QuerySet, columns, handle: Callable[[list[dict]], PassResult | None]
) -> Callable[[int, int | None], PassResult]:
    """The work of one chunk, ids `first` to `last` (None: to the end), to run inside the
    chunk's transaction: read its rows, `handle` them, count `handle`'s queries."""

    def work(first: int, last: int | None) -> PassResult:
        span = {"id__gte": first} if last is None else {"id__range": (first, last)}
        rows = list(accounts.filter(**span).order_by("id").values(*columns))
        counter = _QueryCounter()
        with connection.execute_wrapper(counter):
            part = handle(rows) or PassResult()
        part.chunks, part.max_queries_per_chunk = 1, counter.count
        return part

    return work


def chunk_parts(
    plan: Plan,
    phase: str,
    accounts: QuerySet,
    columns,
    handle: Callable[[list[dict]], PassResult | None],
    *,
    context: dict | None = None,
) -> Iterator[PassResult]:
    """Every chunk's result, `handle` called on every chunk of `accounts` (one transaction
    each): by the run's conductor (`plan.spread`, which may hand chunks to other workers
    and gives `context` to them) or, without a run, on this process's threads."""
    work = chunk_work(accounts, columns, handle)
    ranges = id_ranges(accounts, plan.chunk_size)
    if plan.spread is not None:
        results = plan.spread(
            phase, ranges, lambda first, last: work(first, last).to_json(), context
        )
        return (PassResult.from_json(result) for result in results)
    parts: list[PassResult] = []
    merging = threading.Lock()

    def chunk(first: int, last: int | None) -> None:
        if plan.heartbeat is not None:
            plan.heartbeat()  # outside the chunk's transaction, so it commits at once
        outcome: list[PassResult] = []  # a retried attempt raised before appending
        in_transaction_with_retries(lambda: outcome.append(work(first, last)))
        with merging:
            parts.append(outcome[-1])

    for_each_range(ranges, chunk, workers=plan.workers)
    return iter(parts)


def folded(parts: Iterable[PassResult]) -> PassResult:
    total = PassResult()
    for part in parts:
        total.add(part)
    return total
