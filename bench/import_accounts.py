"""Time import_accounts on N synthetic rows: a first import, then the same file again.

Run through `bench/run import [ROWS]`, which provisions a throwaway PostgreSQL.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tam_portal.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import Account  # noqa: E402
from bench.make_accounts_csv import write_csv  # noqa: E402


def main(rows: int) -> None:
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "accounts.csv"
        started = time.perf_counter()
        write_csv(rows, path)
        print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s")
        for label in ("first import (all new)", "re-import (nothing changes)"):
            started = time.perf_counter()
            # The recompute an import triggers has its own benchmark (bench/run recompute).
            call_command("import_accounts", str(path), "--no-recompute")
            elapsed = time.perf_counter() - started
            print(f"{label}: {elapsed:.1f} s, {rows / elapsed:,.0f} rows/s")
    print(f"database: {connection.vendor}, accounts now: {Account.objects.count():,}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
