"""Time `import_data` on 100,000 activities and 100,000 usage rows (DESIGN 10).

Usage: python bench/ingest.py [ACCOUNTS] [--rows R] [--trace] [--seed S]
(also: `POST /api/v1/activities/bulk/` with 5,000 new activities, median of 10 requests)
(default 100,000 accounts and 100,000 rows per file). Run it through
`bench/run ingest [ACCOUNTS]`, which provisions a throwaway PostgreSQL.

Migrates, builds an ACCOUNTS-account portfolio (bench/build_portfolio.py, no history),
writes two CSV files in the import format:
- `activities.csv`: R activities of existing accounts, each with its `external_id`, a mix
  of cadence calls, EBRs, survey responses (with NPS) and onboarding milestones (never
  before the customer's start, which the import refuses), logged by the account's TAM;
- `usage.csv`: R usage snapshots of existing accounts, one a week per account going back
  from today (so with as many accounts as rows, one each);
then imports each file twice through the service the command calls
(`ingestion.service.import_folder_files`): a first import (every record new) and a
re-import (nothing changes). Each prints wall time, rows/s and the process's maxrss; with
--trace a further pass of each runs under tracemalloc (which slows Python several times)
for the peak Python memory.

The recompute an import announces (one debounced task) is not timed: the receiver is
disconnected and the announced accounts only counted; the recompute has its own
benchmark (bench/run recompute).
"""

import argparse
import csv
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
import warnings
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

# The API is called through Django's test client, whose host must be allowed.
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

from _setup import MB, load, maxrss_mb  # sets Django up: must come before the rest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Account, Activity, UsageSnapshot
from api.models import IntegrationKey
from bench.build_portfolio import build_portfolio
from core.changes import accounts_changed
from ingestion.service import ImportFailed, import_folder_files

ACTIVITY_COLUMNS = (
    "external_id",
    "account_external_id",
    "kind",
    "occurred_on",
    "logged_by_email",
    "notes",
    "milestone",
    "survey_kind",
    "nps",
    "csat",
)
USAGE_COLUMNS = ("account_external_id", "taken_on", "licensed_users", "active_users")
# The activities' mix: cadence calls are most of a timeline.
KIND_WEIGHTS = {"cadence_call": 55, "ebr": 15, "survey_response": 15, "onboarding_milestone": 15}
MILESTONES = ("first_engaged", "first_value", "onboarded")


@dataclass
class Measurement:
    label: str
    rows: int
    seconds: float
    python_peak_mb: float | None
    maxrss_mb: float
    created: int
    updated: int
    unchanged: int
    announced: int


def write_activities(path: Path, accounts: list[tuple], rows: int, rng, today) -> None:
    kinds = list(KIND_WEIGHTS)
    weights = list(KIND_WEIGHTS.values())
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(ACTIVITY_COLUMNS)
        for index in range(rows):
            external_id, tam_email, customer_since = accounts[rng.randrange(len(accounts))]
            kind = rng.choices(kinds, weights)[0]
            detail = {"milestone": "", "survey_kind": "", "nps": "", "csat": ""}
            occurred_on = today - timedelta(days=rng.randint(0, 540))
            if kind == "onboarding_milestone":
                detail["milestone"] = rng.choice(MILESTONES)
                # As on the page, a milestone before the customer's start is refused.
                if customer_since and occurred_on < customer_since:
                    occurred_on = customer_since + (today - customer_since) * rng.random()
            elif kind == "survey_response":
                detail.update(
                    survey_kind=rng.choice(("onboarding", "six_month", "renewal")),
                    nps=rng.randint(0, 10),
                    csat=rng.randint(1, 5),
                )
            writer.writerow(
                [
                    f"BENCH-ACT-{index:09d}",
                    external_id,
                    kind,
                    occurred_on.isoformat(),
                    tam_email or "",
                    f"Bench {kind.replace('_', ' ')}",
                    detail["milestone"],
                    detail["survey_kind"],
                    detail["nps"],
                    detail["csat"],
                ]
            )


def write_usage(path: Path, accounts: list[tuple], rows: int, rng, today) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(USAGE_COLUMNS)
        for index in range(rows):
            external_id = accounts[index % len(accounts)][0]
            taken_on = today - timedelta(weeks=index // len(accounts))
            licensed = rng.randint(10, 5000)
            writer.writerow([external_id, taken_on.isoformat(), licensed, rng.randint(0, licensed)])


def measure(label: str, kind: str, path: Path, *, traced: bool) -> Measurement:
    announced: list[int] = []

    def count(sender, *, account_ids, **kwargs):
        announced.extend(account_ids)

    accounts_changed.connect(count, dispatch_uid="bench-ingest-count")
    gc.collect()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        (summary,) = import_folder_files([(kind, path)])
    except ImportFailed as failed:
        for _, problem in failed.problems[:10]:
            print(f"  {path.name}: {problem}", file=sys.stderr)
        sys.exit(f"{label}: {len(failed.problems):,} problem(s), nothing imported")
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / MB if traced else None
    if traced:
        tracemalloc.stop()
    accounts_changed.disconnect(dispatch_uid="bench-ingest-count")
    result = Measurement(
        label + (" [tracemalloc]" if traced else ""),
        summary.rows,
        seconds,
        peak,
        maxrss_mb(),
        summary.created,
        summary.updated,
        summary.unchanged,
        len(announced),
    )
    print(
        f"{result.label}: {seconds:.1f} s, {summary.rows / seconds:,.0f} rows/s, "
        + (f"Python peak {peak:.1f} MB, " if peak is not None else "")
        + f"maxrss {result.maxrss_mb:.0f} MB; created {summary.created:,}, "
        f"updated {summary.updated:,}, unchanged {summary.unchanged:,}, "
        f"accounts announced {len(announced):,} (load {load()})",
        flush=True,
    )
    return result


def summary(measurements: list[Measurement]) -> None:
    header = (
        f"{'import':<40} {'wall s':>7} {'rows/s':>8} {'py peak MB':>10} {'maxrss MB':>9} "
        f"{'created':>8} {'updated':>8} {'unchanged':>9} {'announced':>9}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for item in measurements:
        peak = f"{item.python_peak_mb:.1f}" if item.python_peak_mb is not None else "-"
        print(
            f"{item.label:<40} {item.seconds:>7.1f} {item.rows / item.seconds:>8,.0f} "
            f"{peak:>10} {item.maxrss_mb:>9.0f} {item.created:>8,} {item.updated:>8,} "
            f"{item.unchanged:>9,} {item.announced:>9,}"
        )


API_BATCH = 5000
API_REQUESTS = 10


def time_bulk_posts(activities_csv: Path) -> list[float]:
    """`POST /api/v1/activities/bulk/` with 5,000 new records, API_REQUESTS times (each
    batch its own records, so every request creates 5,000), through the whole middleware
    stack with an integration key; returns each request's seconds."""
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # whitenoise's root
    key = IntegrationKey(name="bench", can_read=True, can_write=True)
    token = key.issue()
    key.save()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    with activities_csv.open(newline="", encoding="utf-8") as stream:
        template = list(csv.DictReader(stream))[:API_BATCH]
    seconds = []
    for batch in range(API_REQUESTS):
        records = [
            {**row, "external_id": f"BENCH-API-{batch:02d}-{index:05d}"}
            for index, row in enumerate(template)
        ]
        body = json.dumps(records)
        started = time.perf_counter()
        response = client.post("/api/v1/activities/bulk/", body, content_type="application/json")
        seconds.append(time.perf_counter() - started)
        if response.status_code != 200:
            sys.exit(f"bulk POST answered {response.status_code}: {response.content[:500]!r}")
    return seconds


def main(accounts: int, *, rows: int, trace: bool, seed: int) -> None:
    today = timezone.localdate()
    print(
        f"database: {connection.vendor}, {accounts:,} accounts, {rows:,} rows per file, "
        f"load {load()}",
        flush=True,
    )
    call_command("migrate", verbosity=0)
    # The recompute an import announces is benchmarked on its own (bench/run recompute).
    accounts_changed.disconnect(dispatch_uid="recompute-changed")
    started = time.perf_counter()
    counts = build_portfolio(accounts, seed=seed, as_of=today)
    print(
        f"built the portfolio in {time.perf_counter() - started:.1f} s, "
        f"maxrss {maxrss_mb():.0f} MB: "
        + ", ".join(f"{name} {count:,}" for name, count in counts.items()),
        flush=True,
    )
    rng = random.Random(seed)
    owners = list(
        Account.objects.order_by("pk").values_list("external_id", "tam__email", "customer_since")
    )
    measurements = []
    with tempfile.TemporaryDirectory() as directory:
        for kind, write in (("activities", write_activities), ("usage", write_usage)):
            path = Path(directory) / f"{kind}.csv"
            started = time.perf_counter()
            write(path, owners, rows, rng, today)
            print(
                f"wrote {path.name} ({rows:,} rows, {path.stat().st_size / MB:.1f} MB) "
                f"in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            measurements.append(measure(f"{kind}: first import", kind, path, traced=False))
            measurements.append(measure(f"{kind}: re-import (no change)", kind, path, traced=False))
            if trace:
                measurements.append(measure(f"{kind}: re-import", kind, path, traced=True))
            if kind == "activities":
                posts = time_bulk_posts(path)
                print(
                    f"POST activities/bulk/ with {API_BATCH:,} new records, {API_REQUESTS} "
                    f"requests: median {statistics.median(posts):.2f} s, "
                    f"min {min(posts):.2f} s, max {max(posts):.2f} s",
                    flush=True,
                )
    print(
        f"activities now {Activity.objects.count():,}, "
        f"usage snapshots now {UsageSnapshot.objects.count():,}"
    )
    summary(measurements)
    print(f"\nload average now: {load()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Time import_data on activities and usage.")
    parser.add_argument("accounts", nargs="?", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=100_000, help="rows per file")
    parser.add_argument(
        "--trace", action="store_true", help="also a re-import of each under tracemalloc"
    )
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    if arguments.accounts < 1 or arguments.rows < 1:
        sys.exit("ACCOUNTS and --rows must be positive")
    main(arguments.accounts, rows=arguments.rows, trace=arguments.trace, seed=arguments.seed)
