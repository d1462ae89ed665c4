"""Export accounts to CSV in the import's format plus the computed columns (DESIGN section 9).

One row per account, ordered by external id, with `segment` (the effective segment's code:
an admin's pin wins over the computed one), `priority` (`Pr1`..`Pr4`), `priority_reasons`
(reason codes joined by `;` in the order the rules fired), `health` (the computed band:
green / yellow / red, empty for unknown) and `health_score` (0-100, empty for unknown).
The TAM's own judgement is `tam_sentiment`. The file can be imported back unchanged: the
import accepts and ignores the computed columns (`health` too, since the file has
`tam_sentiment`: see `csv_format.ALIASES`), and
removes the guard `lib.spreadsheet` puts before a text cell a spreadsheet would run.
Accounts are read in keyset-paged chunks, so memory stays flat however many there are.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F

from core.bulk import keyset_chunks
from lib.spreadsheet import SpreadsheetWriter

from .csv_format import ACCOUNT_FIELD_PARSERS, EXPORT_COLUMNS
from .importing import INITIATIVE_COLUMNS, OPPORTUNITY_COLUMNS
from .models import (
    Account,
    Initiative,
    InitiativeKind,
    InitiativeStatus,
    Opportunity,
    OpportunityStatus,
    StageAdoption,
)

CHUNK_SIZE = 2000

_ACCOUNT_VALUES = (
    "id",
    "external_id",
    "name",
    "region__code",
    "tam__email",
    "parent__external_id",
    "segment__code",
    "segment_override__code",
    "priority",
    "priority_reasons",
    "health",
    "health_score",
    *ACCOUNT_FIELD_PARSERS,
    "tam_sentiment",
    "tam_sentiment_on",
    "success_plan_management_qualified_on",
)


def export_accounts(output, queryset=None) -> int:
    """Write the CSV to `output`; returns the number of accounts written."""
    writer = SpreadsheetWriter(output)
    writer.writerow(EXPORT_COLUMNS)
    written = 0
    accounts = queryset if queryset is not None else Account.objects.all()
    for chunk in keyset_chunks(accounts, _ACCOUNT_VALUES, key="external_id", chunk_size=CHUNK_SIZE):
        related = _RelatedFacts([values["id"] for values in chunk])
        for values in chunk:
            writer.writerow(_row(values, related))
            written += 1
    return written


class _RelatedFacts:
    """Stages, open opportunities and active initiatives of one chunk of accounts."""

    def __init__(self, account_ids: list[int]):
        self.stages: dict[int, list[str]] = defaultdict(list)
        for account_id, stage in (
            StageAdoption.objects.filter(account_id__in=account_ids)
            .order_by("stage__position", "stage__name")
            .values_list("account_id", "stage__name")
        ):
            self.stages[account_id].append(stage)
        self.open_opportunities = {
            (account_id, kind): close_date
            for account_id, kind, close_date in Opportunity.objects.filter(
                account_id__in=account_ids, status=OpportunityStatus.OPEN
            ).values_list("account_id", "kind", "close_date")
        }
        self.active_initiatives = {
            (account_id, kind): hours
            for account_id, kind, hours in Initiative.objects.filter(
                account_id__in=account_ids, status=InitiativeStatus.ACTIVE
            )
            # The busiest active initiative of a kind is the one the file shows.
            .order_by(F("tam_hours_per_week").asc(nulls_first=True), "pk")
            .values_list("account_id", "kind", "tam_hours_per_week")
        }


def _row(values: dict, related: _RelatedFacts) -> list[object]:
    """The row's values; the writer turns them into cells (text guarded, numbers as is)."""
    account_id = values["id"]
    cells = {name: values[name] for name in ACCOUNT_FIELD_PARSERS}
    cells.update(
        external_id=values["external_id"],
        name=values["name"],
        region=values["region__code"],
        tam_email=values["tam__email"] or "",
        parent_external_id=values["parent__external_id"] or "",
        segment=values["segment_override__code"] or values["segment__code"] or "",
        priority=f"Pr{values['priority']}" if values["priority"] else "",
        priority_reasons=values["priority_reasons"],
        health=values["health"],
        health_score=values["health_score"],
        stages_adopted=";".join(related.stages.get(account_id, [])),
        tam_sentiment=values["tam_sentiment"],
        tam_sentiment_on=values["tam_sentiment_on"],
        management_qualified_on=values["success_plan_management_qualified_on"],
    )
    for column, kind in OPPORTUNITY_COLUMNS.items():
        cells[column] = related.open_opportunities.get((account_id, kind))
    for column, kind in INITIATIVE_COLUMNS.items():
        key = (account_id, kind)
        if kind == InitiativeKind.EXPANSION_PLAY:
            cells[column] = key in related.active_initiatives
        else:
            cells[column] = related.active_initiatives.get(key)
    return [cells[column] for column in EXPORT_COLUMNS]
