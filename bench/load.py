"""Load: signed-in users on the realistic mix, against gunicorn as configured in the repo.

Usage: python bench/load.py [ACCOUNTS] [--users U] [--seconds S] [--think T] [--seed N]
(default 100,000 accounts, 50 users, 60 s, 2 s mean think time). Run it through
`bench/run load [ACCOUNTS]`, which provisions a throwaway PostgreSQL and Redis on loopback.

1. Migrates and, on an empty database, builds the portfolio with its history
   (bench/build_portfolio.py, `activities=True`) and recomputes it, as `bench/run pages` does.
2. Picks the users, spread over the roles as a company is: about four in five TAMs (each
   from another team), managers of some of those teams, two admins; gives them one password.
3. Collects the static files and starts gunicorn (`gunicorn.conf.py`, its defaults unless
   GUNICORN_* are set) and a Celery worker, on 127.0.0.1 only, with DEBUG off; plain HTTP,
   so the HTTPS redirect and secure cookies are off (a TLS proxy does that in production).
4. Signs every user in through the login form, then runs them for S seconds, each in its own
   thread: pick a page by the role's weights (`load_mix.MIX`), request it, wait a think time
   drawn uniformly between 0.5 T and 1.5 T, repeat. `--think 0` is the saturation test.
5. Prints requests/s, p50/p95/p99 per page kind, errors (any status other than 2xx/3xx, or
   no answer) and the entries logged: answered (302) against stored (rows found after).

The load generator runs on the same cores as gunicorn, PostgreSQL and the worker and takes
its share of them: the output says how much.
"""

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from _setup import load  # sets Django up: must come before the rest
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Account, Activity
from bench.build_portfolio import build_portfolio
from bench.load_mix import (
    ACCOUNT,
    BOOK,
    BOOK_FILTERED,
    CSV_EXPORT,
    DASHBOARD,
    LOG_ENTRY,
    TODAY,
    Sample,
    UserPlan,
    page_request,
    table,
    weights_for,
)
from orchestration.runs import recompute
from people.models import Role, User

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-load-password-not-a-secret"  # every bench user's; the database is throwaway
ACCOUNTS_PER_USER = 200  # the accounts a user opens and logs entries on, from their scope
REQUEST_TIMEOUT_SECONDS = 30
HOST = "127.0.0.1"


# --- the data and the users -----------------------------------------------------------------


def prepare_portfolio(accounts: int, seed: int) -> None:
    call_command("migrate", verbosity=0)
    if Account.objects.exists():
        print(f"reusing the {Account.objects.count():,} accounts already there", flush=True)
        return
    as_of = timezone.localdate()
    started = time.perf_counter()
    build_portfolio(accounts, seed=seed, as_of=as_of, activities=True)
    print(f"built the portfolio in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    recompute(as_of=as_of, trigger="bench")
    print(f"recomputed in {time.perf_counter() - started:.0f} s", flush=True)


def pick_users(count: int, rng: random.Random) -> list[UserPlan]:
    admins = max(1, min(2, count // 10))
    managers = max(1, (count - admins) // 5)
    tams = count - admins - managers
    teams = list(
        User.objects.filter(role=Role.TAM, team__isnull=False)
        .order_by("team_id", "id")
        .distinct("team_id")
        .values_list("id", "team__manager_id")
    )
    rng.shuffle(teams)
    ids = [tam for tam, _ in teams[:tams]]
    ids += [manager for _, manager in teams[:managers] if manager]
    for number in range(1, admins + 1):
        admin, _ = User.objects.get_or_create(
            username=f"bench-admin-{number}",
            defaults={"role": Role.ADMIN, "is_staff": True, "is_superuser": True},
        )
        ids.append(admin.pk)
    # One hash for all: hashing each password would cost the benchmark most of a minute.
    User.objects.filter(pk__in=ids).update(password=make_password(PASSWORD), is_active=True)
    return [_plan_for(user, rng) for user in User.objects.filter(pk__in=ids).order_by("id")]


def _plan_for(user: User, rng: random.Random) -> UserPlan:
    scope = Account.objects.visible_to(user)
    role = "admin" if user.is_portal_admin else user.role
    if role == "admin":
        size = scope.count()
        accounts = list(scope.order_by("?").values_list("id", flat=True)[:ACCOUNTS_PER_USER])
        tams = list(
            User.objects.filter(role=Role.TAM).order_by("?").values_list("id", flat=True)[:50]
        )
    else:
        accounts = list(scope.values_list("id", flat=True))
        size = len(accounts)
        rng.shuffle(accounts)
        accounts = accounts[:ACCOUNTS_PER_USER]
        tams = list(User.objects.filter(team__manager=user).values_list("id", flat=True))
    return UserPlan(user.username, role, size, accounts, tams)


def portal_paths() -> dict:
    paths = {
        BOOK: reverse("book"),
        BOOK_FILTERED: reverse("book"),
        CSV_EXPORT: reverse("book_export"),
        DASHBOARD: reverse("dashboard:index"),
        ACCOUNT: reverse("account_detail", args=[0]).replace("/0/", "/{id}/"),
        LOG_ENTRY: reverse("log_activity", args=[0, "cadence-call"]).replace("/0/", "/{id}/"),
    }
    try:
        paths[TODAY] = reverse("today")
    except NoReverseMatch:
        print("no Today page in this build: its share of the mix goes to the others")
    return paths


# --- the servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def server_environment(static_root: str) -> dict:
    broker = os.environ.get("TEST_REDIS_URL", "")
    return {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": HOST,
        "STATIC_ROOT": static_root,
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
    }


def start(command: list[str], environment: dict, log: Path) -> subprocess.Popen:
    with log.open("ab") as output:
        return subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )


def wait_for_health(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{base}/health/", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /health/ within 120 s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live children (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(child) for child in children]
    except OSError:
        return 0.0
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def postmaster_pid() -> int:
    """The PostgreSQL server's main process (its backends are its children); 0 if unknown."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")  # superuser only: the throwaway server's owner
        folder = Path(cursor.fetchone()[0])
    try:
        return int((folder / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError):
        return 0


# --- the users at work ----------------------------------------------------------------------


def sign_in(base: str, user: UserPlan) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/login/", timeout=REQUEST_TIMEOUT_SECONDS)
    answer = session.post(
        f"{base}/login/",
        data={
            "username": user.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    if answer.status_code != 302:
        raise SystemExit(f"{user.username} could not sign in: {answer.status_code}")
    session.get(f"{base}/book/", timeout=REQUEST_TIMEOUT_SECONDS)  # warm-up, not counted
    return session


def work(base, session, user, paths, *, until, think, seed, marker, samples) -> None:
    rng = random.Random(seed)
    kinds, weights = weights_for(user.role, set(paths))
    today = timezone.localdate()
    while time.monotonic() < until:
        kind = rng.choices(kinds, weights)[0]
        request = page_request(user, kind, rng, today=today, marker=marker, paths=paths)
        headers = {"X-CSRFToken": session.cookies.get("csrftoken", "")}
        started = time.perf_counter()
        try:
            answer = session.request(
                request.method,
                base + request.path,
                data=request.data,
                headers=headers if request.method == "POST" else None,
                allow_redirects=False,
                timeout=REQUEST_TIMEOUT_SECONDS,
            )
            sample = Sample(kind, (time.perf_counter() - started) * 1000, answer.status_code)
        except requests.RequestException as error:
            elapsed = (time.perf_counter() - started) * 1000
            sample = Sample(kind, elapsed, None, type(error).__name__)
        samples.append(sample)
        # Past the end nobody waits: the run lasts as long as its last request.
        time.sleep(min(rng.uniform(0.5 * think, 1.5 * think), max(0.0, until - time.monotonic())))


def run_users(base, sessions, users, paths, *, seconds, think, seed, marker):
    samples: list[Sample] = []  # list.append is atomic under the GIL
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=work,
            args=(base, session, user, paths),
            kwargs={
                "until": until,
                "think": think,
                "seed": seed + index,
                "marker": marker,
                "samples": samples,
            },
        )
        for index, (session, user) in enumerate(zip(sessions, users, strict=True))
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, time.monotonic() - started


# --- the benchmark ------------------------------------------------------------------------


def report(samples, elapsed, *, marker, cpu) -> None:
    print(
        f"\n{len(samples):,} requests in {elapsed:.1f} s: {len(samples) / elapsed:.1f} requests/s"
    )
    print("\n".join(table(samples)))
    failures = [s for s in samples if s.failed]
    if failures:
        kinds = sorted({f"{s.kind}: {s.status or s.error}" for s in failures})
        print("errors: " + ", ".join(kinds))
    writes = [s for s in samples if s.kind == LOG_ENTRY]
    answered = sum(s.status == 302 for s in writes)
    stored = Activity.objects.filter(notes=marker).count()
    print(
        f"\nentries logged: {len(writes)} sent, {answered} answered as saved, {stored} stored"
        f" ({'none lost' if stored >= answered else f'{answered - stored} LOST'})"
    )
    gunicorn, postgresql, generator = cpu
    cores = os.cpu_count() or 1
    available = cores * elapsed
    others = max(0.0, available - gunicorn - postgresql - generator)
    print(
        f"CPU over the run, of {available:.0f} core-seconds ({cores} cores): gunicorn "
        f"{gunicorn:.0f} s, PostgreSQL {postgresql:.0f} s, this load generator "
        f"{generator:.0f} s; idle or other processes {others:.0f} s. Load average now {load()}"
    )


def main(arguments) -> None:
    rng = random.Random(arguments.seed)
    print(f"{arguments.users} users, {arguments.seconds} s, think time {arguments.think} s")
    prepare_portfolio(arguments.accounts, arguments.seed)
    users = pick_users(arguments.users, rng)
    roles = {role: sum(u.role == role for u in users) for role in ("tam", "manager", "admin")}
    print("users: " + ", ".join(f"{n} {role}s" for role, n in roles.items()), flush=True)
    paths = portal_paths()
    marker = f"bench load {uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory(prefix="tam-load-") as folder:
        folder = Path(folder)
        environment = server_environment(str(folder / "static"))
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT, env=environment, check=True,
        )  # fmt: skip
        base = f"http://{HOST}:{free_port()}"
        gunicorn = start(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
             "--bind", base.removeprefix("http://"), "--access-logfile", str(folder / "access.log"),
             "tam_portal.wsgi:application"],
            environment, folder / "gunicorn.log",
        )  # fmt: skip
        worker = None
        if environment["CELERY_BROKER_URL"]:
            worker = start(
                [sys.executable, "-m", "celery", "-A", "tam_portal", "worker",
                 "--concurrency", "1", "--loglevel", "WARNING"],
                environment, folder / "worker.log",
            )  # fmt: skip
        try:
            wait_for_health(base, gunicorn, folder / "gunicorn.log")
            with ThreadPoolExecutor(max_workers=4) as pool:
                sessions = list(pool.map(lambda user: sign_in(base, user), users))
            print(f"signed in; running for {arguments.seconds} s, load {load()}", flush=True)
            postmaster = postmaster_pid()
            cpu_before = cpu_seconds(gunicorn.pid), cpu_seconds(postmaster), time.process_time()
            samples, elapsed = run_users(
                base, sessions, users, paths, seconds=arguments.seconds,
                think=arguments.think, seed=arguments.seed, marker=marker,
            )  # fmt: skip
            cpu = (
                cpu_seconds(gunicorn.pid) - cpu_before[0],
                cpu_seconds(postmaster) - cpu_before[1],
                time.process_time() - cpu_before[2],
            )
        finally:
            for process in (gunicorn, worker):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=60)
        report(samples, elapsed, marker=marker, cpu=cpu)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Signed-in users on the realistic mix.")
    parser.add_argument("accounts", nargs="?", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds between pages")
    parser.add_argument("--seed", type=int, default=1)
    main(parser.parse_args())
