"""Sign-in attack: another user's book while one account gets wrong passwords (issue 11).

Usage: python bench/sign_in.py [--rate R] [--requests N]  (default 7 wrong passwords a
second, 40 book requests per measurement). Run it through `bench/run sign-in`, which
provisions a throwaway PostgreSQL on loopback.

Seeds the demo portfolio (`seed_demo`) and starts gunicorn as configured in the repo, with
DEBUG off and the production password hasher, twice: with the sign-in lock as configured
(5 failures per username and address) and with the lock out of reach
(SIGN_IN_FAILURE_LIMIT=100000), so every attempt is hashed as before issue 11. Each time a
signed-in TAM reads their book N times alone, then N times while R attackers (threads) each
send a wrong password for a manager once a second. Prints the book's median and p95 both
ways and the statuses the attacker got (429: refused by the lock, before hashing).
"""

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from _setup import load  # sets Django up: must come before the rest
from django.core.management import call_command

from bench.load import HOST, free_port, server_environment, start, wait_for_health
from demo.people import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
READER, TARGET = "tam.us1.01", "manager.emea"  # seed_demo's users
TIMEOUT_SECONDS = 30


def signed_in(base: str, username: str, password: str) -> tuple[requests.Session, int]:
    session = requests.Session()
    session.get(f"{base}/login/", timeout=TIMEOUT_SECONDS)
    answer = session.post(
        f"{base}/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=TIMEOUT_SECONDS,
    )
    return session, answer.status_code


def book_milliseconds(base: str, session: requests.Session, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        answer = session.get(f"{base}/book/", timeout=TIMEOUT_SECONDS)
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"the book answered {answer.status_code}")
    return times


def attack(base: str, stop: threading.Event, statuses: list[int]) -> None:
    """One attacker: a wrong password for TARGET once a second until stopped."""
    while not stop.is_set():
        started = time.perf_counter()
        _, status = signed_in(base, TARGET, "wrong")
        statuses.append(status)
        stop.wait(max(0.0, 1.0 - (time.perf_counter() - started)))


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered):4.0f} ms, p95 {p95:5.0f} ms"


def measure(label: str, environment: dict, folder: Path, arguments) -> None:
    base = f"http://{HOST}:{free_port()}"
    log = folder / f"gunicorn-{base.rsplit(':', 1)[1]}.log"
    gunicorn = start(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
         "--bind", base.removeprefix("http://"), "--access-logfile", "/dev/null",
         "tam_portal.wsgi:application"],
        environment, log,
    )  # fmt: skip
    try:
        wait_for_health(base, gunicorn, log)
        from axes.models import AccessAttempt

        AccessAttempt.objects.all().delete()  # each run starts unlocked
        reader, status = signed_in(base, READER, DEMO_PASSWORD)
        if status != 302:
            raise SystemExit(f"{READER} could not sign in: {status}")
        book_milliseconds(base, reader, 5)  # warm-up, not counted
        alone = book_milliseconds(base, reader, arguments.requests)
        stop, statuses = threading.Event(), []
        attackers = [
            threading.Thread(target=attack, args=(base, stop, statuses))
            for _ in range(arguments.rate)
        ]
        for attacker in attackers:
            attacker.start()
        time.sleep(2)  # the first failures, hashed, are behind us
        attacked = book_milliseconds(base, reader, arguments.requests)
        stop.set()
        for attacker in attackers:
            attacker.join()
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=60)
    answers = ", ".join(f"{statuses.count(s)} x {s}" for s in sorted(set(statuses)))
    print(f"{label}")
    print(f"  book alone:                      {summary(alone)}")
    print(f"  book, {arguments.rate} wrong passwords a second: {summary(attacked)}")
    print(f"  attacker's answers: {answers}", flush=True)


def main(arguments) -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", if_empty=True, stdout=io.StringIO())
    with tempfile.TemporaryDirectory(prefix="tam-sign-in-") as folder:
        folder = Path(folder)
        # No worker: a sign-in queues no task, so tasks may run in-process.
        environment = {
            **server_environment(str(folder / "static")),
            "CELERY_BROKER_URL": "",
            "CELERY_RESULT_BACKEND": "",
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT, env=environment, check=True,
        )  # fmt: skip
        print(f"load before: {load()}")
        measure("with the sign-in lock (5 failures)", environment, folder, arguments)
        no_lock = {**environment, "SIGN_IN_FAILURE_LIMIT": "100000"}
        measure("without it (every attempt hashed)", no_lock, folder, arguments)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Another user's book under a sign-in attack.")
    parser.add_argument("--rate", type=int, default=7, help="wrong passwords a second")
    parser.add_argument("--requests", type=int, default=40, help="book requests per measure")
    main(parser.parse_args())
