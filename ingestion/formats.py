"""The record format of every fact kind of DESIGN 10 and its one validator: pure, no Django.

A kind's format names its key, its columns (the CSV header names and the API's JSON field
names) and its cross-column rules. `validate_record` turns one record of cell texts into
plain values or every `Problem` with it; the CSV import passes the record's line as its
position, the API its index in the request, so both report through the same code. What
needs the database (does the account exist?) is checked afterwards, in bulk, by
`ingestion.references`.

A column left out of a file leaves that field of existing records as it is (DESIGN 9);
a key column and a required column must be present and not empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from accounts.csv_cells import Problem
from accounts.csv_reading import text_problem

from . import cells
from .cells import CellError

__all__ = ["Column", "FileChecker", "KindFormat", "Problem", "validate_record"]

# A cross-column rule: given the parsed values, yields (column, message) for each problem.
RowRule = Callable[[Mapping[str, object]], Iterator[tuple[str, str]]]


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], object]
    required: bool = False


@dataclass(frozen=True)
class KindFormat:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    rules: tuple[RowRule, ...] = ()
    # Older names still accepted, e.g. the accounts' `health` for `tam_sentiment`.
    aliases: Mapping[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        return self._by_name[name]

    @cached_property  # read for every cell of every record
    def _by_name(self) -> dict[str, Column]:
        return {column.name: column for column in self.columns}

    def required(self) -> list[str]:
        return [
            column.name for column in self.columns if column.required or column.name in self.key
        ]


def check_header(fmt: KindFormat, header: list[str], position: int = 1) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    known = set(fmt.column_names)
    for name in header:
        canonical = fmt.aliases.get(name, name)
        if canonical not in known:
            problems.append(Problem(position, name or "(empty)", "unknown column"))
        elif canonical in seen:
            problems.append(Problem(position, name, "column given twice"))
        seen.add(canonical)
    problems.extend(
        Problem(position, name, "required column missing")
        for name in fmt.required()
        if name not in seen
    )
    return problems


def validate_record(
    fmt: KindFormat, record: Mapping[str, str], position: int
) -> tuple[dict[str, object], list[Problem]]:
    """Parse every cell of `record` (column name to text) and apply the kind's rules."""
    values: dict[str, object] = {}
    problems = []
    required = set(fmt.required())
    for name, text in record.items():
        name = fmt.aliases.get(name, name)
        column = fmt.column(name)
        unstorable = text_problem(text)
        if unstorable:
            problems.append(Problem(position, name, unstorable))
            continue
        try:
            value = column.parse(text)
        except CellError as error:
            problems.append(Problem(position, name, str(error)))
            continue
        if name in required and value in (None, ""):
            problems.append(Problem(position, name, "required"))
            continue
        values[name] = value
    if not problems:
        for rule in fmt.rules:
            problems.extend(Problem(position, name, message) for name, message in rule(values))
    return values, problems


class FileChecker:
    """Validates the records of one file or request in turn; a key given twice is a problem."""

    def __init__(self, fmt: KindFormat, position_name: str = "line"):
        self.fmt = fmt
        self.position_name = position_name  # "line" in a file, "record" in a request
        self.first_position_of: dict[tuple, int] = {}
        # The records checked and not yet taken (a file hands them on a chunk at a time).
        self.records: list[tuple[int, dict[str, object]]] = []
        self.problems: list[Problem] = []
        self.checked = 0

    def add(self, position: int, record: Mapping[str, str]) -> None:
        self.checked += 1
        values, problems = validate_record(self.fmt, record, position)
        key = tuple(_key_part(name, values.get(name)) for name in self.fmt.key)
        if not problems and None not in key:
            first = self.first_position_of.setdefault(key, position)
            if first != position:
                shown = ", ".join(str(values[name]) for name in self.fmt.key)
                problems.append(
                    Problem(
                        position,
                        self.fmt.key[-1],
                        f"duplicate of {self.position_name} {first} ({shown})",
                    )
                )
        self.problems.extend(problems)
        if not problems:
            self.records.append((position, values))


_CASE_INSENSITIVE = {"stage", "email"}


def _key_part(name: str, value: object) -> object:
    # Stage names and e-mail addresses match case-insensitively, so do their duplicates;
    # source ids are case-sensitive.
    return value.lower() if name in _CASE_INSENSITIVE and isinstance(value, str) else value


# --- rules shared by several kinds ------------------------------------------------------


def not_before(later: str, earlier: str) -> RowRule:
    def rule(values: Mapping[str, object]) -> Iterator[tuple[str, str]]:
        start, end = values.get(earlier), values.get(later)
        if start is not None and end is not None and end < start:
            yield later, f"is before {earlier} ({start.isoformat()})"

    return rule


def required_text(max_length: int) -> Callable[[str], str]:
    return cells.parse_text(max_length, required=True)


def optional_text(max_length: int) -> Callable[[str], str]:
    return cells.parse_text(max_length, required=False)


def choice(*allowed: str, empty: str = "") -> Callable[[str], str]:
    return cells.parse_choice(tuple(allowed), empty)


def names(columns: Iterable[Column]) -> list[str]:
    return [column.name for column in columns]
