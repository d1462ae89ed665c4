"""Time the floor statement (bench/floor.py) on a synthetic portfolio of N accounts.

Usage: python bench/measure_floor.py [ACCOUNTS] [--repeat R] [--seed S] (default 100,000
accounts, 5 repeats); through `bench/run floor [ACCOUNTS]`, which provisions a throwaway
PostgreSQL. Builds the portfolio as bench/recompute.py does (same seed, same data), then
prints, for each pass (all change, no change), the median, min and max of the repeats.
"""

import argparse
import time

from _setup import load  # sets Django up: must come before the rest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from bench.build_portfolio import build_portfolio
from bench.floor import REPEATS, measure_floor


def main(accounts: int, *, repeats: int, seed: int) -> None:
    as_of = timezone.localdate()
    print(
        f"database: {connection.vendor}, as of {as_of}, {accounts:,} accounts, load {load()}",
        flush=True,
    )
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build_portfolio(accounts, seed=seed, as_of=as_of)
    print(f"built the portfolio in {time.perf_counter() - started:.1f} s", flush=True)
    print(f"{measure_floor(as_of, repeats).lines()}\nload {load()}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Time the floor statement on N accounts.")
    parser.add_argument("accounts", nargs="?", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=REPEATS)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    main(arguments.accounts, repeats=arguments.repeat, seed=arguments.seed)
