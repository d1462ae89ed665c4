"""One recompute at a time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from .models import RecomputeRun, RunStatus

ADVISORY_LOCK_KEY = 7_346_110_301  # any constant; names this job's lock in pg_locks
STALE_RUN_AFTER = timedelta(hours=2)

_process_lock = threading.Lock()


@contextmanager
def exclusive_run() -> Iterator[bool]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
            acquired = cursor.fetchone()[0]
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
        return
    acquired = _process_lock.acquire(blocking=False)
    try:
        running_elsewhere = RecomputeRun.objects.filter(
            status=RunStatus.RUNNING, started_at__gte=timezone.now() - STALE_RUN_AFTER
        ).exists()
        yield acquired and not running_elsewhere
    finally:
        if acquired:
            _process_lock.release()


def abandon_leftover_runs() -> None:
    """Runs still marked running while we hold the lock belong to workers that died."""
    leftovers = RecomputeRun.objects.filter(status=RunStatus.RUNNING)
    if connection.vendor != "postgresql":
        leftovers = leftovers.filter(started_at__lt=timezone.now() - STALE_RUN_AFTER)
    leftovers.update(
        status=RunStatus.ABANDONED,
        finished_at=timezone.now(),
        error="The worker stopped before the run finished.",
    )
