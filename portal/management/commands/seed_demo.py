"""`python manage.py seed_demo`: fill an empty database with the demo portfolio (DESIGN 9)."""

import argparse
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Account
from demo import (
    DEFAULT_ACCOUNTS,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    HISTORY_QUARTERS,
    DemoDataConflict,
    DemoSummary,
    build_demo_portfolio,
    demo_logins,
    existing_logins,
)
from demo.health_history import write_health_history
from health.selectors import band_spread, describe_spread
from lib.fiscal import last_quarters
from metrics.compute import compute_quarter
from orchestration.runs import recompute

FRESH_DATABASE_HINT = (
    "To start over, delete db.sqlite3 (or point DATABASE_URL at a fresh database), "
    "run `python manage.py migrate`, then seed_demo again."
)


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _iso_date(value: str | date) -> date:
    # call_command(as_of="2026-11-15") skips the parser's type conversion: accept both.
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from error


class Command(BaseCommand):
    help = (
        "Seed a realistic, reproducible demo portfolio (teams, TAMs, accounts and their "
        "history) into an empty database and print the demo logins. Refuses to touch a "
        "database that already has accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--accounts", type=_positive_int, default=DEFAULT_ACCOUNTS, help="default 3000"
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="same seed, same data (default 42)"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but print the logins) when accounts already exist",
        )
        parser.add_argument(
            "--as-of",
            type=_iso_date,
            default=None,
            metavar="YYYY-MM-DD",
            help="the day the data is current as of (default today); dates are relative to it",
        )

    def handle(self, *args, **options):
        if Account.objects.exists():
            if not options["if_empty"]:
                raise CommandError(
                    "The database already has accounts; seed_demo only fills an empty "
                    f"database and never wipes data. {FRESH_DATABASE_HINT}"
                )
            self.stdout.write("Accounts already exist: demo data not seeded.")
            self._write_logins()
            return
        as_of = _iso_date(options["as_of"]) if options["as_of"] else timezone.localdate()
        try:
            summary = build_demo_portfolio(
                accounts=options["accounts"], seed=options["seed"], as_of=as_of
            )
        except DemoDataConflict as error:
            raise CommandError(f"Cannot seed the demo: {error}. {FRESH_DATABASE_HINT}") from error
        self._write_summary(summary)
        # The previous quarter's assessments first, so the dashboard's movement matrix and
        # the account pages' history have a quarter to compare with; that quarter has
        # ended, so this run only adds its assessments and leaves the accounts alone.
        previous = last_quarters(as_of, 2, settings.FISCAL_YEAR_START_MONTH)[0]
        recompute(as_of=previous.end, trigger="seed_demo")
        run = recompute(as_of=as_of, trigger="seed_demo")
        self.stdout.write(
            f"  segments and priorities computed for {run.accounts} accounts ({run.status})"
        )
        self.stdout.write(f"  health: {describe_spread(band_spread())}")
        # After the run: the past days are scored with the segments and priorities it set.
        history = write_health_history(as_of)
        self.stdout.write(f"  health history: {history:,} rows over the last year")
        self._compute_trend(as_of)
        self._write_logins()

    def _compute_trend(self, as_of: date) -> None:
        """The lifecycle metrics of the demo's earlier quarters, oldest first, then the
        current one again: the recompute only does the current quarter, whose
        quarter-on-quarter comparisons need the previous one's values."""
        quarters = last_quarters(as_of, HISTORY_QUARTERS, settings.FISCAL_YEAR_START_MONTH)
        for quarter in quarters:
            compute_quarter(quarter, today=as_of)
        self.stdout.write(
            f"  lifecycle metrics computed for {quarters[0].label} to {quarters[-1].label} "
            f"(trend and quarter-on-quarter comparisons)"
        )

    def _write_summary(self, summary: DemoSummary) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded the demo portfolio as of {summary.as_of} (seed {summary.seed}):"
            )
        )
        self.stdout.write(
            f"  {summary.regions} regions, {summary.teams} teams, {summary.users} users\n"
            f"  {summary.accounts} accounts ({summary.child_accounts} child accounts, "
            f"{summary.churned_accounts} churned)\n"
            f"  {summary.opportunities} opportunities, {summary.initiatives} initiatives, "
            f"{summary.stage_adoptions} stage adoptions, "
            f"{summary.objectives} success-plan objectives\n"
            f"  {summary.webinars} webinars, {summary.activities} activities, "
            f"{summary.arr_snapshots} ARR snapshots, {summary.usage_snapshots} usage snapshots"
        )

    def _write_logins(self) -> None:
        logins = demo_logins()
        if not logins:
            self._write_other_logins()
            return
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD})")
        for login in logins:
            warning = "" if login.has_demo_password else "  [password changed since seeding]"
            self.stdout.write(f"  {login.role:<8} {login.username:<15} ({login.detail}){warning}")

    def _write_other_logins(self) -> None:
        self.stdout.write("The demo users are not in this database (seed_demo did not fill it).")
        others = existing_logins()
        if not others:
            self.stdout.write(
                "No active users: create one with `python manage.py createsuperuser`."
            )
            return
        self.stdout.write("Existing users (sign in with their own passwords):")
        for login in others:
            self.stdout.write(f"  {login.role:<8} {login.username:<15} ({login.detail})")
