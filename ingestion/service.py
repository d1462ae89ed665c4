"""Import fact files (DESIGN 10): one kind from one file, or a folder of them at once.

All or nothing: every record is validated (cells, rules, keys given twice, references)
before anything is written, and one bad record rejects the whole import with every
problem listed. A folder is imported in dependency order in ONE transaction, so a bad
file anywhere writes nothing from any file. A dry run does the same work and rolls it
back, so it reports exactly what a real run would do. After a real import, the accounts
whose facts changed are announced (`core.changes.rule_inputs_changed`), and each kind's
`Feed` row records when it was fed and from what.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.importing import ImportRejected, import_accounts
from core.changes import rule_inputs_changed

from . import effects, references
from .formats import FileChecker, Problem, check_header
from .kinds import KINDS, ORDER
from .models import Feed
from .writing import desired_values, upsert

PROGRESS_EVERY = 10_000

Progress = Callable[[str], None]


class ImportFailed(Exception):
    """The import has problems, every one in `problems` (with its file); nothing was written."""

    def __init__(self, problems: list[tuple[str, Problem]]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class KindSummary:
    kind: str
    source: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)


def import_file(
    kind: str, path: Path, *, dry_run: bool = False, progress: Progress | None = None
) -> KindSummary:
    return import_folder_files([(kind, path)], dry_run=dry_run, progress=progress)[0]


def files_in(folder: Path) -> list[tuple[str, Path]]:
    """Every `<kind>.csv` in `folder`, in dependency order."""
    return [(kind, folder / f"{kind}.csv") for kind in ORDER if (folder / f"{kind}.csv").is_file()]


def import_folder_files(
    files: list[tuple[str, Path]], *, dry_run: bool = False, progress: Progress | None = None
) -> list[KindSummary]:
    """Import `files` (kind, path) in order, in one transaction; raise ImportFailed if bad."""
    problems: list[tuple[str, Problem]] = []
    summaries = []
    account_ids: set[int] = set()
    with transaction.atomic():
        for kind, path in files:
            # After a bad file, the next ones are still checked cell by cell, but not for
            # references: what they point at may be in the file that failed.
            found, summary, changed = _import_one(
                kind, path, check_references=not problems, progress=progress
            )
            problems += [(path.name, problem) for problem in found]
            summaries.append(summary)
            account_ids |= changed
        if problems or dry_run:
            transaction.set_rollback(True)
        else:
            _record_feeds(summaries)
            names = ", ".join(path.name for _, path in files)
            # A file can change thousands of accounts: one debounced recompute, not one now.
            rule_inputs_changed(account_ids, trigger=f"import: {names}", bulk=True)
    if problems:
        raise ImportFailed(problems)
    return summaries


def _import_one(kind_name, path, *, check_references, progress):
    summary = KindSummary(kind=kind_name, source=path.name)
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            if kind_name == "accounts":
                return _import_accounts(stream, summary, check_references, progress)
            return _import_facts(kind_name, stream, summary, check_references, progress)
    except UnicodeDecodeError as error:
        return [Problem(1, "file", f"not UTF-8 text ({error.reason})")], summary, set()
    except OSError as error:
        return [Problem(1, "file", f"cannot read: {error.strerror}")], summary, set()


def _import_accounts(stream, summary, check_references, progress):
    if not check_references:
        return [], summary, set()
    try:
        with transaction.atomic():
            result = import_accounts(stream, progress=progress)
    except ImportRejected as rejected:
        return rejected.problems, summary, set()
    summary.rows, summary.created = result.rows, result.created
    summary.updated, summary.unchanged = result.updated, result.unchanged
    summary.notes = [f"{what}: {number}" for what, number in sorted(result.related.items())]
    if result.users_created:
        summary.notes.append(
            "inactive TAM users created for unknown e-mails: " + ", ".join(result.users_created)
        )
    return [], summary, result.account_ids


def read_records(stream: io.TextIOBase, checker: FileChecker, progress: Progress | None):
    """Feed every non-blank line of the CSV to `checker`; returns the header and problems."""
    reader = csv.reader(stream)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        return [], [Problem(1, "header", "the file is empty")]
    header_problems = check_header(checker.fmt, header)
    if header_problems:
        return header, header_problems
    line = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            if len(cells) != len(header):
                checker.problems.append(
                    Problem(line, "row", f"has {len(cells)} cells, the header has {len(header)}")
                )
            else:
                checker.add(line, dict(zip(header, cells, strict=True)))
            if progress and len(checker.records) % PROGRESS_EVERY == 0 and checker.records:
                progress(f"validated {len(checker.records):,} rows")
        line = reader.line_num + 1
    return header, []


def _import_facts(kind_name, stream, summary, check_references, progress):
    kind = KINDS[kind_name]
    checker = FileChecker(kind.fmt)
    header, problems = read_records(stream, checker, progress)
    if problems:
        return problems, summary, set()
    columns = [kind.fmt.aliases.get(name, name) for name in header]
    problems = list(checker.problems)
    if not check_references:
        return problems, summary, set()
    ids, missing = references.resolve(kind, columns, checker.records)
    problems += missing
    if problems:
        return sorted(problems, key=lambda problem: problem.line), summary, set()
    records = [desired_values(kind, columns, values, ids) for _, values in checker.records]
    outcome = upsert(kind, records)
    summary.rows, summary.created = outcome.rows, outcome.created
    summary.updated, summary.unchanged = outcome.updated, outcome.unchanged
    changed = set(outcome.account_ids)
    if kind_name == "activities" and outcome.written:
        changed |= effects.apply_activity_effects(outcome)
    if kind_name == "usage" and outcome.account_ids:
        changed |= effects.apply_usage_effects(outcome.account_ids)
    if progress and outcome.rows >= PROGRESS_EVERY:
        progress(f"{kind_name}: written")
    return [], summary, changed


def _record_feeds(summaries: list[KindSummary]) -> None:
    now = timezone.now()
    for summary in summaries:
        Feed.objects.update_or_create(
            kind=summary.kind,
            defaults={
                "last_fed_at": now,
                "source": summary.source[:300],
                "rows": summary.rows,
                "created": summary.created,
                "updated": summary.updated,
            },
        )
