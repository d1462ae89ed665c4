"""The debounced recompute after a bulk write (DESIGN 10: "within a minute, one debounced
task, not one per record").

A CSV import or an API bulk request can change thousands of accounts at once, and a
busy integration sends one request after another. Each write queues its changed
accounts as `RecomputeRequest` rows, in its own transaction, and arms one task
`RECOMPUTE_DEBOUNCE_SECONDS` ahead unless one is already armed (a compare-and-set on the
`recompute-requests` row of `RunLock`, whose expiry is when the armed task runs). That task
takes every request waiting, recomputes those accounts, and records a run naming what
asked for it. A handful of accounts is recomputed on its own (`selection.py`, ranked
against its whole population); more than `RECOMPUTE_FULL_RUN_ABOVE` makes a full run,
cheaper than ranking each account apart. A full run that finds the nightly run in progress
leaves the requests waiting and arms the task again.

Without a broker (the embedded default) the task runs as soon as the write commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.bulk import insert_rows

from .models import RecomputeRequest, RecomputeRun, RunLock, RunStatus
from .runs import recompute
from .selection import recompute_accounts

SCHEDULE = "recompute-requests"
DELETE_BATCH = 5000


def queue(account_ids: Iterable[int], trigger: str) -> int:
    """Queue the accounts for the debounced recompute; returns how many were queued."""
    now = timezone.now()
    rows = [
        {"account_id": account_id, "trigger": trigger[:100], "requested_at": now}
        for account_id in sorted(set(account_ids))
    ]
    insert_rows(RecomputeRequest, rows)
    return len(rows)


def arm(send: Callable[[int], None]) -> bool:
    """Call `send(countdown)` unless a task is already armed; True if this call armed it."""
    seconds = settings.RECOMPUTE_DEBOUNCE_SECONDS
    now = timezone.now()
    RunLock.objects.bulk_create([RunLock(name=SCHEDULE)], ignore_conflicts=True)
    armed = RunLock.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__lte=now), name=SCHEDULE
    ).update(holder="armed", expires_at=now + timedelta(seconds=seconds))
    if armed:
        send(seconds)
    return armed == 1


def recompute_waiting(*, rearm: Callable[[], None] | None = None) -> RecomputeRun | None:
    """Recompute every account waiting; the run, or None when nothing was waiting."""
    pending = list(RecomputeRequest.objects.values_list("id", "account_id", "trigger"))
    if not pending:
        return None
    account_ids = sorted({account_id for _, account_id, _ in pending})
    triggers = sorted({trigger for _, _, trigger in pending})
    trigger = _short_trigger(triggers)
    details = {"requested_by": triggers[:20], "requested_accounts": len(account_ids)}
    if len(account_ids) > settings.RECOMPUTE_FULL_RUN_ABOVE:
        run = recompute(trigger=trigger)
        if run.status == RunStatus.SKIPPED:
            if rearm is not None:
                rearm()
            return run
        run.details = {**run.details, **details}
        run.save(update_fields=["details"])
    else:
        run = RecomputeRun.objects.create(trigger=trigger, as_of=timezone.localdate())
        decisions = recompute_accounts(account_ids)
        run.status = RunStatus.SUCCEEDED
        run.finished_at = timezone.now()
        run.accounts = len(decisions)
        run.details = {**details, "selection": True}
        run.save()
    request_ids = [request_id for request_id, _, _ in pending]
    for start in range(0, len(request_ids), DELETE_BATCH):
        RecomputeRequest.objects.filter(id__any=request_ids[start : start + DELETE_BATCH]).delete()
    return run


def _short_trigger(triggers: list[str]) -> str:
    """The run's trigger column (20 characters): what asked, e.g. `import` or `api`; the
    full list goes into the run's details."""
    kinds = sorted({trigger.split(":")[0].strip() for trigger in triggers})
    return (kinds[0] if len(kinds) == 1 else "changes")[:20]
