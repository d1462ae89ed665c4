"""gunicorn's settings for TAM Portal: `gunicorn -c gunicorn.conf.py tam_portal.wsgi:application`.

Sized for a 2-core machine: 3 worker processes of 4 threads each. A page spends part of its
time waiting on PostgreSQL, when another thread of the same process can render; the
processes let both cores render at once (one Python process renders on one core at a
time). More threads than this only queue more requests behind the same two cores.
Override with GUNICORN_WORKERS and GUNICORN_THREADS (e.g. workers = cores + 1).
The address to listen on is given on the command line (`--bind`).
"""

import os
from pathlib import Path

workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"

# A worker silent this long is killed and replaced; the slowest page (a company-wide CSV
# export) takes a few seconds, a tenth of this.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On a stop or restart, requests in flight get this long to finish.
graceful_timeout = 30
keepalive = 5

# Workers are replaced after about this many requests (spread so they do not all restart
# together), so a slow leak cannot grow without bound; the app is loaded once in the
# master, so a replacement starts with a fork, not a fresh import of Django.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
preload_app = True

# Logs go to stdout/stderr, where docker compose collects them.
accesslog = "-"
errorlog = "-"

# Worker heartbeats go to a memory-backed file system: a container's /tmp is on an overlay
# disk whose stalls would look like hung workers.
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"
