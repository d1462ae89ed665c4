import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ingestion.exporting import export_kind
from ingestion.kinds import ORDER


class Command(BaseCommand):
    help = "Write one kind of fact as CSV in its import format (DESIGN 10), to FILE or stdout."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ORDER)
        parser.add_argument("file", nargs="?", type=Path)

    def handle(self, *args, kind, file, **options):
        if file is None:
            written = export_kind(kind, self.stdout)
        else:
            try:
                with file.open("w", newline="", encoding="utf-8") as output:
                    written = export_kind(kind, output)
            except OSError as error:
                raise CommandError(f"cannot write {file}: {error.strerror}") from None
        sys.stderr.write(f"{written} {kind} record(s) written.\n")
