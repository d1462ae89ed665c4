import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.importing import ImportRejected, import_accounts
from orchestration.tasks import recompute_portfolio


class Command(BaseCommand):
    help = (
        "Upsert accounts from a CSV file by external_id. All or nothing: a file with any "
        "bad row changes nothing and every problem is listed as 'line N: column: problem'."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report, write nothing."
        )
        parser.add_argument(
            "--no-recompute",
            action="store_true",
            help="Do not recompute segments and priorities afterwards (the nightly run will).",
        )

    def handle(self, *args, file: Path, dry_run: bool, no_recompute: bool = False, **options):
        try:
            stream = file.open("rb")  # decoded by the import: UTF-8, with or without BOM
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        self._started = time.monotonic()
        try:
            with stream:
                summary = import_accounts(stream, dry_run=dry_run, progress=self._progress)
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{file}: {len(rejected.problems)} problem(s); nothing was written."
            ) from None
        self._report(summary)
        if not dry_run and not no_recompute and (summary.created or summary.updated):
            self._recompute()

    def _recompute(self) -> None:
        """The import changed facts the rules read: bring segments and priorities up to date.

        With a broker this queues the job for a worker; in the embedded default it runs here.
        """
        result = recompute_portfolio.delay(trigger="import")
        if settings.CELERY_TASK_ALWAYS_EAGER:
            outcome = result.get()
            self.stdout.write(
                f"Segments and priorities recomputed for {outcome['accounts']} accounts."
            )
        else:
            self.stdout.write(f"Recompute of segments and priorities queued ({result.id}).")

    def _progress(self, message: str) -> None:
        self.stderr.write(f"  [{time.monotonic() - self._started:5.1f} s] {message}")

    def _report(self, summary):
        verb = "would be" if summary.dry_run else "were"
        self.stdout.write(
            f"{summary.rows} rows: {summary.created} accounts {verb} created, "
            f"{summary.updated} updated, {summary.unchanged} unchanged."
        )
        for what, number in sorted(summary.related.items()):
            self.stdout.write(f"  {what}: {number}")
        if summary.users_created:
            self.stdout.write(
                f"{len(summary.users_created)} unknown TAM e-mail(s): inactive TAM users "
                f"{verb} created; an admin activates them:"
            )
            for email in summary.users_created:
                self.stdout.write(f"  {email}")
        if summary.dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written."))
