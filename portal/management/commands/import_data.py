import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ingestion.kinds import ORDER
from ingestion.service import ImportFailed, files_in, import_folder_files
from orchestration.tasks import runs_here


class Command(BaseCommand):
    help = (
        "Upsert one kind of fact from a CSV file (DESIGN 10), or every <kind>.csv of a folder "
        "(--dir) in one transaction. All or nothing: any problem changes nothing and every "
        "problem is listed as 'line N: column: problem'."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", nargs="?", choices=ORDER)
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument("--dir", type=Path, help="A folder of <kind>.csv files.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report, write nothing."
        )

    def handle(self, *args, kind, file, dir, dry_run, **options):
        files = self._files(kind, file, dir)
        self._started = time.monotonic()
        try:
            summaries = import_folder_files(files, dry_run=dry_run, progress=self._progress)
        except ImportFailed as failed:
            for file_name, problem in failed.problems:
                prefix = f"{file_name}: " if dir is not None else ""
                self.stderr.write(f"{prefix}{problem}")
            raise CommandError(f"{len(failed.problems)} problem(s); nothing was written.") from None
        self._report(summaries, dry_run)

    def _files(self, kind, file, dir):
        if dir is not None:
            if kind or file:
                raise CommandError("Give either KIND FILE or --dir FOLDER, not both.")
            if not dir.is_dir():
                raise CommandError(f"{dir} is not a folder.")
            files = files_in(dir)
            if not files:
                raise CommandError(f"{dir} holds no <kind>.csv file ({', '.join(ORDER)}).")
        elif kind and file:
            files = [(kind, file)]
        else:
            raise CommandError("Give KIND FILE.csv, or --dir FOLDER.")
        return files

    def _report(self, summaries, dry_run):
        verb = "would be" if dry_run else "were"
        for summary in summaries:
            self.stdout.write(
                f"{summary.source} ({summary.kind}): {summary.rows} rows: {summary.created} "
                f"{verb} created, {summary.updated} updated, {summary.unchanged} unchanged."
            )
            for note in summary.notes:
                self.stdout.write(f"  {note}")
        if not any(summary.changed_anything for summary in summaries):
            self.stdout.write("Nothing changed: every record is already as the file says.")
        elif not dry_run and not runs_here():
            # Delivered to a worker after the commit; a broker that is down only delays it.
            self.stdout.write("The recompute of the changed accounts will follow shortly.")
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written."))

    def _progress(self, message: str) -> None:
        self.stderr.write(f"  [{time.monotonic() - self._started:5.1f} s] {message}")
