"""Peak memory and time of importing a valid ~50 MB file (issue 11: under 400 MB).

Usage: python bench/import_memory.py [--mb 50] [--kind accounts|activities|all]
Run it through `bench/run import-memory`, which provisions a throwaway PostgreSQL.

Writes a valid file of about MB megabytes and imports it through the service the import
page and `import_data` call (`ingestion.service.import_folder_files`), each import in a
fresh child process that reports its own peak resident memory (`ru_maxrss`), its
baseline (Django set up, nothing imported yet) and the wall time:
- `accounts` (every import column, ~260 bytes a row): a first import (every account new)
  and a re-import of the same file (nothing changes, every account read and compared);
- `activities` (notes of about 100 characters, ~200 bytes a row) of those accounts: a
  first import.
The recompute an import announces is not run (it has its own benchmark, bench/run
recompute): the child disconnects the receiver.
"""

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

MB = 1024 * 1024
ACTIVITY_COLUMNS = (
    "external_id",
    "account_external_id",
    "kind",
    "occurred_on",
    "notes",
    "survey_kind",
    "nps",
)
HERE = Path(__file__).resolve()


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(kind: str, path: Path) -> None:
    """Import one file and print what it cost as one JSON line."""
    sys.path.insert(0, str(HERE.parent))
    import _setup  # noqa: F401  (sets Django up as the other benchmarks do)

    from core.changes import accounts_changed
    from ingestion.service import ImportFailed, import_folder_files

    accounts_changed.disconnect(dispatch_uid="recompute-changed")
    baseline = _maxrss_mb()
    started = time.perf_counter()
    try:
        (summary,) = import_folder_files([(kind, path)])
    except ImportFailed as failed:
        for _, problem in failed.problems[:10]:
            print(f"  {path.name}: {problem}", file=sys.stderr)
        sys.exit(f"{len(failed.problems):,} problem(s), nothing imported")
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "rows": summary.rows,
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "seconds": seconds,
                "baseline_mb": baseline,
                "peak_mb": _maxrss_mb(),
            }
        )
    )


def measure(label: str, kind: str, path: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, str(HERE), "--child", kind, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        sys.exit(f"{label}: the import failed\n{completed.stderr[-3000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result |= {"label": label, "size_mb": path.stat().st_size / MB}
    print(
        f"{label}: {result['size_mb']:.1f} MB, {result['rows']:,} rows in "
        f"{result['seconds']:.1f} s; peak RSS {result['peak_mb']:.0f} MB "
        f"(baseline {result['baseline_mb']:.0f} MB); created {result['created']:,}, "
        f"updated {result['updated']:,}, unchanged {result['unchanged']:,}",
        flush=True,
    )
    return result


def write_accounts(path: Path, megabytes: float) -> list[str]:
    from make_accounts_csv import COLUMNS, _row

    rng, today = random.Random(1), date.today()
    external_ids = []
    with path.open("w", newline="", encoding="utf-8") as output:
        writer = csv.writer(output, lineterminator="\n")
        writer.writerow(COLUMNS)
        index = 0
        while output.tell() < megabytes * MB:
            row = _row(index, rng, today)
            writer.writerow(row)
            external_ids.append(row[0])
            index += 1
    return external_ids


def write_activities(path: Path, megabytes: float, external_ids: list[str]) -> None:
    rng, today = random.Random(2), date.today()
    kinds = ("cadence_call", "ebr", "survey_response")
    with path.open("w", newline="", encoding="utf-8") as output:
        writer = csv.writer(output, lineterminator="\n")
        writer.writerow(ACTIVITY_COLUMNS)
        index = 0
        while output.tell() < megabytes * MB:
            kind = rng.choice(kinds)
            survey = kind == "survey_response"
            writer.writerow(
                [
                    f"BENCH-MEM-{index:09d}",
                    rng.choice(external_ids),
                    kind,
                    (today - timedelta(days=rng.randint(0, 700))).isoformat(),
                    f"Bench {kind.replace('_', ' ')}: " + "notes " * rng.randint(10, 20),
                    "renewal" if survey else "",
                    rng.randint(0, 10) if survey else "",
                ]
            )
            index += 1


def main(megabytes: float, kind: str) -> None:
    sys.path.insert(0, str(HERE.parent))
    from _setup import load
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}, load {load()}", flush=True)
    connection.close()
    results = []
    with tempfile.TemporaryDirectory() as directory:
        accounts = Path(directory) / "accounts.csv"
        started = time.perf_counter()
        external_ids = write_accounts(accounts, megabytes)
        print(f"wrote {accounts.name} in {time.perf_counter() - started:.1f} s", flush=True)
        results.append(measure("accounts: first import", "accounts", accounts))
        if kind in ("accounts", "all"):
            results.append(measure("accounts: re-import (no change)", "accounts", accounts))
        if kind in ("activities", "all"):
            activities = Path(directory) / "activities.csv"
            write_activities(activities, megabytes, external_ids)
            results.append(measure("activities: first import", "activities", activities))
    width = max(len(result["label"]) for result in results)
    print(f"\n{'import':<{width}} {'MB':>6} {'rows':>9} {'s':>7} {'peak RSS MB':>12}")
    for result in results:
        print(
            f"{result['label']:<{width}} {result['size_mb']:>6.1f} {result['rows']:>9,} "
            f"{result['seconds']:>7.1f} {result['peak_mb']:>12.0f}"
        )
    print(f"\nload average now: {load()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Peak memory of importing a large file.")
    parser.add_argument("--mb", type=float, default=50, help="file size in MB (default 50)")
    parser.add_argument("--kind", choices=("accounts", "activities", "all"), default="all")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tam_portal.settings")
    if arguments.child:
        child(arguments.child[0], Path(arguments.child[1]))
    else:
        if arguments.mb <= 0:
            sys.exit("--mb must be positive")
        import _setup  # noqa: F401

        main(arguments.mb, arguments.kind)
