from datetime import date

from django.core.management.base import BaseCommand, CommandError

from orchestration.models import RunStatus
from orchestration.runs import recompute


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of expects YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = (
        "Recompute every account's segment, priority and health and the quarter's assessments, "
        "synchronously. A quarter that has ended is frozen: only missing assessments are added."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=_iso_date, help="YYYY-MM-DD (default: today)")

    def handle(self, *args, as_of: date | None, **options):
        run = recompute(as_of=as_of, trigger="command")
        if run.status == RunStatus.SKIPPED:
            # The skipped run left a whole-portfolio request behind (the outbox): the run in
            # progress delivers it when it ends, so the data still catches up.
            self.stdout.write("Another recompute is running; a full run will follow it.")
            return
        self.stdout.write(
            f"Recomputed {run.accounts} accounts as of {run.as_of} in "
            f"{run.duration.total_seconds():.1f} s: {run.segments_changed} segments and "
            f"{run.priorities_changed} priorities changed, {run.assessments_created} "
            f"assessments created, {run.assessments_updated} updated; "
            f"{run.details.get('health_bands_changed', 0)} accounts changed health band."
        )
        if run.status == RunStatus.COMPLETED_WITH_ERRORS:
            self.stderr.write(
                f"The run {run.outcome}: these accounts keep what the last run gave them."
            )
            for failure in run.failures:
                self.stderr.write(
                    f"  account {failure['account_id']} ({failure['account']}), "
                    f"{failure['step']}: {failure['error']}"
                )
