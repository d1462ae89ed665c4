"""Celery entry points for the recompute, thin, and the delivery of the outbox.

Delivery (`deliver`) never fails the write that asked for it: the request is already
in the database (`outbox.py`); a broker that is down or slow costs at most
`CELERY_BROKER_CONNECTION_TIMEOUT` / the transport's socket timeouts (settings), then a
warning in the log, and the sweep delivers once the broker is back. Without a broker
(the embedded default) the recompute runs here and now.

A worker that dies mid-run does not lose the run (issue 11):
- the recompute tasks acknowledge their message only when they end (`acks_late`);
- a killed pool process (SIGKILL, the OOM killer) makes Celery send the task again
  after the dead run's lock has run out (`retry_on_worker_lost`, `default_retry_delay`),
  at most `MAX_DELIVERIES` times in all (`max_retries`); should that resend fail, the
  broker keeps the message (`reject_on_worker_lost`);
- a killed whole worker leaves the message unacknowledged: Redis hands it out again
  after `visibility_timeout` (settings: just above the task's hard time limit). Sooner
  than that, within about two minutes, the sweep marks the dead run abandoned and asks
  for a full run (`requests.sweep`). Each delivery records its task id in the run; a
  message whose runs died `MAX_DELIVERIES` times is recorded failed and not run again.
Every chunk is idempotent: the engine writes only what differs from what it reads, and
metric results are upserted, so running a half-done run again is safe.

No other retry here: the recompute retries a chunk on a named transient database error
(`engine.in_transaction_with_retries`), the one retry layer; an error that outlives it
fails the run, which is recorded with its traceback.
"""

import logging
from datetime import date

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account

from . import outbox, requests
from .engine import CHUNK_SIZE
from .fanout import help_run
from .models import RecomputeRun, RunStatus
from .runs import recompute

logger = logging.getLogger(__name__)

MAX_DELIVERIES = 3
# What `deliver` did: ran the recompute here (no broker), handed it to the broker (or
# found it handed already), or left it waiting in the database (the broker is down).
DONE, QUEUED, WAITING = "done", "queued", "waiting"

RECOMPUTE_TASK = {
    "bind": True,
    "acks_late": True,
    "retry_on_worker_lost": True,
    "reject_on_worker_lost": True,
    "max_retries": MAX_DELIVERIES - 1,
    # Sent again once the dead run's lock has run out, so the new delivery can take it.
    "default_retry_delay": settings.RECOMPUTE_LOCK_SECONDS + 5,
}


# The task keeps its first name so messages already queued by a deployed beat still run.
@shared_task(name="prioritization.recompute_portfolio", **RECOMPUTE_TASK)
def recompute_portfolio(
    self, as_of: str | None = None, trigger: str = "nightly", chunk_size: int = CHUNK_SIZE
) -> dict:
    """Nightly (beat), or by hand. Safe to run twice: a second run changes nothing, and a
    run that finds another in progress leaves a full run to follow it."""
    run = _given_up(self, trigger) or recompute(
        as_of=date.fromisoformat(as_of) if as_of else None,
        trigger=trigger,
        chunk_size=chunk_size,
        details={"task_id": self.request.id},
    )
    _deliver_what_came_in(run)
    return {"run": run.pk, "status": run.status, "accounts": run.accounts}


@shared_task(name="orchestration.recompute_requested", ignore_result=True, **RECOMPUTE_TASK)
def recompute_requested(self) -> dict:
    """The debounced recompute of what waits in the outbox (`requests.py`)."""
    run = _given_up(self, "changes") or requests.recompute_waiting(task_id=self.request.id)
    _deliver_what_came_in(run)
    return {"run": run.pk if run else None, "status": run.status if run else "nothing to do"}


# Not acknowledged late, not sent again: a helper whose worker dies leaves its chunk's
# claim to run out, and the run's conductor (or another helper) does the chunk.
@shared_task(name="orchestration.recompute_chunks", ignore_result=True)
def recompute_chunks(run_id: int, phase: str, holder: str) -> int:
    """Help a run in progress with the chunks of one of its phases (`fanout.py`); returns
    at once if the run has ended or has nothing left to claim."""
    return help_run(run_id, phase, holder)


@shared_task(
    name="orchestration.sweep_recompute_requests",
    ignore_result=True,
    soft_time_limit=50,
    time_limit=60,
)
def sweep_recompute_requests() -> dict:
    """Every minute (beat): redo runs whose worker died, deliver what the broker missed."""
    return requests.sweep(deliver=lambda: deliver(countdown=0))


def deliver(*, countdown: int | None = None) -> str:
    """Hand the recompute of what waits in the outbox to a worker, `countdown` seconds
    ahead (default: the debounce), unless it is handed already. Never raises."""
    try:
        if runs_here():
            outcome = recompute_requested.apply_async().get()
            # No run: another holds the lock, and what waits follows it.
            return DONE if outcome["run"] else QUEUED
        seconds = settings.RECOMPUTE_DEBOUNCE_SECONDS if countdown is None else countdown
        outbox.arm(lambda delay: recompute_requested.apply_async(countdown=delay), seconds)
        return QUEUED
    except Exception as error:  # the write has committed; the request waits
        if runs_here():
            logger.exception("The recompute after a change failed; its requests wait.")
        else:
            logger.warning(
                "The broker did not take the recompute (%s: %s); the requests wait in the "
                "database and the sweep delivers them once it is back.",
                type(error).__name__,
                error,
            )
        return WAITING


def runs_here() -> bool:
    """Whether a recompute asked for runs in this process (no broker: the embedded
    default) rather than on a worker."""
    return recompute_requested.app.conf.task_always_eager


def request_full_run(trigger: str) -> None:
    """Ask for a recompute of every account: stored in the caller's transaction,
    delivered once it commits."""
    outbox.store_full_run(trigger)
    transaction.on_commit(deliver)


def _deliver_what_came_in(run: RecomputeRun | None) -> None:
    """Requests that came in while the run held the lock (the run may have read their
    accounts before they changed) follow it at once."""
    ran = run is not None and run.status in (RunStatus.SUCCEEDED, RunStatus.COMPLETED_WITH_ERRORS)
    if ran and outbox.any_waiting():
        deliver()


def _given_up(task, trigger: str) -> RecomputeRun | None:
    """A failed run record if this message's runs have died `MAX_DELIVERIES` times (its
    worker killed each time), else None."""
    task_id = task.request.id
    if not task_id or task.request.is_eager:
        return None
    died = RecomputeRun.objects.filter(
        details__task_id=task_id, status__in=[RunStatus.RUNNING, RunStatus.ABANDONED]
    ).count()
    if died < MAX_DELIVERIES:
        return None
    logger.error("Task %s was delivered %s times and its worker died each time.", task_id, died)
    return RecomputeRun.objects.create(
        trigger=trigger[:20],
        as_of=timezone.localdate(),
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error=(
            f"This task was delivered {died} times and its worker stopped each time; it is "
            "not run again. The nightly run, the next change or `manage.py recompute` runs."
        ),
        details={"task_id": task_id, requests.GAVE_UP: True},
    )


@shared_task(name="tam_portal.worker_health", soft_time_limit=50, time_limit=60)
def worker_health() -> dict:
    """Prove a worker can take a message from the broker and read the database.

    Ops run it after a deploy (`worker_health.delay().get(timeout=30)`); the tests run it
    through a real worker against Redis.
    """
    return {"database": connection.vendor, "accounts": Account.objects.count()}
