"""Time the pages people open every day on a portfolio of N accounts.

Usage: python bench/pages.py [ACCOUNTS] [--repeat R] [--seed S] [--jit] (default 100,000
accounts, 20 requests per page; `--jit` turns PostgreSQL's JIT compilation back on for
the run's connections, which the settings turn off, to compare). Run it through
`bench/run pages [ACCOUNTS]`, which provisions a throwaway PostgreSQL.

Migrates, builds the portfolio with its history (bench/build_portfolio.py,
`activities=True`) and runs `recompute()` once, so segments, priorities, assessments and
the quarter's metrics exist as they would the morning after a nightly run. Then, for a
TAM, the TAM's manager and an admin, it requests each page `--repeat` times through
Django's test client (the whole middleware stack and template rendering, no network) and
prints the median and the slowest server time and the number of SQL queries. The first
request of each page warms caches and is not counted.

Targets (issue 5): the book under 150 ms, the dashboard under 500 ms, at 100,000 accounts;
(issue 12) Today under 100 ms; (issue 13) the account page under 100 ms with a year of
health history (the measured account gets a row a day for 365 days); (issue 14) the
manager's dashboard under 100 ms, the admin's first team under 150 ms.
DEBUG is off, as in production.
"""

import argparse
import os
import statistics
import time
import warnings
from datetime import timedelta

# The test client calls itself "testserver"; production-like DEBUG=false needs it allowed.
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

from _setup import load  # sets Django up: must come before the rest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from bench.build_portfolio import build_portfolio
from health.explanation import measures_as_json
from health.models import HealthHistory
from health.scorecard import DEFAULT_SCORECARD, HealthInputs, SentimentReading, score_health
from orchestration.runs import recompute
from people.models import Role, User


def time_page(client: Client, url: str, repeat: int) -> tuple[float, float, int, int]:
    """Median ms, slowest ms, queries of the last request, response bytes."""
    client.get(url)  # warm-up: template loading, first-use caches
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return statistics.median(timings), max(timings), len(queries), len(body)


def give_a_year_of_health_history(account: Account, as_of) -> None:
    """A history row a day for the last 365 days (the most the recompute writes: one a
    day, on change), the sentiment alternating so every row's measures differ."""
    HealthHistory.objects.filter(account=account).delete()
    rows = []
    for days_ago in range(365):
        day = as_of - timedelta(days=days_ago)
        band = ("green", "yellow", "red")[days_ago % 3]
        result = score_health(
            DEFAULT_SCORECARD, HealthInputs(today=day, sentiment=SentimentReading(band, day))
        )
        rows.append(
            HealthHistory(
                account=account,
                on=day,
                score=result.score,
                band=result.band.value,
                measures=measures_as_json(result),
            )
        )
    HealthHistory.objects.bulk_create(rows)


def pick_users() -> dict[str, User]:
    """The TAM with the biggest book, that TAM's manager, and an admin."""
    busiest = (
        Account.objects.exclude(tam=None)
        .values("tam")
        .annotate(accounts=Count("id"))
        .order_by("-accounts")
        .first()
    )
    tam = User.objects.select_related("team__manager").get(pk=busiest["tam"])
    admin = User.objects.filter(role=Role.ADMIN).first() or User.objects.create_user(
        "bench-admin", role=Role.ADMIN, is_staff=True, is_superuser=True
    )
    return {"tam": tam, "manager": tam.team.manager, "admin": admin}


def main(accounts: int, *, repeat: int, seed: int, jit: bool = False) -> None:
    # A deployment serves hashed static files collected beforehand; the benchmark has not
    # collected them, and the lookup of a file name is not what it measures.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # whitenoise's root
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    as_of = timezone.localdate()
    if jit and connection.vendor == "postgresql":
        # Before the first connection: every one the run opens (workers too) reads this.
        connection.settings_dict["OPTIONS"]["options"] = "-c jit=on"
    print(f"database: {connection.vendor}, {accounts:,} accounts, load {load()}", flush=True)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build_portfolio(accounts, seed=seed, as_of=as_of, activities=True)
    print(f"built the portfolio in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    recompute(as_of=as_of, trigger="bench")
    print(f"recomputed in {time.perf_counter() - started:.0f} s", flush=True)

    users = pick_users()
    tam = users["tam"]
    some_account = Account.objects.filter(tam=tam).order_by("id").first()
    give_a_year_of_health_history(some_account, as_of)
    book_size = Account.objects.filter(tam=tam).count()
    team_size = Account.objects.filter(tam__team=tam.team).count()
    print(
        f"TAM {tam.username}: {book_size} accounts; "
        f"manager {users['manager'].username}: {team_size} accounts in the team",
        flush=True,
    )
    renewal = "renewal_survey"
    company_list = reverse("dashboard:burn_down_list", args=[renewal]) + "?scope=company"
    pages = [
        ("tam", "today", reverse("today")),
        ("tam", "book", reverse("book")),
        ("tam", "book, sorted by ARR", reverse("book") + "?sort=-arr"),
        ("tam", "book CSV export", reverse("book_export")),
        ("tam", "account page", reverse("account_detail", args=[some_account.pk])),
        ("manager", "today (team)", reverse("today")),
        ("manager", "book (team)", reverse("book")),
        ("manager", "dashboard", reverse("dashboard:index")),
        ("manager", "renewal-survey list", reverse("dashboard:burn_down_list", args=[renewal])),
        ("admin", "book (all accounts)", reverse("book")),
        ("admin", "dashboard (first team)", reverse("dashboard:index")),
        ("admin", "dashboard (company)", reverse("dashboard:index") + "?scope=company"),
        ("admin", "renewal list (company)", company_list),
    ]
    header = f"{'user':<8} {'page':<24} {'median ms':>9} {'max ms':>8} {'queries':>7} {'KB':>6}"
    print("\n" + header + "\n" + "-" * len(header))
    clients = {}
    for role, label, url in pages:
        if role not in clients:
            clients[role] = Client()
            clients[role].force_login(users[role])
        median, slowest, queries, size = time_page(clients[role], url, repeat)
        print(
            f"{role:<8} {label:<24} {median:>9.1f} {slowest:>8.1f} {queries:>7} "
            f"{size / 1024:>6.0f}",
            flush=True,
        )
    print(f"\nload average now: {load()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Time the main pages on N accounts.")
    parser.add_argument("accounts", nargs="?", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jit", action="store_true", help="PostgreSQL JIT on, to compare")
    arguments = parser.parse_args()
    main(arguments.accounts, repeat=arguments.repeat, seed=arguments.seed, jit=arguments.jit)
