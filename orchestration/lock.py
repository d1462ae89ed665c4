"""One recompute at a time, the same way on PostgreSQL and SQLite (DESIGN 8).

The lock is one row (`RunLock`): who holds it and until when. A run takes it with a
compare-and-set, `UPDATE ... WHERE the lock is free or expired`, and holds it only if
exactly one row changed; two runs racing for it cannot both succeed, because each
database applies the second UPDATE to the row the first one wrote. Nothing waits: a run
that finds the lock held asks for a follow-up run instead (`runs.py`).

A live run keeps its lease from a background thread, renewed every quarter of
`RECOMPUTE_LOCK_SECONDS` (90 s: every 22 s), whatever the run is doing: a step that
writes nothing for minutes (the metrics of a large portfolio) still renews. The run also
renews between chunks and steps (`renew_if_due`, `renew`), which is where it learns that
the lock was lost. A run whose process died (a killed worker) stops renewing, so its lock
runs out 90 s later at most; the next run, or the periodic sweep (`requests.sweep`),
then marks the dead run abandoned. Limit: a run whose renewals all fail for the whole
expiry (the database unreachable from its thread for 90 s) looks dead; a second run may
then start, and the first fails at its next renewal (`LockLost`). Expiries are the app
servers' clocks: keep them in sync.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q
from django.utils import timezone

from .models import RECOMPUTE_LOCK, RecomputeRun, RunLock, RunStatus

logger = logging.getLogger(__name__)

# Renewals per expiry: three may fail in a row (a database blip) before the lock runs out.
RENEWALS_PER_EXPIRY = 4


class LockLost(RuntimeError):
    """Another run took the lock after ours ran out: this run must stop writing."""


class Lease:
    """A held lock: renewed by the run holding it, from any of its threads."""

    def __init__(self, holder: str, seconds: int, expires_at: datetime):
        self.holder = holder
        self.seconds = seconds
        self.expires_at = expires_at
        self.lost = False
        self._renewing = threading.Lock()
        self._stopped = threading.Event()
        self._keeper: threading.Thread | None = None

    def renew(self) -> None:
        """Push the expiry `seconds` from now; `LockLost` if the lock is no longer ours."""
        with self._renewing:
            self._renew()

    def renew_if_due(self) -> None:
        """Renew once two thirds of the expiry are left or less (the background renewal
        usually has, so this costs nothing); `LockLost` if the lock is no longer ours."""
        with self._renewing:
            if self.lost:
                raise LockLost(f"the recompute lock was taken from {self.holder}")
            if self.expires_at - timezone.now() <= timedelta(seconds=self.seconds * 2 / 3):
                self._renew()

    def keep_alive(self) -> None:
        """Renew from a background thread until `stop()`."""
        interval = self.seconds / RENEWALS_PER_EXPIRY
        self._keeper = threading.Thread(
            target=self._keep_renewing, args=(interval,), name="recompute-lease", daemon=True
        )
        self._keeper.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._keeper is not None:
            # A renewal stuck on the database gives up with its connection; never wait long.
            self._keeper.join(timeout=5)

    def _keep_renewing(self, interval: float) -> None:
        try:
            while not self._stopped.wait(interval):
                try:
                    self.renew()
                except LockLost:
                    return  # the run learns it at its next renewal between chunks
                except DatabaseError as error:
                    logger.warning("Renewing the recompute lock failed (%s); retrying.", error)
        finally:
            connection.close()  # this thread's own connection

    def _renew(self) -> None:
        if self.lost:
            raise LockLost(f"the recompute lock was taken from {self.holder}")
        expires_at = timezone.now() + timedelta(seconds=self.seconds)
        renewed = RunLock.objects.filter(name=RECOMPUTE_LOCK, holder=self.holder).update(
            expires_at=expires_at
        )
        if renewed != 1:
            self.lost = True
            raise LockLost(f"the recompute lock was taken from {self.holder}")
        self.expires_at = expires_at


def take_lock(seconds: int | None = None) -> Lease | None:
    """The lock if it is free or has run out, else None."""
    seconds = seconds or settings.RECOMPUTE_LOCK_SECONDS
    # The migration creates the row; `flush` (and transactional tests) empty the table.
    # An insert that does nothing when the row is there puts it back without a race.
    RunLock.objects.bulk_create([RunLock(name=RECOMPUTE_LOCK)], ignore_conflicts=True)
    now = timezone.now()
    holder = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    expires_at = now + timedelta(seconds=seconds)
    taken = RunLock.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__lte=now), name=RECOMPUTE_LOCK
    ).update(holder=holder, expires_at=expires_at)
    return Lease(holder, seconds, expires_at) if taken == 1 else None


def release(lease: Lease) -> None:
    """Free the lock, unless it was taken from us meanwhile."""
    RunLock.objects.filter(name=RECOMPUTE_LOCK, holder=lease.holder).update(
        holder="", expires_at=None
    )


def is_held() -> bool:
    """Whether a run holds the lock now (held and not run out)."""
    return RunLock.objects.filter(name=RECOMPUTE_LOCK, expires_at__gt=timezone.now()).exists()


@contextmanager
def exclusive_run(seconds: int | None = None) -> Iterator[Lease | None]:
    """The lease, kept alive for the duration of the block, or None if another run
    holds the lock."""
    lease = take_lock(seconds)
    if lease is None:
        yield None
        return
    lease.keep_alive()
    try:
        yield lease
    finally:
        lease.stop()
        release(lease)


def abandon_leftover_runs() -> list[int]:
    """Runs still marked running once we hold the lock belong to processes that died:
    a run records itself only after taking the lock and finishes before releasing it.
    Returns their ids."""
    return _abandon(RecomputeRun.objects.filter(status=RunStatus.RUNNING))


def abandon_dead_runs() -> list[int]:
    """The same without holding the lock (the sweep): runs left running while no run
    holds it. A run that takes the lock after the check records itself later than
    `checked_at`, so it is never mistaken for a dead one."""
    checked_at = timezone.now()
    if is_held():
        return []
    return _abandon(
        RecomputeRun.objects.filter(status=RunStatus.RUNNING, started_at__lte=checked_at)
    )


def _abandon(runs) -> list[int]:
    ids = list(runs.values_list("id", flat=True))
    if ids:
        RecomputeRun.objects.filter(id__in=ids, status=RunStatus.RUNNING).update(
            status=RunStatus.ABANDONED,
            finished_at=timezone.now(),
            error="The worker stopped before the run finished.",
        )
    return ids
