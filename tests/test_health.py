"""`/health/` (issue 11, point 8): no sign-in, no session, JSON; 200 while the database
answers, 503 when it does not; the broker and the worker reported, never failing it."""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.test import Client
from django.urls import reverse

from orchestration.models import RecomputeRun, RunStatus
from tam_portal import worker_heartbeat

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(
    not REDIS_URL, reason="needs the Redis that scripts/test provisions (TEST_REDIS_URL)"
)
# Nothing listens on the discard port of the loopback: refused at once.
NOWHERE_REDIS = "redis://127.0.0.1:9/0"
NOWHERE_POSTGRES = "postgres://nobody@127.0.0.1:9/nothing"


def _isolated_redis_url() -> str:
    """The test Redis, in a database of its own, so no other test's keys or queues show."""
    return REDIS_URL.rsplit("/", 1)[0] + "/15"


@pytest.mark.django_db
def test_health_answers_without_sign_in_or_session(django_assert_num_queries):
    client = Client()

    # 1: SELECT 1; 2: the latest finished recompute run. No session row is read.
    with django_assert_num_queries(2):
        response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"


@pytest.mark.django_db
def test_health_on_the_embedded_default_says_the_broker_is_not_configured(settings):
    settings.CELERY_BROKER_URL = ""

    body = Client().get(reverse("health")).json()

    assert body["broker"] == {"status": "not configured"}
    assert body["worker"]["status"] == "not configured"


@pytest.mark.django_db
def test_health_reports_the_latest_finished_recompute():
    RecomputeRun.objects.create(trigger="nightly", as_of="2026-11-30", status=RunStatus.SUCCEEDED)
    RecomputeRun.objects.create(trigger="entry", as_of="2026-12-01", status=RunStatus.FAILED)
    RecomputeRun.objects.create(trigger="import", as_of="2026-12-01")  # still running

    body = Client().get(reverse("health")).json()

    assert body["worker"]["last_recompute"]["status"] == "failed"
    assert body["worker"]["last_recompute"]["trigger"] == "entry"


@pytest.mark.django_db
def test_a_dead_broker_is_reported_but_the_instance_stays_healthy(settings):
    settings.CELERY_BROKER_URL = NOWHERE_REDIS

    response = Client().get(reverse("health"))

    assert response.status_code == 200
    body = response.json()
    assert body["broker"]["status"] == "unavailable"
    assert body["worker"]["status"] == "unknown"


@pytest.mark.django_db
@needs_redis
def test_health_reads_the_worker_heartbeat_from_the_broker(settings):
    url = _isolated_redis_url()
    settings.CELERY_BROKER_URL = url
    client = redis.Redis.from_url(url)
    client.delete(worker_heartbeat.KEY)

    silent = Client().get(reverse("health")).json()
    worker_heartbeat.write(client, "celery@host-1", now=1_800_000_000.0)
    lifetime = client.ttl(worker_heartbeat.KEY)
    alive = Client().get(reverse("health")).json()
    client.delete(worker_heartbeat.KEY)

    assert silent["broker"]["status"] == "ok"
    assert silent["worker"]["status"] == "no heartbeat"
    assert alive["worker"]["status"] == "ok"
    assert alive["worker"]["hostname"] == "celery@host-1"
    assert alive["worker"]["last_heartbeat"] == "2027-01-15T08:00:00+00:00"
    # The key expires by itself once no worker renews it.
    assert 0 < lifetime <= worker_heartbeat.LIFETIME_SECONDS


@needs_redis
@pytest.mark.django_db
def test_a_running_worker_writes_the_heartbeat_health_reads(settings):
    url = _isolated_redis_url()
    settings.CELERY_BROKER_URL = url
    client = redis.Redis.from_url(url)
    client.delete(worker_heartbeat.KEY)
    hostname = f"health-test-{uuid.uuid4().hex[:8]}@localhost"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tam_portal", "worker", "--pool=solo",
         "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--hostname", hostname],
        cwd=ROOT,
        env={**os.environ, "CELERY_BROKER_URL": url, "CELERY_RESULT_BACKEND": url},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        body = Client().get(reverse("health")).json()
        while body["worker"]["status"] != "ok" and time.monotonic() < deadline:
            time.sleep(0.5)
            body = Client().get(reverse("health")).json()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        client.delete(worker_heartbeat.KEY)

    assert body["worker"]["status"] == "ok"
    assert body["worker"]["hostname"] == hostname


def test_health_answers_503_when_the_database_is_unreachable():
    # A fresh process: this one's connection points at the test database.
    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "response = Client().get('/health/')\n"
        "print(json.dumps({'code': response.status_code, 'body': response.json()}))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tam_portal.settings",
        "DATABASE_URL": NOWHERE_POSTGRES,
        "CELERY_BROKER_URL": "",
        "ALLOWED_HOSTS": "testserver",
    }

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["code"] == 503
    assert answer["body"]["status"] == "unavailable"
    assert answer["body"]["database"] == {"status": "unavailable", "error": "OperationalError"}


@pytest.mark.django_db
def test_health_is_answered_over_plain_http_when_the_rest_redirects_to_https(settings):
    # The compose health check asks http://127.0.0.1:8000/health/ inside the container.
    settings.SECURE_SSL_REDIRECT = True

    assert Client().get(reverse("health")).status_code == 200
    assert Client().get(reverse("login")).status_code == 301
