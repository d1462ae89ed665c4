"""Import accounts from CSV: all-or-nothing upsert by external id (DESIGN section 9).

Every row is validated; one bad cell rejects the whole file with every problem listed,
and nothing is written. The file is read once, as a stream (`csv_reading`: encodings,
quoting, NUL characters), a chunk of rows at a time: a chunk is written as soon as it is
validated, while no problem has been found, inside the one transaction of the whole
file, which is rolled back if any row, or a check across rows at the end (parents that
exist, no cycle of parents), finds a problem. So a file of any size costs the memory of a
chunk. Writes are set-based and touch only what differs, so re-importing a file changes
nothing. A dry run does the same work and rolls it back, so its summary is
exactly what a real run would do.

The related columns write related rows (`accounts.import_writing` says which and how).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import IO

from django.db import transaction
from django.utils import timezone

from .csv_format import ParsedRow, Problem, RowValidator, check_header
from .csv_reading import Unreadable, header_of, lines_of, read_records, shape_problems
from .import_writing import (
    INITIATIVE_COLUMNS,
    OPPORTUNITY_COLUMNS,
    PROGRESS_EVERY,
    AccountWriter,
    ImportSummary,
    Progress,
    chunks,
)
from .models import Account, Region, Stage

__all__ = [
    "INITIATIVE_COLUMNS",
    "OPPORTUNITY_COLUMNS",
    "ImportRejected",
    "ImportSummary",
    "import_accounts",
]

WRITE_CHUNK = 5000  # rows validated, then written, at a time


class ImportRejected(Exception):
    """The file has problems, every one in `problems`; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the file")
        self.problems = problems


def _stored_parents(external_ids: set[str]) -> dict[str, str | None]:
    """The stored parent (external id or None) of each of `external_ids` that exists."""
    found: dict[str, str | None] = {}
    for chunk in chunks(sorted(external_ids)):
        found.update(
            Account.objects.filter(external_id__any=chunk).values_list(
                "external_id", "parent__external_id"
            )
        )
    return found


def import_accounts(
    stream: IO,
    *,
    dry_run: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
    ignored: Iterable[str] = (),
) -> ImportSummary:
    """Validate and write the file; raise ImportRejected with every problem if it is bad.

    `stream` is the file opened in binary (decoded by `csv_reading`: UTF-8 with or without
    BOM, UTF-16 with BOM) or text. The file is read once, `WRITE_CHUNK` rows at a time:
    each chunk is validated and, while no row so far has a problem, written; the whole
    file is one transaction, rolled back at the end if any row had a problem (or for a
    dry run). Memory holds one chunk, not the file. `ignored` columns are read and
    dropped (another file of the same import writes those facts).
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        problems, summary = _validate_and_write(stream, today, progress, ignored)
        if problems:
            raise ImportRejected(problems)  # leaving the block rolls every chunk back
        summary.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
        elif progress and summary.rows >= PROGRESS_EVERY:
            progress("committing")
    return summary


def _validate_and_write(stream, today, progress, ignored) -> tuple[list[Problem], ImportSummary]:
    records = read_records(lines_of(stream))
    header, problems = _header(records)
    if problems:
        return problems, ImportSummary()
    validator = RowValidator(
        header,
        region_codes=Region.objects.values_list("code", flat=True),
        stage_names=Stage.objects.values_list("name", flat=True),
        stored_parents=_stored_parents,
        ignored=ignored,
    )
    writer = AccountWriter(validator.columns, today=today, progress=progress)
    try:
        _validate_and_write_rows(records, header, validator, writer, progress)
    except Unreadable as unreadable:
        validator.problems.append(unreadable.problem)
    problems = validator.finish()
    if problems:
        return problems, writer.summary
    return [], writer.finish()


def _header(records) -> tuple[list[str], list[Problem]]:
    try:
        first = next(records, None)
    except Unreadable as unreadable:
        return [], [unreadable.problem]
    if first is None:
        return [], [Problem(1, "header", "the file is empty")]
    header, problems = header_of(first)
    return header, problems or check_header(header)


def _validate_and_write_rows(records, header, validator, writer, progress) -> None:
    """Each row validated, and written a chunk at a time until a row has a problem."""
    chunk: list[ParsedRow] = []
    for record in records:
        if record.blank:
            continue
        shape = shape_problems(record, header)
        row = None if shape else validator.add(record.line, record.cells)
        validator.problems += shape
        if row is None or validator.problems:
            chunk.clear()  # nothing more is written: the rest is only validated
            continue
        chunk.append(row)
        if len(chunk) >= WRITE_CHUNK:
            writer.write(chunk)
            chunk = []
        if progress and validator.valid_rows % PROGRESS_EVERY == 0:
            progress(f"validated {validator.valid_rows:,} rows")
    if chunk and not validator.problems:
        writer.write(chunk)
