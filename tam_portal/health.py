"""`/health/`: is this instance able to serve, for the compose health checks and monitoring.

No sign-in and no session (it reads neither), plain HTTP allowed (SECURE_REDIRECT_EXEMPT).
200 when the database answers, 503 when it does not: the database is the one thing a page
cannot do without. The broker and the worker are reported but do not fail the check: with
Redis down, pages and writes still work and the recompute follows later (issue 11, point 3).
Every check is cheap, as the check is polled: one `SELECT 1`, one PING and one GET to
Redis with a 2 s timeout, and the latest finished recompute run (an indexed query).
Errors are named by their class only: the answer is public.
"""

from __future__ import annotations

from datetime import UTC, datetime

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from orchestration.models import RecomputeRun, RunStatus

from . import worker_heartbeat

FINISHED = [RunStatus.SUCCEEDED, RunStatus.COMPLETED_WITH_ERRORS, RunStatus.FAILED]


def _moment(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat(timespec="seconds")


def database_state() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return {"status": "unavailable", "error": type(error).__name__}
    return {"status": "ok", "vendor": connection.vendor}


def broker_and_worker_state() -> tuple[dict, dict]:
    url = settings.CELERY_BROKER_URL
    if not url:
        in_process = {"status": "not configured", "detail": "tasks run in the web process"}
        return {"status": "not configured"}, in_process
    if not url.startswith(worker_heartbeat.REDIS_SCHEMES):
        return {"status": "unchecked", "detail": "not a Redis broker"}, {"status": "unknown"}
    client = worker_heartbeat.redis_client(url)
    try:
        client.ping()
        heartbeat = worker_heartbeat.read(client)
    except redis.RedisError as error:
        unreachable = {"status": "unavailable", "error": type(error).__name__}
        return unreachable, {"status": "unknown", "detail": "the broker is unreachable"}
    if heartbeat is None:
        worker = {
            "status": "no heartbeat",
            "detail": f"no worker wrote one in the last {worker_heartbeat.LIFETIME_SECONDS} s",
        }
    else:
        worker = {
            "status": "ok",
            "hostname": heartbeat["hostname"],
            "last_heartbeat": _moment(heartbeat["at"]),
        }
    return {"status": "ok"}, worker


def last_recompute() -> dict | None:
    run = (
        RecomputeRun.objects.filter(status__in=FINISHED)
        .order_by("-started_at")
        .values("status", "trigger", "finished_at")
        .first()
    )
    if run is None:
        return None
    return {**run, "finished_at": run["finished_at"] and run["finished_at"].isoformat()}


@login_not_required
@never_cache
@require_GET
def health(request):
    database = database_state()
    broker, worker = broker_and_worker_state()
    if database["status"] == "ok":
        try:
            worker["last_recompute"] = last_recompute()
        except DatabaseError:  # the database went away between the two queries
            database = {"status": "unavailable", "error": "DatabaseError"}
    healthy = database["status"] == "ok"
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "database": database,
            "broker": broker,
            "worker": worker,
        },
        status=200 if healthy else 503,
    )
