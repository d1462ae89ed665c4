"""Time the health scorecard's impact preview on a portfolio of N accounts.

Usage: python bench/health_preview.py [ACCOUNTS] [--repeat R] [--seed S] (default
100,000 accounts, 3 previews). Run it through `bench/run health-preview [ACCOUNTS]`,
which provisions a throwaway PostgreSQL.

Migrates, builds the portfolio with its history (bench/build_portfolio.py with
activities: usage snapshots, surveys, cadence calls and dated sentiment, what the health
score reads) and runs `recompute()` once, as the morning after a nightly run. Then
previews two unsaved edits of the default scorecard (every account without a scorecard
of its own: all of them here), `--repeat` times each, and prints the median and slowest
wall time and how many accounts move: the green cut-off raised from 75 to 80, and the
TAM sentiment's weight lowered from 50 to 30; and times the reading of every account's
inputs alone (`read_health_inputs` in the preview's chunks), the part of the preview
that is not scoring. Nothing is written. DEBUG is off, as in production.
"""

import argparse
import statistics
import time

from _setup import load, maxrss_mb  # sets Django up: must come before the rest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import Account
from bench.build_portfolio import build_portfolio
from core.bulk import CHUNK_SIZE
from health.inputs import read_health_inputs
from health.models import HealthScorecard
from health.selectors import band_spread, describe_spread
from orchestration.health_preview import preview_health_impact
from orchestration.runs import recompute

EDITS = {
    "green from 80": {"band_green_from": 80},
    "sentiment weight 30": {"tam_sentiment_weight": 30},
}


def main(accounts: int, *, repeat: int, seed: int) -> None:
    as_of = timezone.localdate()
    print(f"database: {connection.vendor}, {accounts:,} accounts, load {load()}", flush=True)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build_portfolio(accounts, seed=seed, as_of=as_of, activities=True)
    print(f"built the portfolio in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    recompute(as_of=as_of, trigger="bench")
    print(f"recomputed in {time.perf_counter() - started:.0f} s", flush=True)

    for label, changes in EDITS.items():
        scorecard = HealthScorecard.objects.get(segment=None)
        for name, value in changes.items():
            setattr(scorecard, name, value)  # unsaved: the preview's candidate
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            impact = preview_health_impact(scorecard, today=as_of)
            timings.append(time.perf_counter() - started)
        moves = ", ".join(f"{before} -> {after} {count:,}" for before, after, count in impact.moves)
        print(
            f"preview of {label}: median {statistics.median(timings):.2f} s, slowest "
            f"{max(timings):.2f} s over {repeat}; {impact.accounts:,} accounts scored, "
            f"{impact.accounts_moving:,} move ({moves or 'none'})",
            flush=True,
        )
    ids = list(Account.objects.order_by("id").values_list("id", flat=True))
    started = time.perf_counter()
    for start in range(0, len(ids), CHUNK_SIZE):
        read_health_inputs(ids[start : start + CHUNK_SIZE], as_of)
    print(f"reading the inputs alone: {time.perf_counter() - started:.2f} s", flush=True)
    print(f"health: {describe_spread(band_spread())}")
    print(f"peak resident size {maxrss_mb():.0f} MB; load average now: {load()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Time the health impact preview on N accounts.")
    parser.add_argument("accounts", nargs="?", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    main(arguments.accounts, repeat=arguments.repeat, seed=arguments.seed)
