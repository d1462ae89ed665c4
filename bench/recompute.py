"""Time the recompute job on a synthetic portfolio of N accounts.

Usage: python bench/recompute.py [ACCOUNTS] [--no-trace] [--seed S] [--chunk-size C]
[--floor-repeat R] [--workers K] [--accounts-per-tam A] (default 100,000 accounts, 50
per TAM). Run it through `bench/run recompute
[ACCOUNTS]`, which provisions a throwaway PostgreSQL.

Migrates, builds the portfolio (bench/build_portfolio.py), times the floor on it (one SQL
UPDATE computing segment and a US-style priority, bench/floor.py: median of R repeats on a
copy of the accounts, a pass where all change and one where none does), then runs
`recompute()`:
1. first run: every segment, priority, assessment and health is new;
2. second run: nothing changes;
both without tracemalloc, for the wall time, each followed by one line per phase with its
ratio to the floor's matching pass ("1 first run (all change): segments and priorities
6.1 s = 8.5x floor (all change)"; health is inside segments and priorities). Then,
unless --no-trace, two runs under tracemalloc (which slows Python down several times) for
the peak Python memory:
3. a run where nothing changes;
4. a first-run-like pass, after clearing the segments, priorities and assessments.
ru_maxrss is the process's peak resident size so far (the build included), for reference.

The health figure is the health step's own time (issue 13 point 9), summed over the
chunks: each chunk's thread's CPU time in the step (time.thread_time) plus its waits on
PostgreSQL (`orchestration.health_step.DatabaseWait`). With RECOMPUTE_WORKERS threads
(2 on PostgreSQL) a chunk's wall time also holds its waits for the other threads' Python
(the interpreter lock), which are their work, not the step's; with RECOMPUTE_WORKERS=1
the two agree. The ratio line "health ... x floor" compares that sum with the floor.

`--workers K` (K > 0) starts K `celery worker --pool=solo` processes on the loopback Redis
bench/run provides (TEST_REDIS_URL) and runs each timed recompute as the nightly task
would, `recompute_portfolio` sent to them: one worker conducts the run, the others help
with its chunks (`orchestration/fanout.py`); each line then says how many chunks each
worker did. The tracemalloc runs are skipped (they would measure this process, which
only waits). The workers are stopped at the end. K = 0 (default): in this process.

`--accounts-per-tam A` sets how many accounts each TAM has, so how many TAMs, teams and
their segments there are: the metrics keep a result per metric and such scope, so the
run's memory grows with them. 1,000,000 accounts at 500 per TAM has the scopes of
100,000 at 50: what is left of the growth is what grows with the accounts.

DEBUG is off, as in production: with it on Django keeps the SQL of the last 9,000
queries, thousands of values each, which would dominate the memory figures.
"""

import argparse
import gc
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass

from _setup import MB, distribution, load, maxrss_mb  # sets Django up: must come before the rest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import Account
from bench.build_portfolio import ACCOUNTS_PER_TAM, build_portfolio
from bench.floor import REPEATS, FloorPass, measure_floor
from lib.fiscal import fiscal_quarter_of
from orchestration.engine import CHUNK_SIZE
from orchestration.models import RecomputeRun, RunStatus
from orchestration.runs import recompute
from orchestration.tasks import recompute_portfolio
from prioritization.models import PriorityAssessment
from tam_portal.celery import app


@dataclass
class Measurement:
    label: str
    traced: bool
    seconds: float
    python_peak_mb: float | None
    maxrss_mb: float
    run: RecomputeRun
    floor: FloorPass | None


def measure(
    label: str,
    *,
    traced: bool,
    as_of,
    chunk_size: int,
    floor: FloorPass | None = None,
    workers: list[subprocess.Popen] | None = None,
) -> Measurement:
    gc.collect()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    if workers:
        sent = recompute_portfolio.delay(
            as_of=as_of.isoformat(), trigger="bench", chunk_size=chunk_size
        )
        run = RecomputeRun.objects.get(pk=sent.get(timeout=3 * 3600)["run"])
    else:
        run = recompute(as_of=as_of, trigger="bench", chunk_size=chunk_size)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / MB if traced else None
    if traced:
        tracemalloc.stop()
    if run.status != RunStatus.SUCCEEDED:
        print(f"{label}: run ended {run.status}\n{run.error}", file=sys.stderr)
        sys.exit(1)
    result = Measurement(label, traced, seconds, peak, maxrss_mb(), run, floor)
    details = run.details or {}
    print(
        f"{label}{' [tracemalloc]' if traced else ''}: {seconds:.1f} s, "
        f"{run.accounts / seconds:,.0f} accounts/s, "
        + (f"Python peak {peak:.1f} MB, " if peak is not None else "")
        + f"maxrss {result.maxrss_mb:.0f} MB, chunks {details.get('chunks')}, "
        f"max queries/chunk {details.get('max_queries_per_chunk')}; "
        f"segments+priorities {details.get('segments_and_priorities_seconds')} s, "
        f"metrics {details.get('metrics_seconds')} s "
        f"({_parts(details.get('metrics_step_seconds'))}); "
        f"health {details.get('health_seconds')} s (the step's own time, summed over chunks: "
        f"CPU plus waits on PostgreSQL, see above; inside segments+priorities; "
        f"{details.get('health_bands_changed', 0):,} bands changed, "
        f"{details.get('health_history_written', 0):,} history rows); "
        f"accounts {run.accounts:,}, segments changed {run.segments_changed:,}, "
        f"priorities changed {run.priorities_changed:,}, "
        f"assessments created {run.assessments_created:,}, "
        f"updated {run.assessments_updated:,} (load {load()})",
        flush=True,
    )
    if workers:
        print_chunks_by_worker(label, details, workers)
    if floor is not None:
        print_ratios(label, seconds, details, floor)
    return result


def _parts(seconds: dict | None) -> str:
    """The metrics step's parts (`orchestration.runs.compute_metrics`)."""
    return ", ".join(f"{name} {value} s" for name, value in (seconds or {}).items()) or "-"


def print_chunks_by_worker(label: str, details: dict, workers: list[subprocess.Popen]) -> None:
    number = {process.pid: n for n, process in enumerate(workers, start=1)}
    done = {
        int(worker.rsplit(":", 1)[1]): count
        for worker, count in details.get("chunks_by_worker", {}).items()
    }
    print(
        f"{label}: chunks by worker: "
        + ", ".join(
            f"worker {number.get(pid, '?')} (pid {pid}) {count}" for pid, count in done.items()
        )
        + "; peak resident memory so far: "
        + ", ".join(
            f"worker {n} {peak_resident_mb(process.pid)}" for process, n in number_of(workers)
        ),
        flush=True,
    )


def number_of(workers: list[subprocess.Popen]):
    return ((process, n) for n, process in enumerate(workers, start=1))


def peak_resident_mb(pid: int) -> str:
    """The process's peak resident set size (Linux's VmHWM), the worker's whole life: with
    the solo pool the runs and chunks run in that process."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return f"{int(line.split()[1]) / 1024:.0f} MB"
    except OSError:
        pass
    return "unknown"


WORKER_COMMAND = [
    sys.executable, "-m", "celery", "-A", "tam_portal", "worker", "--pool=solo",
    "--concurrency=1", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
    "--without-heartbeat",
]  # fmt: skip


def start_workers(count: int) -> list[subprocess.Popen]:
    """`count` solo workers on bench/run's Redis, this process publishing to it; returns
    once all answer a ping."""
    broker = os.environ["TEST_REDIS_URL"]
    app.conf.update(broker_url=broker, result_backend=broker, task_always_eager=False)
    environment = {**os.environ, "CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": broker}
    # Each in its own process group (start_new_session), stopped whole at the end.
    workers = [
        subprocess.Popen(WORKER_COMMAND, env=environment, start_new_session=True)
        for _ in range(count)
    ]
    deadline = time.monotonic() + 120
    while len(app.control.ping(timeout=1)) < count:
        if time.monotonic() > deadline:
            stop_workers(workers)
            sys.exit(f"the {count} workers did not answer within 120 s")
    print(f"{count} workers up (pids {', '.join(str(w.pid) for w in workers)})", flush=True)
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for process in workers:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in workers:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def print_ratios(label: str, seconds: float, details: dict, floor: FloorPass) -> None:
    """The whole run and each phase the run times (details' `*_seconds`) against the floor."""
    phases = [("whole run", seconds)] + [
        (key.removesuffix("_seconds").replace("_", " "), value)
        for key, value in details.items()
        if key.endswith("_seconds") and isinstance(value, int | float)
    ]
    for phase, phase_seconds in phases:
        print(f"{label}: {phase} {phase_seconds:.1f} s = {floor.ratio(phase_seconds)}")
    sys.stdout.flush()


def invalidate() -> None:
    started = time.perf_counter()
    Account.objects.update(priority=None, priority_reasons="", segment=None)
    PriorityAssessment.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE accounts_account")
            cursor.execute("VACUUM ANALYZE prioritization_priorityassessment")
    print(
        f"cleared segments, priorities and assessments in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


def summary(measurements: list[Measurement]) -> None:
    header = (
        f"{'run':<34} {'wall s':>7} {'x floor':>7} {'acc/s':>8} {'py peak MB':>10} "
        f"{'maxrss MB':>9} {'chunks':>6} {'max q':>5} {'segments':>9} {'priorities':>10} "
        f"{'created':>9} {'updated':>9}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for item in measurements:
        run, details = item.run, item.run.details or {}
        label = item.label + (" [tracemalloc]" if item.traced else "")
        peak = f"{item.python_peak_mb:.1f}" if item.python_peak_mb is not None else "-"
        ratio = f"{item.seconds / item.floor.median:.1f}" if item.floor else "-"
        print(
            f"{label:<34} {item.seconds:>7.1f} {ratio:>7} {run.accounts / item.seconds:>8,.0f} "
            f"{peak:>10} {item.maxrss_mb:>9.0f} {details.get('chunks', '-'):>6} "
            f"{details.get('max_queries_per_chunk', '-'):>5} {run.segments_changed:>9,} "
            f"{run.priorities_changed:>10,} {run.assessments_created:>9,} "
            f"{run.assessments_updated:>9,}"
        )


def main(
    accounts: int,
    *,
    trace: bool,
    seed: int,
    chunk_size: int,
    floor_repeats: int,
    workers: int,
    accounts_per_tam: int = ACCOUNTS_PER_TAM,
) -> None:
    as_of = timezone.localdate()
    quarter = fiscal_quarter_of(as_of, settings.FISCAL_YEAR_START_MONTH)
    print(
        f"database: {connection.vendor}, as of {as_of} ({quarter.label}), "
        f"{accounts:,} accounts, chunk size {chunk_size:,}, load {load()}",
        flush=True,
    )
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    counts = build_portfolio(accounts, seed=seed, as_of=as_of, accounts_per_tam=accounts_per_tam)
    elapsed = time.perf_counter() - started
    print(
        f"built the portfolio in {elapsed:.1f} s ({accounts / elapsed:,.0f} accounts/s), "
        f"maxrss {maxrss_mb():.0f} MB: "
        + ", ".join(f"{name} {count:,}" for name, count in counts.items()),
        flush=True,
    )

    floor = measure_floor(as_of, floor_repeats)
    print(f"{floor.lines()}\nload {load()}", flush=True)

    processes = start_workers(workers) if workers else []
    try:
        untraced = {"traced": False, "as_of": as_of, "chunk_size": chunk_size, "workers": processes}
        measurements = [measure("1 first run (all change)", **untraced, floor=floor.all_change)]
        distribution()
        measurements.append(measure("2 second run (no change)", **untraced, floor=floor.no_change))
    finally:
        stop_workers(processes)
    if trace and not workers:
        measurements.append(measure("3 no change", traced=True, as_of=as_of, chunk_size=chunk_size))
        invalidate()
        measurements.append(
            measure("4 after clearing", traced=True, as_of=as_of, chunk_size=chunk_size)
        )
    summary(measurements)
    print(f"\nload average now: {load()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Time the recompute job on N accounts.")
    parser.add_argument("accounts", nargs="?", type=int, default=100_000)
    parser.add_argument(
        "--no-trace", action="store_true", help="skip the two runs under tracemalloc"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE)
    parser.add_argument(
        "--floor-repeat", type=int, default=REPEATS, help="times the floor statement is run"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="run through K Celery worker processes (0: in this process)",
    )
    parser.add_argument("--accounts-per-tam", type=int, default=ACCOUNTS_PER_TAM)
    arguments = parser.parse_args()
    main(
        arguments.accounts,
        trace=not arguments.no_trace,
        seed=arguments.seed,
        chunk_size=arguments.chunk_size,
        floor_repeats=arguments.floor_repeat,
        workers=arguments.workers,
        accounts_per_tam=arguments.accounts_per_tam,
    )
