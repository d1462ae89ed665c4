import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.importing import ImportRejected, import_accounts
from orchestration import outbox
from orchestration.tasks import DONE, deliver


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
        recompute = not dry_run and not no_recompute
        try:
            # The recompute request commits with the accounts (the outbox): neither
            # without the other.
            with stream, transaction.atomic():
                summary = import_accounts(stream, dry_run=dry_run, progress=self._progress)
                if recompute and (summary.created or summary.updated):
                    outbox.store_full_run(f"import: {file.name}")
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{file}: {len(rejected.problems)} problem(s); nothing was written."
            ) from None
        self._report(summary)
        if recompute and (summary.created or summary.updated):
            self._recompute()

    def _recompute(self) -> None:
        """Bring segments and priorities up to date with the import: here and now in the
        embedded default, else by a worker; a broker that is down only delays it."""
        outcome = deliver()
        if outcome == DONE:
            self.stdout.write("Segments and priorities recomputed.")
        else:
            self.stdout.write("The recompute of segments and priorities will follow shortly.")

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
