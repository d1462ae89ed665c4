"""Time the admin's impact preview on a portfolio of N accounts.

Usage: python bench/preview.py [ACCOUNTS] [--repeat R] [--seed S] (default 100,000
accounts, 3 previews). Run it through `bench/run preview [ACCOUNTS]`, which provisions a
throwaway PostgreSQL.

Migrates, builds the portfolio (bench/build_portfolio.py) and runs `recompute()` once, as
the morning after a nightly run. Then previews an unsaved edit of the Named segment's ARR
threshold (lowered by a quarter, so thousands of accounts move) `--repeat` times and
prints the median and slowest wall time, and how many accounts and TAMs the preview
lists; alternated with the passes alone (what the preview cost when it gave only counts,
before issue 12), so both are measured under the same load. Nothing is written. DEBUG
is off, as in production.
"""

import argparse
import statistics
import time

from _setup import load, maxrss_mb  # sets Django up: must come before the rest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from bench.build_portfolio import build_portfolio
from orchestration.configuration import load_configuration
from orchestration.engine import Plan, run_passes
from orchestration.preview import preview_impact
from orchestration.runs import recompute
from segments.models import Segment


def main(accounts: int, *, repeat: int, seed: int) -> None:
    as_of = timezone.localdate()
    print(f"database: {connection.vendor}, {accounts:,} accounts, load {load()}", flush=True)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build_portfolio(accounts, seed=seed, as_of=as_of)
    print(f"built the portfolio in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    recompute(as_of=as_of, trigger="bench")
    print(f"recomputed in {time.perf_counter() - started:.0f} s", flush=True)

    named = Segment.objects.get(code="named")
    named.min_arr = named.min_arr * 3 / 4  # unsaved: the preview's candidate
    timings, passes_only = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        plan = Plan(
            load_configuration(segment=named), as_of, write=False,
            workers=settings.RECOMPUTE_WORKERS,
        )  # fmt: skip
        run_passes(plan)
        passes_only.append(time.perf_counter() - started)
        started = time.perf_counter()
        impact = preview_impact(segment=named, as_of=as_of)
        timings.append(time.perf_counter() - started)
    listed = getattr(impact, "moved_accounts", None)
    print(
        f"preview of Named at {named.min_arr:,.0f}: median {statistics.median(timings):.2f} s, "
        f"slowest {max(timings):.2f} s over {repeat}; {impact.segments_moving:,} accounts change "
        f"segment, {impact.priorities_moving:,} priority; the passes alone (counts only): "
        f"median {statistics.median(passes_only):.2f} s, slowest {max(passes_only):.2f} s"
        + (f"; {len(listed):,} accounts and {len(impact.tams):,} TAMs listed" if listed else ""),
        flush=True,
    )
    print(f"peak resident size {maxrss_mb():.0f} MB; load average now: {load()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Time the impact preview on N accounts.")
    parser.add_argument("accounts", nargs="?", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    main(arguments.accounts, repeat=arguments.repeat, seed=arguments.seed)
