"""The Celery path end to end: a real worker process, a real Redis broker, the test database."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from orchestration.models import RecomputeRun
from orchestration.tasks import recompute_portfolio, worker_health
from tam_portal.celery import app
from tests.factories import AccountFactory, TamFactory

REDIS_URL = os.environ.get("TEST_REDIS_URL")
PROJECT_DIR = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(
        not REDIS_URL and not os.environ.get("CI"),
        reason="needs the Redis that scripts/test provisions (TEST_REDIS_URL)",
    ),
    pytest.mark.postgresql_only(
        reason="workers and a broker are the production setup; the embedded default on "
        "SQLite runs tasks in-process"
    ),
]


def _test_database_url() -> str:
    """DATABASE_URL pointing at the database pytest-django created for this run."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def worker():
    environment = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": REDIS_URL,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tam_portal", "worker",
         "--pool=solo", "--concurrency=1", "--loglevel=WARNING", "--without-gossip",
         "--without-mingle", "--without-heartbeat"],
        cwd=PROJECT_DIR,
        env=environment,
    )  # fmt: skip
    previous = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    _point_app_at(broker_url=REDIS_URL, result_backend=REDIS_URL, task_always_eager=False)
    try:
        yield process
    finally:
        _point_app_at(**previous)
        process.terminate()
        process.wait(timeout=30)


def _point_app_at(**conf):
    """Reconfigure the app and drop the connections it cached for the previous broker."""
    app.conf.update(conf)
    app._after_fork()  # forgets the connection and producer pools
    app._backend_cache = None
    app._local = threading.local()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_runs_a_task_against_the_database(worker):
    AccountFactory.create_batch(3)
    started = time.monotonic()

    result = worker_health.delay().get(timeout=60)

    assert result == {"database": connection.vendor, "accounts": 3}
    assert worker.poll() is None, "the worker process should still be running"
    assert time.monotonic() - started < 60


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_nightly_recompute_runs_through_a_real_worker(worker):
    tam = TamFactory()
    at_risk = AccountFactory(tam=tam, at_risk=True)
    quiet = AccountFactory(tam=tam)

    outcome = recompute_portfolio.delay(trigger="nightly").get(timeout=120)

    run = RecomputeRun.objects.get(pk=outcome["run"])
    assert (run.status, run.trigger, run.accounts) == ("succeeded", "nightly", 2)
    at_risk.refresh_from_db()
    quiet.refresh_from_db()
    assert (at_risk.priority, at_risk.priority_reasons) == (1, "churn_risk")
    assert (quiet.priority, quiet.priority_reasons) == (2, "default")
    # The same message again: idempotent, nothing changes.
    again = recompute_portfolio.delay(trigger="nightly").get(timeout=120)
    assert RecomputeRun.objects.get(pk=again["run"]).priorities_changed == 0


def test_beat_schedules_the_nightly_recompute():
    entry = app.conf.beat_schedule["nightly-recompute"]

    assert entry["task"] == recompute_portfolio.name
    assert entry["kwargs"] == {"trigger": "nightly"}
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})
