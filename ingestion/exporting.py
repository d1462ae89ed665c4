"""Export any kind in its import format (DESIGN 10), so an export re-imports as "no change".

Rows are read in keyset-paged chunks, ordered by primary key. A record created in the
portal has no source id: it is written as `portal-<pk>`, which the import matches back
to it (`ingestion.portal_ids`), so an export of every kind re-imports into the same
database as "unchanged" and into an empty one as the same facts (the round trip of
`tests/ingestion/test_round_trip.py`). The demo generator, the stand-in for a CRM,
gives everything it makes a source-style id instead (`demo.writing`). Text cells a
spreadsheet would run as formulas are guarded (`lib.spreadsheet`); the import removes
exactly that guard.
"""

from __future__ import annotations

from accounts.exporting import export_accounts
from core.bulk import keyset_chunks
from lib.spreadsheet import SpreadsheetWriter

from .kinds import KINDS
from .portal_ids import exported_id

CHUNK_SIZE = 5000


def export_kind(kind_name: str, output) -> int:
    """Write the CSV of `kind_name` to `output`; returns the number of records written."""
    if kind_name == "accounts":
        return export_accounts(output)
    kind = KINDS[kind_name]
    writer = SpreadsheetWriter(output)
    columns = list(kind.fmt.column_names)
    writer.writerow(columns)
    paths = {column: kind.targets[column].export_path for column in columns}
    if kind_name == "people":
        paths["name"] = "first_name"
    values = ["pk", *dict.fromkeys(paths.values())]
    if kind_name == "people":
        values.append("last_name")
    queryset = kind.model.objects.all()
    if kind_name == "people":
        queryset = queryset.exclude(email="")
    written = 0
    for chunk in keyset_chunks(queryset, values, key="pk", chunk_size=CHUNK_SIZE):
        for row in chunk:
            cells = {column: row[path] for column, path in paths.items()}
            if kind.keyed_by_external_id:
                cells["external_id"] = exported_id(row["external_id"], row["pk"])
            if kind_name == "people":
                cells["name"] = " ".join(
                    part for part in (row["first_name"], row["last_name"]) if part
                )
                cells["email"] = cells["email"].lower()
            writer.writerow([cells[column] for column in columns])
            written += 1
    return written
