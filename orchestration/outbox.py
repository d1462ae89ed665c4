"""The recompute's outbox: every request for a recompute not yet covered by a run.

A write that needs a recompute stores its request (`RecomputeRequest`: an account, or
none for the whole portfolio) in the same transaction as the change (`store`,
`store_full_run`); the broker only hears of it after the commit (`tasks.deliver`). A
change that commits therefore always leaves its request behind, whatever happens to the
process or the broker next, and a change that rolls back leaves none.

A request is removed once a run has covered it: a full run covers every request it saw
when it started, since those changes had committed before it read anything
(`waiting_ids`, then `remove`); the debounced few-accounts run covers the requests it
took; a person's edit, recomputed in its own process right after the commit, removes its
own. Whatever stays is delivered again by the periodic sweep (`requests.sweep`).

`arm` is the debounce: a compare-and-set on the `recompute-requests` row of `RunLock`,
whose expiry is when the armed task runs, so a stream of writes sends one task.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.bulk import insert_rows

from .models import RecomputeRequest, RunLock

SCHEDULE = "recompute-requests"
DELETE_BATCH = 5000


def store(account_ids: Iterable[int], trigger: str) -> list[int]:
    """Store a request per account, or one for the whole portfolio past
    `RECOMPUTE_FULL_RUN_ABOVE` accounts (a full run is then cheaper); their ids."""
    ids = sorted(set(account_ids))
    if len(ids) > settings.RECOMPUTE_FULL_RUN_ABOVE:
        return [store_full_run(trigger)]
    rows = [{"account_id": account_id, "trigger": trigger[:100]} for account_id in ids]
    return [request_id for (request_id,) in insert_rows(RecomputeRequest, rows, returning=["id"])]


def store_full_run(trigger: str) -> int:
    """Store a request to recompute every account; its id."""
    return RecomputeRequest.objects.create(account_id=None, trigger=trigger[:100]).pk


def waiting() -> list[tuple[int, int | None, str]]:
    """Every request waiting: (id, account id or None for all, trigger)."""
    return list(RecomputeRequest.objects.values_list("id", "account_id", "trigger"))


def waiting_ids() -> list[int]:
    return list(RecomputeRequest.objects.values_list("id", flat=True))


def any_waiting(*, requested_before: datetime | None = None) -> bool:
    requests = RecomputeRequest.objects.all()
    if requested_before is not None:
        requests = requests.filter(requested_at__lt=requested_before)
    return requests.exists()


def remove(request_ids: list[int]) -> None:
    for start in range(0, len(request_ids), DELETE_BATCH):
        RecomputeRequest.objects.filter(id__any=request_ids[start : start + DELETE_BATCH]).delete()


def arm(send: Callable[[int], None], seconds: int) -> bool:
    """Call `send(seconds)` unless a task is already armed; True if this call armed it.

    If `send` raises (the broker is down), the task stays armed until `seconds` have
    passed: writes meanwhile do not wait on the broker again, and the sweep delivers."""
    now = timezone.now()
    RunLock.objects.bulk_create([RunLock(name=SCHEDULE)], ignore_conflicts=True)
    armed = RunLock.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__lte=now), name=SCHEDULE
    ).update(holder="armed", expires_at=now + timedelta(seconds=seconds))
    if armed:
        send(seconds)
    return armed == 1
