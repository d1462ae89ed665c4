"""A PostgreSQL restart under requests costs no 500 (issue 11, points 8 and 9).

gunicorn, as configured in the repo (gunicorn.conf.py), serves the test database with
persistent connections (CONN_MAX_AGE). Every server process connected to that database
is then terminated, as a restart would, and the same pages are asked for again: each
worker must notice its dead connection before using it (CONN_HEALTH_CHECKS) and open a
new one, rather than answer 500 once.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from django.db import connection
from django.test import Client

from tests.factories import AccountFactory, TamFactory

PROJECT_DIR = Path(__file__).resolve().parent.parent
WORKERS = 2
ROUNDS = 10  # requests per page before and after: with fresh TCP connections, both workers

pytestmark = pytest.mark.postgresql_only(
    reason="terminates the server processes of the test database (pg_terminate_backend)"
)


def _test_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn_url():
    port = _free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CONN_MAX_AGE": "600",
        "GUNICORN_WORKERS": str(WORKERS),
        "GUNICORN_THREADS": "1",
        "CELERY_BROKER_URL": "",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null",
         "tam_portal.wsgi:application"],
        cwd=PROJECT_DIR,
        env=environment,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=60)


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited while starting"
        try:
            if requests.get(f"{url}/health/", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError("gunicorn did not answer /health/ within 60 s")


def _statuses(url: str, paths: list[str], cookies: dict) -> list[tuple[str, int]]:
    # A fresh TCP connection per request (no session object): keep-alive would pin every
    # request to the one worker that accepted the first.
    return [
        (path, requests.get(url + path, cookies=cookies, timeout=30).status_code)
        for _ in range(ROUNDS)
        for path in paths
    ]


def _terminate_other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_500_after_the_database_connections_die(gunicorn_url):
    tam = TamFactory()
    account = AccountFactory(tam=tam)
    signed_in = Client()
    signed_in.force_login(tam)  # writes the session row gunicorn reads
    cookies = {"sessionid": signed_in.cookies["sessionid"].value}
    paths = ["/book/", f"/accounts/{account.pk}/", "/health/"]

    before = _statuses(gunicorn_url, paths, cookies)
    terminated = _terminate_other_connections()
    after = _statuses(gunicorn_url, paths, cookies)

    assert {status for _, status in before} == {200}
    # The workers kept their connections open between requests: there was something to kill.
    assert terminated >= 1
    assert [(path, status) for path, status in after if status != 200] == []
