"""The import page's imports (DESIGN 10, "In the browser"): stored, previewed, then run.

An upload is kept byte for byte (`ImportFile`) so that confirming imports exactly what
was previewed. The preview is the import's own dry run (`service.import_folder_files`),
with the first changed fields collected as it compares; the confirmed import is the same
call for real. Either way the outcome lands on the `ImportRecord`: counts per file,
every problem, and while it runs how far it got.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from accounts.models import Account

from .kinds import KINDS
from .models import ImportFile, ImportRecord
from .service import ImportFailed, KindSummary, import_folder_files
from .writing import FieldChange, collecting_changes

# The preview shows the first changes field by field, not all of them.
CHANGES_SHOWN = 20

Status = ImportRecord.Status


def record_upload(user, kind: str, files: list[tuple[str, str, bytes]]) -> ImportRecord:
    """Store `files` ((kind, name, content), in import order) and preview them."""
    record = ImportRecord.objects.create(
        created_by=user, kind=kind, file_names=", ".join(name for _, name, _ in files)[:500]
    )
    ImportFile.objects.bulk_create(
        ImportFile(record=record, kind=file_kind, name=name, content=content)
        for file_kind, name, content in files
    )
    preview(record)
    return record


def preview(record: ImportRecord) -> None:
    """What the import would do, written nowhere but on the record."""
    with collecting_changes(CHANGES_SHOWN) as changes, _files_on_disk(record) as files:
        try:
            summaries = import_folder_files(files, dry_run=True)
        except ImportFailed as failed:
            _reject(record, failed)
        else:
            record.counts = [_counts(summary) for summary in summaries]
            record.rows_total = sum(summary.rows for summary in summaries)
            record.changes = _shown(changes)
    record.save()


def claim(record_id: int, expected: str, new: str) -> bool:
    """Move the record from `expected` to `new` status; False if another request or worker
    got there first (a double click, a message delivered twice)."""
    return ImportRecord.objects.filter(pk=record_id, status=expected).update(status=new) == 1


def run(record: ImportRecord) -> ImportRecord:
    """Import a claimed (running) record's files for real; the record says how it went."""
    progress = _ProgressWriter(record)
    try:
        with _files_on_disk(record) as files:
            summaries = import_folder_files(files, progress=progress)
    except ImportFailed as failed:
        _reject(record, failed)
    except Exception:
        record.status = Status.FAILED
        record.problems = [_problem("", 0, "import", "unexpected error; nothing was written")]
        record.finished_at = timezone.now()
        record.save()
        raise
    else:
        record.status = Status.DONE
        record.counts = [_counts(summary) for summary in summaries]
        record.rows_done = record.rows_total = sum(summary.rows for summary in summaries)
        record.step = ""
        record.finished_at = timezone.now()
    finally:
        progress.close()
    record.save()
    return record


def _reject(record: ImportRecord, failed: ImportFailed) -> None:
    record.status = Status.FAILED
    record.problems = [
        _problem(name, problem.line, problem.column, problem.message)
        for name, problem in failed.problems
    ]
    record.counts, record.changes = [], []
    record.finished_at = timezone.now()


def _problem(file: str, line: int, column: str, message: str) -> dict:
    return {"file": file, "line": line, "column": column, "message": message}


def _counts(summary: KindSummary) -> dict:
    return {
        "kind": summary.kind,
        "source": summary.source,
        "rows": summary.rows,
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "notes": summary.notes,
    }


def _keyed_by_account(kind_name: str) -> bool:
    # `accounts` keeps its own writer (accounts/importing.py), keyed by the external id.
    kind = KINDS.get(kind_name)
    return kind is not None and kind.key_fields[0] == "account"


def _shown(changes: list[FieldChange]) -> list[dict]:
    """The changes as text, an account in a key shown by its external id."""
    account_ids = {change.key[0] for change in changes if _keyed_by_account(change.kind)}
    external_ids = dict(Account.objects.filter(pk__in=account_ids).values_list("pk", "external_id"))
    shown = []
    for change in changes:
        key = list(change.key)
        if _keyed_by_account(change.kind):
            key[0] = external_ids.get(key[0], key[0])
        shown.append(
            {
                "kind": change.kind,
                "key": ", ".join(_text(part) for part in key),
                "field": change.field,
                "old": _text(change.old),
                "new": _text(change.new),
            }
        )
    return shown


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


@contextmanager
def _files_on_disk(record: ImportRecord) -> Iterator[list[tuple[str, Path]]]:
    """The stored files as files again, under their own names, for the import to read."""
    with tempfile.TemporaryDirectory(prefix="tam-import-") as folder:
        files = []
        # One file's bytes in memory at a time (uploads reach IMPORT_MAX_UPLOAD_MB).
        stored = record.files.order_by("pk").values_list("pk", "kind", "name")
        for index, (pk, kind, name) in enumerate(stored):
            path = Path(folder) / str(index) / Path(name).name
            path.parent.mkdir()
            content = ImportFile.objects.values_list("content", flat=True).get(pk=pk)
            path.write_bytes(content)
            files.append((kind, path))
        yield files


_VALIDATED = re.compile(r"validated ([\d,]+) rows")


class _ProgressWriter:
    """Records how far a running import got, as the import reports it (rows validated,
    then each step), where the page can read it while the import's transaction is open.

    On PostgreSQL that is a second connection, committing each update at once. Inside a
    transaction already (a test; a task run in-process by the embedded default) or on
    SQLite (tasks run in-process, and a second writer would wait on the first's lock) the
    import's own connection is used: the figures show once it commits.
    """

    def __init__(self, record: ImportRecord):
        self.record_id, self.total = record.pk, record.rows_total
        self.earlier_files = self.this_file = 0
        separate = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS) if separate else None

    def __call__(self, message: str) -> None:
        validated = _VALIDATED.match(message)
        if validated:
            rows = int(validated.group(1).replace(",", ""))
            if rows < self.this_file:  # the count starts again: the next file
                self.earlier_files += self.this_file
            self.this_file = rows
        self._write(min(self.earlier_files + self.this_file, self.total), message[:200])

    def _write(self, rows_done: int, step: str) -> None:
        if self.connection is None:
            ImportRecord.objects.filter(pk=self.record_id).update(rows_done=rows_done, step=step)
            return
        table = self.connection.ops.quote_name(ImportRecord._meta.db_table)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET rows_done = %s, step = %s WHERE id = %s",
                [rows_done, step, self.record_id],
            )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
