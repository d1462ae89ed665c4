"""Operational tasks that belong to no single app."""

from celery import shared_task
from django.db import connection

from accounts.models import Account


@shared_task(name="tam_portal.worker_health", soft_time_limit=50, time_limit=60)
def worker_health() -> dict:
    """Prove a worker can take a message from the broker and read the database.

    Ops run it after a deploy (`worker_health.delay().get(timeout=30)`); the tests run it
    through a real worker against Redis.
    """
    return {"database": connection.vendor, "accounts": Account.objects.count()}
