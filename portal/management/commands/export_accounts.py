from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.exporting import export_accounts


class Command(BaseCommand):
    help = (
        "Write every account as CSV (the import columns plus the computed segment, "
        "priority, priority_reasons, health band and health_score) to FILE, or to "
        "standard output without one."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?")

    def handle(self, *args, file: Path | None, **options):
        if file is None:
            export_accounts(self.stdout)
            return
        try:
            with file.open("w", newline="", encoding="utf-8") as output:
                written = export_accounts(output)
        except OSError as error:
            raise CommandError(f"cannot write {file}: {error.strerror}") from None
        self.stderr.write(f"{written} accounts written to {file}")
