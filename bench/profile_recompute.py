"""Profile the recompute's two passes (segments and priorities, health inside) on N accounts.

Usage: python bench/profile_recompute.py [ACCOUNTS] [--profile] [--top T] [--sql]
[--repeat R] [--no-gc | --freeze] [--seed S] [--build-only | --built] (default 20,000
accounts), against a throwaway PostgreSQL started as bench/run starts one:
`. scripts/_common.sh; . scripts/_services.sh; start_services`.

Builds the benchmark's portfolio (bench/build_portfolio.py), then runs the passes on one
thread, so that cProfile sees every chunk: a first run where everything changes, then R
second runs where nothing does. For each: the rank and decide passes' wall time and this
process's CPU time (the Python side; PostgreSQL's is not in it, and on a busy machine
the CPU time is the steadier figure); with `--sql` the statements' time by kind; with
`--profile` the top functions by own and by cumulative time; with `--no-gc` the cyclic
garbage collector is off (what it costs); with `--freeze` what lives before a run
(Django, the modules) is kept out of its collections (`gc.freeze()`, undone after the
run). Last, a digest of what the runs wrote (accounts' decided columns, assessments,
health history), so that two versions of the code can be compared on the same seed.
"""

import argparse
import cProfile
import gc
import hashlib
import io
import pstats
import re
import time
from collections import Counter
from contextlib import contextmanager, nullcontext

from _setup import load  # sets Django up: must come before the rest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import Account
from bench.build_portfolio import build_portfolio
from health.models import HealthHistory
from orchestration.configuration import load_configuration
from orchestration.engine import Plan, decide_portfolio, rank_portfolio
from prioritization.models import PriorityAssessment


class StatementTimes:
    """Seconds and count per kind of statement (its first words), for `--sql`.

    COPY and COMMIT do not pass through Django's execute wrappers, so `timing_copies_and_
    commits` times them too: a COMMIT runs the deferred foreign key checks of everything
    the chunk inserted or repointed, which is where a first run's time hides otherwise."""

    def __init__(self):
        self.seconds, self.count = Counter(), Counter()

    def add(self, kind: str, seconds: float) -> None:
        self.seconds[kind] += seconds
        self.count[kind] += 1

    @contextmanager
    def timing_copies_and_commits(self):
        """Wrap the connection's commit and its cursors' copy_expert while the run lasts
        (the profile runs on one thread, so this connection is the only one)."""
        commit = connection._commit

        def timed_commit():
            started = time.perf_counter()
            try:
                return commit()
            finally:
                self.add("COMMIT (deferred foreign key checks)", time.perf_counter() - started)

        def timed_copy(cursor, sql, file, *args):
            started = time.perf_counter()
            try:
                return cursor.cursor.copy_expert(sql, file, *args)
            finally:
                self.add(re.sub(r"\s+", " ", sql)[:70], time.perf_counter() - started)

        wrapper = type(connection.cursor())
        connection._commit = timed_commit
        wrapper.copy_expert = timed_copy
        try:
            yield
        finally:
            del connection._commit, wrapper.copy_expert

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = re.sub(r"\s+", " ", sql)[:70]
            self.seconds[kind] += time.perf_counter() - started
            self.count[kind] += 1

    def lines(self) -> str:
        return "\n".join(
            f"  {seconds:6.2f} s {self.count[kind]:5} x {kind}"
            for kind, seconds in self.seconds.most_common(14)
        )


def run_once(
    label: str, as_of, *, profile: bool, top: int, sql: bool = False, freeze: bool = False
) -> None:
    plan = Plan(load_configuration(), as_of, write=True, workers=1)
    gc.collect()
    if freeze:
        gc.freeze()
    statements = StatementTimes()
    if sql:
        connection.execute_wrappers.append(statements)
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    timing = statements.timing_copies_and_commits() if sql else nullcontext()
    with timing:
        cpu_started, started = time.process_time(), time.perf_counter()
        context, _ = rank_portfolio(plan)
        cpu_ranked, ranked = time.process_time(), time.perf_counter()
        result = decide_portfolio(plan, context)
        cpu_done, done = time.process_time(), time.perf_counter()
    if profiler:
        profiler.disable()
    if sql:
        connection.execute_wrappers.remove(statements)
    if freeze:
        gc.unfreeze()
    print(
        f"{label}: rank {ranked - started:.2f} s (cpu {cpu_ranked - cpu_started:.2f}), "
        f"decide {done - ranked:.2f} s (cpu {cpu_done - cpu_ranked:.2f}, health "
        f"{result.health_seconds:.2f} s inside), total {done - started:.2f} s; "
        f"segments changed {result.segments_changed:,}, priorities changed "
        f"{result.priorities_changed:,}, assessments created {result.assessments_created:,}, "
        f"updated {result.assessments_updated:,}, failures {len(result.failures)} "
        f"(load {load()})",
        flush=True,
    )
    if sql:
        print(statements.lines(), flush=True)
    if profiler:
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
            print(out.getvalue(), flush=True)


def digest() -> str:
    """One hash over everything the passes write, for comparing two versions of the code."""
    hashed = hashlib.sha256()
    for queryset in (
        Account.objects.order_by("id").values_list(
            "id", "segment_id", "priority", "priority_reasons", "previous_priority",
            "priority_changed_on", "health", "health_score",
        ),
        PriorityAssessment.objects.order_by("account_id", "fiscal_quarter").values_list(
            "account_id", "fiscal_quarter", "computed_priority", "reasons",
            "effective_priority", "source", "decided_by_id",
        ),
        HealthHistory.objects.order_by("account_id", "on").values_list(
            "account_id", "on", "band", "score", "measures"
        ),
    ):  # fmt: skip
        for row in queryset.iterator(chunk_size=10_000):
            hashed.update(repr(row).encode())
    return hashed.hexdigest()


def main(
    accounts: int,
    *,
    seed: int,
    profile: bool,
    top: int,
    repeat: int,
    sql: bool,
    freeze: bool,
    built: bool = False,
    build_only: bool = False,
) -> None:
    as_of = timezone.localdate()
    call_command("migrate", verbosity=0)
    if not built:
        build_portfolio(accounts, seed=seed, as_of=as_of)
    if build_only:
        return
    print(f"{accounts:,} accounts, workers 1, debug {settings.DEBUG}, load {load()}", flush=True)
    run_once("first run (all change)", as_of, profile=profile, top=top, sql=sql, freeze=freeze)
    for _ in range(repeat):
        run_once("second run (no change)", as_of, profile=profile, top=top, sql=sql, freeze=freeze)
    print(f"digest {digest()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Profile the recompute's passes on N accounts.")
    parser.add_argument("accounts", nargs="?", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--repeat", type=int, default=1, help="second runs, one after another")
    parser.add_argument("--sql", action="store_true", help="time the statements by kind")
    parser.add_argument(
        "--freeze", action="store_true", help="gc.freeze() what lives before each run"
    )
    parser.add_argument(
        "--build-only", action="store_true", help="build the portfolio, run nothing"
    )
    parser.add_argument(
        "--built",
        action="store_true",
        help="the database holds the portfolio already (a copy of a --build-only one: "
        "`createdb -T`), so that comparisons skip the build and start from the same pages",
    )
    parser.add_argument("--no-gc", action="store_true", help="runs with the cyclic GC off")
    arguments = parser.parse_args()
    if arguments.no_gc:
        gc.disable()
    main(
        arguments.accounts,
        seed=arguments.seed,
        profile=arguments.profile,
        top=arguments.top,
        repeat=arguments.repeat,
        sql=arguments.sql,
        freeze=arguments.freeze,
        built=arguments.built,
        build_only=arguments.build_only,
    )
