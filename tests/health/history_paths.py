"""What a history write leaves, by one path or the other (`health_step.write_history`:
PostgreSQL's COPY and same-day rewrite, or the portable `bulk_create`), for the tests that
compare the two."""

from django.db import transaction

from health.models import HealthHistory
from orchestration import health_step


def history_written(rows: dict, today, tam, *, portable: bool) -> list[tuple]:
    """The TAM's accounts' history rows after writing `rows` by the given path, sorted;
    rolled back after, so both paths start from the same table."""
    with transaction.atomic():
        health_step.write_history(rows, today, portable=portable)
        result = sorted(
            HealthHistory.objects.filter(account__tam=tam).values_list(
                "account_id", "on", "band", "score", "measures"
            )
        )
        transaction.set_rollback(True)
    return result
