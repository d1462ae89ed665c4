"""The start every benchmark script shares: Django set up as in production, and gauges.

DEBUG is off: with it on Django keeps the SQL of the last 9,000 queries, thousands of
values each, which would swamp the memory figures. Imported first by the scripts.
"""

import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tam_portal.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
# The benchmarks talk plain HTTP on loopback (or through the test client); in production
# a TLS proxy stands in front and the redirect stays on.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

import django

django.setup()

MB = 1024 * 1024


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def distribution() -> None:
    """What the recompute decided: accounts per segment and per priority."""
    from django.db.models import Count

    from accounts.models import Account

    segments = Account.objects.values_list("segment__code").annotate(n=Count("id"))
    priorities = Account.objects.values_list("priority").annotate(n=Count("id"))
    print(
        "  segments: "
        + ", ".join(f"{code or 'none'} {n:,}" for code, n in sorted(segments, key=str))
        + "\n  priorities: "
        + ", ".join(f"Pr{priority} {n:,}" for priority, n in sorted(priorities, key=str)),
        flush=True,
    )
