"""Import fact files (DESIGN 10): one kind from one file, or a folder of them at once.

All or nothing: every record is validated (cells, rules, keys given twice, references)
and one bad record rejects the whole import with every problem listed, nothing written.
A file is read as a stream (`accounts.csv_reading`: encodings, quoting, NUL characters)
and checked a chunk of records at a time; a chunk is written as soon as it is checked,
while nothing so far had a problem, inside the import's one transaction, which is rolled
back if any record has one. So a file of any size costs the memory of a chunk. A folder
is imported in dependency order in ONE transaction, so a bad file anywhere writes
nothing from any file. A dry run does the same work and rolls it back, so it reports
exactly what a real run would do. After a real import, the accounts
whose facts changed are announced (`core.changes.rule_inputs_changed`), and each kind's
`Feed` row records when it was fed and from what.

Two things make a folder more than its files one after the other:
- teams point at their manager and people at their team: with both files present, the
  teams are written first without their managers, then the people, then each team's
  manager is linked (same transaction, one summary per file);
- the accounts file's summary columns (`stages_adopted`, the close dates, the initiative
  hours) write stage adoptions, opportunities and initiatives of their own: when the
  folder holds that kind's file too, the file is the fuller account of those facts and
  the accounts file's columns for them are left out, so nothing is written twice.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.csv_reading import Unreadable, header_of, lines_of, read_records, shape_problems
from accounts.importing import ImportRejected, import_accounts
from accounts.models import Activity
from core.changes import rule_inputs_changed

from . import effects, portal_ids, references
from .cells import text_of
from .formats import FileChecker, Problem, check_header
from .kinds import KINDS, ORDER
from .models import Feed
from .writing import desired_values, note_changes, upsert

PROGRESS_EVERY = 10_000
WRITE_CHUNK = 5000  # records checked, then resolved and written, at a time

# The accounts file's summary columns, by the kind whose own file supersedes them.
ACCOUNT_SUMMARY_COLUMNS = {
    "stage_adoptions": ("stages_adopted",),
    "opportunities": ("uptier_close_date", "growth_close_date"),
    "initiatives": ("stage_adoption_hours", "infra_change_hours", "expansion_play"),
}
# Columns whose references are linked after the kind they point at is written.
DEFERRED_UNTIL = {("teams", "manager_email"): "people"}

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
    kinds = {kind for kind, _ in files}
    plan = _Plan(
        deferred={
            column: later for (kind, column), later in DEFERRED_UNTIL.items() if later in kinds
        },
        left_out=[
            column
            for kind, columns in ACCOUNT_SUMMARY_COLUMNS.items()
            if kind in kinds
            for column in columns
        ],
    )
    with transaction.atomic():
        for kind, path in files:
            # After a bad file, the next ones are still checked cell by cell, but not for
            # references: what they point at may be in the file that failed.
            found, summary, changed = _import_one(
                kind, path, check_references=not problems, progress=progress, plan=plan
            )
            problems += [(path.name, problem) for problem in found]
            summaries.append(summary)
            account_ids |= changed
            for link in plan.links.pop(kind, []):
                if not problems:
                    problems += link()
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


@dataclass
class _Plan:
    """What a folder's files do differently for being imported together (see above)."""

    deferred: dict[str, str]  # a teams column -> the kind written before it is linked
    left_out: list[str]  # accounts file columns another file of the folder supersedes
    # Links to make once a kind is written: each returns its (file, problem) pairs.
    links: dict[str, list[Callable[[], list[tuple[str, Problem]]]]] = field(default_factory=dict)


def _import_one(kind_name, path, *, check_references, progress, plan=None):
    plan = plan or _Plan(deferred={}, left_out=[])
    summary = KindSummary(kind=kind_name, source=path.name)
    try:
        with path.open("rb") as stream:
            if kind_name == "accounts":
                return _import_accounts(stream, summary, check_references, progress, plan.left_out)
            return _import_facts(kind_name, stream, summary, check_references, progress, plan)
    except OSError as error:
        return [Problem(1, "file", f"cannot read: {error.strerror}")], summary, set()


def _import_accounts(stream, summary, check_references, progress, left_out=()):
    if not check_references:
        return [], summary, set()
    try:
        with transaction.atomic():
            result = import_accounts(stream, progress=progress, ignored=left_out)
    except ImportRejected as rejected:
        return rejected.problems, summary, set()
    summary.rows, summary.created = result.rows, result.created
    summary.updated, summary.unchanged = result.updated, result.unchanged
    note_changes("accounts", result.field_changes)
    summary.notes = [f"{what}: {number}" for what, number in sorted(result.related.items())]
    if result.users_created:
        summary.notes.append(
            "inactive TAM users created for unknown e-mails: " + ", ".join(result.users_created)
        )
    return [], summary, result.account_ids


def _import_facts(kind_name, stream, summary, check_references, progress, plan):
    """Read, check and write a fact file a chunk of records at a time (see `_FactWriter`)."""
    kind = KINDS[kind_name]
    checker = FileChecker(kind.fmt)
    records = read_records(lines_of(stream))
    try:
        header, problems = _header(kind.fmt, records)
        if problems:
            return problems, summary, set()
        writer = _FactWriter(kind_name, header, summary, check_references, plan)
        _check_and_write(records, header, checker, writer, progress)
    except Unreadable as unreadable:
        checker.problems.append(unreadable.problem)
        return checker.problems, summary, set()
    problems = checker.problems + writer.problems
    if problems:
        return sorted(problems, key=lambda problem: problem.line), summary, set()
    return [], summary, writer.finish()


def _header(fmt, records) -> tuple[list[str], list[Problem]]:
    first = next(records, None)
    if first is None:
        return [], [Problem(1, "header", "the file is empty")]
    header, problems = header_of(first)
    return header, problems or check_header(fmt, header)


def _check_and_write(records, header, checker: FileChecker, writer, progress) -> None:
    """Each record checked; every WRITE_CHUNK checked records resolved and written, until
    a record has a problem (after which the rest is only checked, references included)."""
    for record in records:
        if record.blank:
            continue
        shape = shape_problems(record, header)
        if shape:
            checker.problems += shape
        else:
            checker.add(record.line, dict(zip(header, record.cells, strict=True)))
        if len(checker.records) >= WRITE_CHUNK:
            writer.write(checker.records, failed=bool(checker.problems))
            checker.records = []
        if progress and checker.checked % PROGRESS_EVERY == 0 and checker.checked:
            progress(f"validated {checker.checked:,} rows")
    writer.write(checker.records, failed=bool(checker.problems))
    checker.records = []


class _FactWriter:
    """Resolves the references of checked records and writes them, a chunk at a time,
    inside the import's transaction (CSV and API alike). Once any record has a problem,
    chunks are still resolved (to list every missing reference) but no longer written."""

    def __init__(self, kind_name, header, summary, check_references, plan):
        self.kind_name, self.kind = kind_name, KINDS[kind_name]
        self.summary, self.check_references, self.plan = summary, check_references, plan
        columns = [self.kind.fmt.aliases.get(name, name) for name in header]
        deferred = [column for column in columns if (kind_name, column) in DEFERRED_UNTIL]
        self.deferred = [column for column in deferred if column in plan.deferred]
        self.now = [column for column in columns if column not in self.deferred]
        self.problems: list[Problem] = []
        self.changed: set[int] = set()
        self.activity_effects = effects.ActivityEffects()
        # For a deferred link (a team's manager, a small file): every record, and the
        # keys of those the first pass wrote.
        self.kept: list[tuple[int, dict[str, object]]] = []
        self.written_keys: set[tuple] = set()

    def write(self, records, *, failed: bool) -> None:
        if not records or not self.check_references:
            return
        ids, missing = references.resolve(self.kind, self.now, records)
        self.problems += missing
        if self.kind_name == "activities" and "account_external_id" in ids:
            self.problems += references.milestone_problems(records, ids["account_external_id"])
        if failed or self.problems:
            return
        desired = [desired_values(self.kind, self.now, values, ids) for _, values in records]
        portal_ids.adopt(self.kind, desired)
        outcome = upsert(self.kind, desired)
        summary = self.summary
        summary.rows += outcome.rows
        summary.created += outcome.created
        summary.updated += outcome.updated
        summary.unchanged += outcome.unchanged
        self.changed |= outcome.account_ids
        if self.kind_name == "activities" and outcome.written:
            self.activity_effects.add(outcome.written)
        if self.kind_name == "usage" and outcome.account_ids:
            self.changed |= effects.apply_usage_effects(outcome.account_ids)
        if self.deferred:
            self.kept += records
            self.written_keys |= {_record_key(self.kind, values) for values in outcome.written}

    def finish(self) -> set[int]:
        """The accounts whose facts changed; a deferred link is planned for later."""
        self.changed |= self.activity_effects.apply()
        for column in self.deferred:
            self.plan.links.setdefault(self.plan.deferred[column], []).append(
                lambda column=column: _link(
                    self.kind, column, self.kept, self.summary, self.written_keys
                )
            )
        return self.changed


def _link(kind, column, records, summary, written_keys: set[tuple]) -> list[tuple[str, Problem]]:
    """Write `column` (a reference deferred until what it points at was written) of the
    records, counting a record it changes as updated unless the first pass already did."""
    key_columns = list(kind.fmt.key)
    ids, missing = references.resolve(kind, [column], records)
    if missing:
        return [(summary.source, problem) for problem in missing]
    columns = [*key_columns, column]
    outcome = upsert(kind, [desired_values(kind, columns, values, ids) for _, values in records])
    newly = {_record_key(kind, values) for values in outcome.written} - written_keys
    summary.updated += len(newly)
    summary.unchanged -= len(newly)
    return []


def _record_key(kind, values: dict) -> tuple:
    return tuple(values[kind.model._meta.get_field(name).attname] for name in kind.key_fields)


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


# --- records of an API request (DESIGN 10, "REST API") -------------------------------------

# The kinds a DELETE reaches: those keyed by their source's id. Accounts are not deleted
# through the API (their history would go with them): a churned account stays, marked so.
DELETABLE = tuple(name for name in ORDER if name in KINDS and KINDS[name].keyed_by_external_id)


def import_records(kind: str, records: list, *, source: str) -> KindSummary:
    """Import the records of one API request (field name to JSON value), all or nothing.

    The same checks and writes as a file of `kind`: each value is turned into the cell
    text a CSV would hold (`cells.text_of`) and goes through the kind's one validator. A
    problem's position is the record's index in `records`. Every record carries the
    fields of the first, as a file's rows carry its header: a field left out of all of
    them leaves that field of existing records as it is.
    """
    if kind not in ORDER:
        raise ValueError(f"unknown kind {kind!r}")
    summary = KindSummary(kind=kind, source=source)
    if not records:
        return summary
    fields = list(records[0]) if isinstance(records[0], dict) else []
    changed: set[int] = set()
    with transaction.atomic():
        problems = _shape_problems(records, fields)
        if not problems:
            write = _accounts_from_records if kind == "accounts" else _facts_from_records
            problems, summary, changed = write(kind, records, fields, summary)
        if problems:
            transaction.set_rollback(True)
        else:
            _record_feeds([summary])
            rule_inputs_changed(changed, trigger=f"api: {source}", bulk=True)
    if problems:
        raise ImportFailed([(source, problem) for problem in problems])
    return summary


def _shape_problems(records: list, fields: list[str]) -> list[Problem]:
    problems = []
    expected = set(fields)
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            problems.append(Problem(index, "record", "not a JSON object"))
            continue
        problems += [
            Problem(index, name, "missing: every record carries the fields of the first")
            for name in fields
            if name not in record
        ]
        problems += [
            Problem(index, name, "not in the first record: every record has the same fields")
            for name in record
            if name not in expected
        ]
    return problems


def _facts_from_records(kind_name, records, fields, summary):
    fmt = KINDS[kind_name].fmt
    problems = check_header(fmt, fields, position=0)
    if problems:
        return problems, summary, set()
    checker = FileChecker(fmt, position_name="record")
    for index, record in enumerate(records):
        checker.add(index, {name: text_of(record[name]) for name in fields})
    writer = _FactWriter(kind_name, fields, summary, True, _Plan(deferred={}, left_out=[]))
    writer.write(checker.records, failed=bool(checker.problems))
    problems = checker.problems + writer.problems
    if problems:
        return sorted(problems, key=lambda problem: problem.line), summary, set()
    return [], summary, writer.finish()


def _accounts_from_records(kind_name, records, fields, summary):
    """Accounts are read by `accounts.importing` from CSV text: the records are written as
    one, and each problem's line is turned back into its record's index."""
    output, row = io.StringIO(), io.StringIO()
    writer = csv.writer(row, lineterminator="\n", quoting=csv.QUOTE_ALL)
    index_of_line = {}
    line = 1
    for index, cells in enumerate(
        [fields, *([record[name] for name in fields] for record in records)]
    ):
        writer.writerow([text_of(value) for value in cells] if index else cells)
        text = row.getvalue()
        row.seek(0)
        row.truncate()
        output.write(text)
        index_of_line[line] = max(index - 1, 0)  # the header's problems go to the first record
        line += text.count("\n")  # a value holding a line break spans several lines
    output.seek(0)
    problems, summary, changed = _import_accounts(output, summary, True, None)
    problems = [
        Problem(index_of_line.get(problem.line, 0), problem.column, problem.message)
        for problem in problems
    ]
    return problems, summary, changed


def delete_record(kind: str, external_id: str, *, source: str) -> bool:
    """Delete the `kind` record with that source id; False if there is none. A file never
    deletes anything (DESIGN 10): this is the API's DELETE. The accounts whose facts it
    took away are announced like any other write."""
    if kind not in DELETABLE:
        raise ValueError(f"{kind!r} records are not deleted through the API")
    model = KINDS[kind].model
    with transaction.atomic():
        record = model.objects.select_for_update().filter(external_id=external_id).first()
        if record is None:
            return False
        if kind == "webinars":  # its attendances go with it
            account_ids = set(
                Activity.objects.filter(webinar=record).values_list("account_id", flat=True)
            )
        else:
            account_ids = {record.account_id}
        record.delete()
        rule_inputs_changed(account_ids, trigger=f"api: {source}", bulk=True)
    return True
