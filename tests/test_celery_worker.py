"""The Celery path end to end: real worker processes, a real Redis broker, the test
database; workers killed mid-run and a broker stopped under writes (issue 11, points 2
and 3). Each test that breaks something uses a redis-server of its own (`tests/broker.py`)."""

import contextlib
import io
import os
import signal
from decimal import Decimal

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from orchestration.models import RECOMPUTE_LOCK, RecomputeRequest, RecomputeRun, RunLock, RunStatus
from orchestration.tasks import recompute_portfolio, sweep_recompute_requests, worker_health
from segments.models import Segment
from tam_portal.celery import app
from tests.admin_forms import segment_form
from tests.api.conftest import bearer, integration_key
from tests.broker import (
    RedisServer,
    app_pointed_at,
    eventually,
    start_worker,
    stop_worker,
    worker_database_url,
)
from tests.factories import AccountFactory, TamFactory

REDIS_URL = os.environ.get("TEST_REDIS_URL")

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

# A short lease, so a dead run is noticed within seconds: renewed every second, retried
# (a killed pool process) 4 + 5 s later.
FAST_LEASE = {"RECOMPUTE_LOCK_SECONDS": "4", "RECOMPUTE_DEBOUNCE_SECONDS": "1"}


@pytest.fixture
def worker():
    process = start_worker(REDIS_URL)
    try:
        with app_pointed_at(REDIS_URL):
            yield process
    finally:
        stop_worker(process)


@pytest.fixture
def redis_server():
    """A redis-server of this test's own, which it may kill."""
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.remove()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_runs_a_task_against_the_database(worker):
    AccountFactory.create_batch(3)

    result = worker_health.delay().get(timeout=60)

    assert result == {"database": connection.vendor, "accounts": 3}
    assert worker.poll() is None, "the worker process should still be running"


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


# --- a worker killed mid-run ------------------------------------------------------------


class _MetricsStepHeld:
    """Another session holds the metric results table, so a run that reaches its metrics
    step waits there, mid-run (segments and priorities written, its lease renewing), for
    as long as the test needs to kill it."""

    def __enter__(self):
        self._connection = psycopg2.connect(worker_database_url())
        with self._connection.cursor() as cursor:
            cursor.execute("LOCK TABLE metrics_metricresult IN ACCESS EXCLUSIVE MODE")
        return self

    def run_is_waiting(self) -> bool:
        with self._connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks "
                "WHERE relation = 'metrics_metricresult'::regclass AND NOT granted"
            )
            return cursor.fetchone()[0] > 0

    def __exit__(self, *exc):
        self._connection.rollback()
        self._connection.close()


def _run_process_id() -> int:
    """The process running the recompute: its lock holder is host:pid:token."""
    return int(RunLock.objects.get(name=RECOMPUTE_LOCK).holder.split(":")[1])


def _recomputed(account, priority) -> bool:
    account.refresh_from_db()
    return account.priority == priority


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_whose_pool_process_is_killed_is_sent_again_and_completes(redis_server):
    account = AccountFactory(tam=TamFactory(), at_risk=True)  # churn risk: Pr1 once computed
    worker = start_worker(redis_server.url, pool="prefork", **FAST_LEASE)
    try:
        with app_pointed_at(redis_server.url), _MetricsStepHeld() as held:
            sent = recompute_portfolio.delay(trigger="nightly")
            assert eventually(held.run_is_waiting), "the run never reached its metrics step"
            pool_process = _run_process_id()
            assert pool_process != worker.pid  # the pool's child, not the worker itself
            os.kill(pool_process, signal.SIGKILL)

        # Celery sends the task again once the dead run's lock has run out; that delivery
        # marks the dead run abandoned and runs in full.
        assert eventually(
            lambda: RecomputeRun.objects.filter(status=RunStatus.SUCCEEDED).exists(), timeout=60
        )
        assert worker.poll() is None
    finally:
        stop_worker(worker)

    runs = list(RecomputeRun.objects.order_by("started_at").values_list("status", "details"))
    assert [(status, details["task_id"]) for status, details in runs] == [
        (RunStatus.ABANDONED, sent.id),
        (RunStatus.SUCCEEDED, sent.id),
    ]
    assert _recomputed(account, 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_whose_whole_worker_is_killed_is_redone_by_the_sweep(redis_server):
    account = AccountFactory(tam=TamFactory(), at_risk=True)
    first = start_worker(redis_server.url, **FAST_LEASE)
    try:
        with app_pointed_at(redis_server.url), _MetricsStepHeld() as held:
            recompute_portfolio.delay(trigger="nightly")
            assert eventually(held.run_is_waiting), "the run never reached its metrics step"
            os.killpg(first.pid, signal.SIGKILL)  # the worker and everything it started
            first.wait(timeout=10)
    finally:
        stop_worker(first)
    # Its message stays unacknowledged until the visibility timeout (35 min): the sweep
    # does not wait for it. A worker is back (the deployment restarts it).
    second = start_worker(redis_server.url, **FAST_LEASE)
    try:
        lock = RunLock.objects.get(name=RECOMPUTE_LOCK)
        assert eventually(lambda: timezone.now() > lock.expires_at, timeout=10)
        with app_pointed_at(redis_server.url):
            sweep_recompute_requests.delay()  # what beat sends every minute
        assert eventually(
            lambda: RecomputeRun.objects.filter(status=RunStatus.SUCCEEDED).exists(), timeout=60
        )
    finally:
        stop_worker(second)

    assert list(RecomputeRun.objects.order_by("started_at").values_list("trigger", "status")) == [
        ("nightly", RunStatus.ABANDONED),
        ("redo", RunStatus.SUCCEEDED),
    ]
    assert _recomputed(account, 1)
    assert not RecomputeRequest.objects.exists()


# --- Redis stopped under writes -------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_redis_stopped_writes_succeed_and_their_recomputes_run_once_it_is_back(
    redis_server, client, admin_user, tmp_path, settings
):
    settings.RECOMPUTE_DEBOUNCE_SECONDS = 1  # as the worker's: the sweep finds them missed
    tam = TamFactory()
    mid_touch = AccountFactory(tam=tam, arr=Decimal(80000))  # Named from $75k on
    worker = start_worker(redis_server.url, **FAST_LEASE)
    try:
        with app_pointed_at(redis_server.url):
            assert worker_health.delay().get(timeout=60)["database"] == "postgresql"
            redis_server.stop()

            # An admin's threshold save, an import and an API write, with Redis down.
            client.force_login(admin_user)
            named = Segment.objects.get(code="named")
            saved = client.post(
                reverse("admin:segments_segment_change", args=[named.pk]),
                {**segment_form(named, min_arr="75000"), "_confirm_impact": "1"},
            )
            path = tmp_path / "accounts.csv"
            path.write_text(
                f"external_id,name,region,tam_email,arr\nSF-9,New,us-enterprise,{tam.email},150000\n"
            )
            imported = _call_import(path)
            api = bearer(integration_key(name="warehouse", can_read=False, can_write=True))
            written = api.post(
                "/api/v1/usage/bulk/",
                [{"account_external_id": mid_touch.external_id, "taken_on": "2026-11-01",
                  "licensed_users": 100, "active_users": 40}],
                content_type="application/json",
            )  # fmt: skip

            assert saved.status_code == 302
            assert "will follow shortly" in imported
            assert (written.status_code, written.json()["recompute"]) == (200, "queued")
            assert RecomputeRequest.objects.count() == 3  # all three wait in the database

            redis_server.start()  # back; the worker reconnects by itself
            # Beat sends the sweep every minute; here every second until they have run.
            assert eventually(lambda: _swept(sweep_recompute_requests), timeout=60, every=1)
    finally:
        stop_worker(worker)

    mid_touch.refresh_from_db()
    assert mid_touch.segment.code == "named"
    assert Account.objects.get(external_id="SF-9").segment.code == "named"


def _call_import(path) -> str:
    out = io.StringIO()
    call_command("import_accounts", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _swept(sweep) -> bool:
    """Send the sweep (the broker may still be coming up); True once nothing waits."""
    if not RecomputeRequest.objects.exists():
        return True
    with contextlib.suppress(Exception):  # not up yet: the next call tries again
        sweep.apply_async()
    return False


def test_beat_schedules_the_nightly_recompute_and_the_sweep():
    nightly = app.conf.beat_schedule["nightly-recompute"]
    sweep = app.conf.beat_schedule["recompute-sweep"]

    assert nightly["task"] == recompute_portfolio.name
    assert nightly["kwargs"] == {"trigger": "nightly"}
    assert (nightly["schedule"].hour, nightly["schedule"].minute) == ({2}, {30})
    assert (sweep["task"], sweep["schedule"]) == (sweep_recompute_requests.name, 60.0)
