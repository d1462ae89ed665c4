"""A Celery worker's sign of life, kept in the broker's Redis for `/health/` to read.

Each worker writes one key (`KEY`) every `WRITE_EVERY_SECONDS` while its consumer's event
loop turns, with a lifetime of `LIFETIME_SECONDS`: the key exists while at least one
worker lives, and disappears at most that long after the last one stopped or hung. It
rides on Celery's own event heartbeat (every 2 s; off with `--without-heartbeat`), so a
worker whose loop is stuck writes nothing. Reading it costs `/health/` one GET: no task
round trip on every poll of the compose health check.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from functools import cache

import redis
from celery.signals import heartbeat_sent

KEY = "tam_portal:worker-heartbeat"
WRITE_EVERY_SECONDS = 10
LIFETIME_SECONDS = 60
# Reaching the broker gives up this soon (DESIGN: a dead broker is a delay, not an error).
BROKER_TIMEOUT_SECONDS = 2
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

logger = logging.getLogger(__name__)
_last_written = 0.0


@cache
def redis_client(url: str) -> redis.Redis:
    """One client (and its connection pool) per broker URL and process."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
        retry_on_timeout=False,
    )


def write(client: redis.Redis, hostname: str, now: float) -> None:
    client.set(KEY, json.dumps({"hostname": hostname, "at": now}), ex=LIFETIME_SECONDS)


def read(client: redis.Redis) -> dict | None:
    """{"hostname", "at"} of the latest heartbeat, or None when no worker wrote one lately."""
    value = client.get(KEY)
    return json.loads(value) if value else None


@heartbeat_sent.connect
def _on_heartbeat(sender, **kwargs) -> None:
    global _last_written
    now = time.time()
    if now - _last_written < WRITE_EVERY_SECONDS:
        return
    _last_written = now
    from tam_portal.celery import app

    if not app.conf.broker_url.startswith(REDIS_SCHEMES):
        return
    hostname = getattr(sender.eventer, "hostname", None) or socket.gethostname()
    try:
        write(redis_client(app.conf.broker_url), hostname, now)
    except redis.RedisError as error:
        # The worker reconnects to the broker on its own; the missing key says it to /health/.
        logger.warning("worker heartbeat not written: %s", error)
