"""One recompute at a time, the same way on PostgreSQL and SQLite (DESIGN 8).

The lock is one row (`RunLock`): who holds it and until when. A run takes it with a
compare-and-set, `UPDATE ... WHERE the lock is free or expired`, and holds it only if
exactly one row changed; two runs racing for it cannot both succeed, because each
database applies the second UPDATE to the row the first one wrote. Nothing waits: a run
that finds the lock held records a skip.

A live run renews the expiry as it goes (`Lease.renew_if_due` between chunks, `renew`
between steps). A run whose process died stops renewing, so its lock runs out
(`RECOMPUTE_LOCK_SECONDS` later at most) and the next run takes it and marks the dead
run abandoned. Limit: a run that stays longer than the expiry inside one chunk or one
step without renewing looks dead; a second run may then start, and the first fails at
its next renewal (`LockLost`). Expiries are the app servers' clocks: keep them in sync.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import RECOMPUTE_LOCK, RecomputeRun, RunLock, RunStatus


class LockLost(RuntimeError):
    """Another run took the lock after ours ran out: this run must stop writing."""


class Lease:
    """A held lock: renewed by the run holding it, from any of its worker threads."""

    def __init__(self, holder: str, seconds: int, expires_at: datetime):
        self.holder = holder
        self.seconds = seconds
        self.expires_at = expires_at
        self._renewing = threading.Lock()

    def renew(self) -> None:
        """Push the expiry `seconds` from now; `LockLost` if the lock is no longer ours."""
        with self._renewing:
            self._renew()

    def renew_if_due(self) -> None:
        """Renew once two thirds of the expiry are left or less: one UPDATE every few
        minutes, however many chunks go by."""
        with self._renewing:
            if self.expires_at - timezone.now() <= timedelta(seconds=self.seconds * 2 / 3):
                self._renew()

    def _renew(self) -> None:
        expires_at = timezone.now() + timedelta(seconds=self.seconds)
        renewed = RunLock.objects.filter(name=RECOMPUTE_LOCK, holder=self.holder).update(
            expires_at=expires_at
        )
        if renewed != 1:
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


@contextmanager
def exclusive_run(seconds: int | None = None) -> Iterator[Lease | None]:
    """The lease for the duration of the block, or None if another run holds the lock."""
    lease = take_lock(seconds)
    if lease is None:
        yield None
        return
    try:
        yield lease
    finally:
        release(lease)


def abandon_leftover_runs() -> int:
    """Runs still marked running once we hold the lock belong to processes that died:
    a run records itself only after taking the lock and finishes before releasing it."""
    return RecomputeRun.objects.filter(status=RunStatus.RUNNING).update(
        status=RunStatus.ABANDONED,
        finished_at=timezone.now(),
        error="The worker stopped before the run finished.",
    )
