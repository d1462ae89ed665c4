from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lib.fiscal import fiscal_quarter_of, parse_quarter_label
from lib.spreadsheet import SpreadsheetWriter
from metrics.compute import scope_names
from metrics.models import MetricResult

COLUMNS = (
    "metric", "scope_type", "scope", "quarter", "numerator", "denominator", "value", "target",
    "attained",
)  # fmt: skip


def _figure(value):
    """A stored figure without its trailing zeros (0.5000 is written 0.5); a negative one
    stays a number, only text cells are guarded."""
    return value.normalize() if isinstance(value, Decimal) else value


class Command(BaseCommand):
    help = (
        "Write one row per metric and scope for a fiscal quarter (default: the current one) "
        "as CSV to FILE or standard output. An empty value means no data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quarter", help="like FY27-Q4 (default: the current quarter)")
        parser.add_argument("file", type=Path, nargs="?")

    def handle(self, *args, quarter: str | None, file: Path | None, **options):
        start_month = settings.FISCAL_YEAR_START_MONTH
        try:
            label = (
                parse_quarter_label(quarter, start_month).label
                if quarter
                else fiscal_quarter_of(timezone.localdate(), start_month).label
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        if file is None:
            self._write(self.stdout, label)
            return
        try:
            with file.open("w", newline="", encoding="utf-8") as output:
                written = self._write(output, label)
        except OSError as error:
            raise CommandError(f"cannot write {file}: {error.strerror}") from None
        self.stderr.write(f"{written} results for {label} written to {file}")

    def _write(self, output, label: str) -> int:
        names = scope_names()
        writer = SpreadsheetWriter(output)
        writer.writerow(COLUMNS)
        results = (
            MetricResult.objects.filter(fiscal_quarter=label)
            .order_by("metric__key", "scope_type", "scope")
            .values_list(
                "metric__key",
                "scope_type",
                "scope",
                "numerator",
                "denominator",
                "value",
                "target",
                "attained",
            )
        )
        written = 0
        for key, scope_type, scope, numerator, denominator, value, target, attained in results:
            writer.writerow(
                [key, scope_type, names.get((scope_type, scope), scope), label, _figure(numerator),
                 _figure(denominator), _figure(value), _figure(target), attained]
            )  # fmt: skip
            written += 1
        return written
