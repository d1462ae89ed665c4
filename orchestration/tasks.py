"""Celery entry points for the recompute: thin, they take ids or nothing."""

from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError, connection

from accounts.models import Account
from orchestration.runs import recompute


@shared_task(
    name="prioritization.recompute_portfolio",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    max_retries=3,
    acks_late=True,
)
def recompute_portfolio(as_of: str | None = None, trigger: str = "nightly") -> dict:
    """Nightly, after an import and after a threshold change. Safe to run twice: a second
    run changes nothing, and a run that finds another one in progress records a skip."""
    run = recompute(as_of=date.fromisoformat(as_of) if as_of else None, trigger=trigger)
    return {"run": run.pk, "status": run.status, "accounts": run.accounts}


@shared_task(name="tam_portal.worker_health", soft_time_limit=50, time_limit=60)
def worker_health() -> dict:
    """Prove a worker can take a message from the broker and read the database.

    Ops run it after a deploy (`worker_health.delay().get(timeout=30)`); the tests run it
    through a real worker against Redis.
    """
    return {"database": connection.vendor, "accounts": Account.objects.count()}
