"""Celery entry points for the recompute: thin, they take ids or nothing.

No retry here: the recompute retries a chunk on a named transient database error
(`engine.in_transaction_with_retries`), the one retry layer; an error that outlives it
fails the run, which is recorded with its traceback, and the next run (nightly or the
next change) starts clean.
"""

from datetime import date

from celery import shared_task
from django.db import connection

from accounts.models import Account

from . import requests
from .runs import recompute


# The task keeps its first name so messages already queued by a deployed beat still run.
@shared_task(name="prioritization.recompute_portfolio", acks_late=True)
def recompute_portfolio(as_of: str | None = None, trigger: str = "nightly") -> dict:
    """Nightly, after an import and after a threshold change. Safe to run twice: a second
    run changes nothing, and a run that finds another one in progress records a skip."""
    run = recompute(as_of=date.fromisoformat(as_of) if as_of else None, trigger=trigger)
    return {"run": run.pk, "status": run.status, "accounts": run.accounts}


@shared_task(name="orchestration.recompute_requested", acks_late=True)
def recompute_requested() -> dict:
    """The debounced recompute of the accounts bulk writes changed (`requests.py`)."""
    run = requests.recompute_waiting(rearm=arm_recompute_requested)
    return {"run": run.pk if run else None, "status": run.status if run else "nothing waiting"}


def arm_recompute_requested() -> bool:
    return requests.arm(lambda seconds: recompute_requested.apply_async(countdown=seconds))


@shared_task(name="tam_portal.worker_health", soft_time_limit=50, time_limit=60)
def worker_health() -> dict:
    """Prove a worker can take a message from the broker and read the database.

    Ops run it after a deploy (`worker_health.delay().get(timeout=30)`); the tests run it
    through a real worker against Redis.
    """
    return {"database": connection.vendor, "accounts": Account.objects.count()}
