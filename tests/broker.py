"""A real broker and real workers for the tests of the Celery path: a throwaway
redis-server of the test's own on a free loopback port (the shared one scripts/test
provides is never stopped), and `celery worker` processes against the test database."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db import connection

from tam_portal.celery import app

PROJECT_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """redis-server on one port, which a test may stop and start again."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._dir = tempfile.mkdtemp(prefix="tam-test-redis-")
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", self._dir],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        if not eventually(self._answers, timeout=10):
            raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def worker_database_url() -> str:
    """DATABASE_URL pointing at the database pytest-django created for this run."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def start_worker(broker_url: str, *, pool: str = "solo", **environment) -> subprocess.Popen:
    """A `celery worker` in its own process group (so a test can kill it whole)."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tam_portal", "worker", f"--pool={pool}",
         "--concurrency=1", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
         "--without-heartbeat"],
        cwd=PROJECT_DIR,
        env={
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": broker_url,
            **environment,
        },
        start_new_session=True,
    )  # fmt: skip


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextmanager
def app_pointed_at(broker_url: str):
    """This process publishes to `broker_url`, as a web process with a broker does."""
    previous = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    point_app_at(broker_url=broker_url, result_backend=broker_url, task_always_eager=False)
    try:
        yield
    finally:
        point_app_at(**previous)


def point_app_at(**conf) -> None:
    """Reconfigure the app and drop the connections it cached for the previous broker."""
    app.conf.update(conf)
    app._after_fork()  # forgets the connection and producer pools
    app._backend_cache = None
    app._local = threading.local()


def eventually(condition, timeout: float = 30, every: float = 0.2) -> bool:
    """Wait for another process's work: True as soon as `condition()` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return bool(condition())
