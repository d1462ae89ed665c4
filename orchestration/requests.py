"""The recompute of what is waiting in the outbox, and the sweep that makes sure it runs
(DESIGN 10: "within a minute, one debounced task, not one per record"; issue 11: a
recompute is never lost).

A bulk write (a CSV import, an API request) stores its accounts in the outbox
(`outbox.py`) and, after its commit, arms one task `RECOMPUTE_DEBOUNCE_SECONDS` ahead
unless one is already armed (`tasks.deliver`). That task takes every request waiting and
records a run naming what asked for it: a handful of accounts is recomputed on its own
(`selection.py`, ranked against its whole population); a request for the whole
portfolio, or more than `RECOMPUTE_FULL_RUN_ABOVE` accounts, makes a full run. Either
holds the run lock; while another run holds it the requests wait, and the task that ran
that run delivers them when it ends.

The sweep (Celery beat, every minute) is the safety net for everything else: it marks
runs whose worker died abandoned (running, with the lock run out) and asks for a full run
to redo them, and it delivers requests that have waited twice the debounce (the
broker was down, the message was lost, a run ended without a task to deliver what came
in meanwhile). Redoing is bounded: once the last `MAX_ATTEMPTS` runs all died, the sweep
records the run failed and stops redelivering until a run ends (the nightly one, the next
change, `manage.py recompute`), so a run that kills its worker cannot loop.

Without a broker (the embedded default) the task runs as soon as the write commits.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from . import outbox
from .engine import name_failures
from .lock import abandon_dead_runs, exclusive_run, is_held
from .models import RecomputeRun, RunStatus
from .runs import recompute
from .selection import recompute_selection

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
GAVE_UP = "gave_up"


def recompute_waiting(*, task_id: str = "") -> RecomputeRun | None:
    """Recompute every account waiting; the run, or None when nothing was waiting or
    another run holds the lock (the requests then wait for it to end)."""
    pending = outbox.waiting()
    if not pending or is_held():
        return None
    account_ids = sorted({account_id for _, account_id, _ in pending if account_id is not None})
    triggers = sorted({trigger for _, _, trigger in pending})
    whole = any(account_id is None for _, account_id, _ in pending)
    details = {
        "requested_by": triggers[:20],
        "requested_accounts": "all" if whole else len(account_ids),
        "task_id": task_id,
    }
    trigger = _short_trigger(triggers)
    if whole or len(account_ids) > settings.RECOMPUTE_FULL_RUN_ABOVE:
        return recompute(trigger=trigger, details=details)
    with exclusive_run() as lease:
        if lease is None:
            return None
        run = RecomputeRun.objects.create(
            trigger=trigger, as_of=timezone.localdate(), details={**details, "selection": True}
        )
        try:
            decisions, failures = recompute_selection(account_ids)
        except Exception:
            run.status, run.error = RunStatus.FAILED, traceback.format_exc()
            run.finished_at = timezone.now()
            run.save()
            outbox.remove([request_id for request_id, _, _ in pending])
            raise
        run.status = RunStatus.COMPLETED_WITH_ERRORS if failures else RunStatus.SUCCEEDED
        run.finished_at = timezone.now()
        run.accounts = len(decisions)
        run.failed_accounts = len(failures)
        run.failures = name_failures(failures)
        run.save()
        outbox.remove([request_id for request_id, _, _ in pending])
    return run


def sweep(*, deliver: Callable[[], object]) -> dict:
    """Abandon and redo runs whose worker died; deliver requests the broker missed."""
    abandoned = abandon_dead_runs()
    redo = _redo(abandoned) if abandoned else None
    # Twice the debounce: the task armed for it has had as long again to start and take it.
    missed = timezone.now() - timedelta(seconds=2 * settings.RECOMPUTE_DEBOUNCE_SECONDS)
    delivered = None
    missed_some = outbox.any_waiting(requested_before=missed)
    if (redo == "asked" or missed_some) and not is_held() and not gave_up():
        delivered = deliver()
    return {"abandoned": abandoned, "redo": redo, "delivered": delivered}


def gave_up() -> bool:
    """Whether the sweep has stopped redoing: the latest run is its give-up record."""
    latest = _latest_runs(1)
    return bool(latest) and latest[0].details.get(GAVE_UP, False)


def _redo(abandoned: list[int]) -> str:
    """Ask for a full run to redo what the dead runs were doing, unless the last
    `MAX_ATTEMPTS` runs all died: then record that the sweep gave up."""
    latest = _latest_runs(MAX_ATTEMPTS)
    if len(latest) == MAX_ATTEMPTS and all(r.status == RunStatus.ABANDONED for r in latest):
        RecomputeRun.objects.create(
            trigger="redo",
            as_of=timezone.localdate(),
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            error=(
                f"The last {MAX_ATTEMPTS} runs stopped with their worker; not redone "
                "automatically. The nightly run, the next change or `manage.py recompute` "
                "runs again; what was asked for still waits."
            ),
            details={GAVE_UP: True, "abandoned": abandoned},
        )
        logger.error("Recompute runs %s died with their worker; gave up redoing.", abandoned)
        return "gave up"
    outbox.store_full_run(f"redo: run {abandoned[-1]}")
    return "asked"


def _latest_runs(count: int) -> list[RecomputeRun]:
    # A skip says nothing about whether runs succeed.
    return list(
        RecomputeRun.objects.exclude(status=RunStatus.SKIPPED)
        .only("status", "details")
        .order_by("-started_at", "-id")[:count]
    )


def _short_trigger(triggers: list[str]) -> str:
    """The run's trigger column (20 characters): what asked, e.g. `import` or `api`; the
    full list goes into the run's details."""
    kinds = sorted({trigger.split(":")[0].strip() for trigger in triggers})
    return (kinds[0] if len(kinds) == 1 else "changes")[:20]
