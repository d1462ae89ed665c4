"""Writing a chunk's results: only the accounts and assessments that changed.

Changed accounts go out as one `UPDATE ... FROM unnest(...)` per chunk; new assessments as
COPY on PostgreSQL (a row per account on a first run) and a multi-row INSERT elsewhere;
changed assessments as one UPDATE. Callers hold the chunk's transaction.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from accounts.models import Account
from core.bulk import copy_lines, insert_rows, update_rows
from prioritization import rules
from prioritization.models import PriorityAssessment

from .reading import account_span

ASSESSMENT_COLUMNS = (
    "account_id", "fiscal_quarter", "computed_priority", "reasons", "effective_priority",
    "source", "decided_by_id", "updated_at",
)  # fmt: skip

# An assessment as write_assessments compares it: its outcome after account and id.
STORED_OUTCOME = (
    "account_id", "id", "computed_priority", "reasons", "effective_priority", "source",
    "decided_by_id",
)  # fmt: skip

# (decision, reasons text, decider id) per account id
Decisions = dict[int, tuple[rules.Decision, str, int | None]]


ACCOUNT_FIELDS = (
    "segment", "priority", "priority_reasons", "previous_priority", "priority_changed_on",
    "health", "health_score",
)  # fmt: skip


def write_accounts(updates: list[tuple]) -> None:
    """`(account_id, segment_id, priority, reasons, previous_priority, priority_changed_on,
    health, health_score)` each: one UPDATE for the chunk, priorities and health together."""
    update_rows(Account, ACCOUNT_FIELDS, updates)


def write_assessments(
    rows: list[dict], decisions: Decisions, quarter: str, *, frozen: bool, now: datetime
) -> tuple[int, int]:
    """Create the quarter's missing assessments and, unless the quarter is frozen, update
    those whose outcome changed. Returns (created, updated).

    Each stored row is kept as read, one tuple, its outcome compared with a slice: on a
    night where nothing changed, every account's assessment is read and none written."""
    # (account_id, id, *outcome), as STORED_OUTCOME lists them
    existing = {
        stored[0]: stored
        for stored in PriorityAssessment.objects.filter(
            **account_span(rows), fiscal_quarter=quarter
        ).values_list(*STORED_OUTCOME)
    }
    to_create, to_update = [], []
    for account_id, (decision, reasons, decider) in decisions.items():
        wanted = (decision.computed_priority, reasons, decision.priority, decision.source, decider)
        current = existing.get(account_id)
        if current is None:
            to_create.append((account_id, *wanted))
        elif not frozen and current[2:] != wanted:
            to_update.append((current[1], *wanted, now))
    insert_assessments(to_create, quarter, now)
    update_rows(
        PriorityAssessment,
        ["computed_priority", "reasons", "effective_priority", "source", "decided_by",
         "updated_at"],
        to_update,
    )  # fmt: skip
    return len(to_create), len(to_update)


def insert_assessments(
    rows: list[tuple], quarter: str, now: datetime, *, portable: bool = False
) -> None:
    """New assessments, `(account_id, computed, reasons, effective, source, decider)` each.

    On PostgreSQL each row is one f-string of COPY text: every value is a number, a
    quarter label or a word from the rules' fixed vocabulary, so nothing needs escaping,
    and a first run writes one row per account. Elsewhere, or with `portable` (the tests
    compare the two), a multi-row INSERT.
    """
    if not rows:
        return
    if connection.vendor != "postgresql" or portable:
        insert_rows(
            PriorityAssessment,
            [
                dict(zip(ASSESSMENT_COLUMNS, (account_id, quarter, *outcome, now), strict=True))
                for account_id, *outcome in rows
            ],
            portable=True,
        )
        return
    stamp = now.isoformat()
    copy_null = "\\N"  # f-strings on Python 3.11 take no backslash in an expression
    copy_lines(
        PriorityAssessment,
        list(ASSESSMENT_COLUMNS),
        (
            f"{account_id}\t{quarter}\t{computed}\t{reasons}\t{effective}\t{source}\t"
            f"{copy_null if decider is None else decider}\t{stamp}\n"
            for account_id, computed, reasons, effective, source, decider in rows
        ),
    )
