"""The account CSV format of DESIGN section 9: its columns and row validation (the cell
parsers are `accounts.csv_cells`).

Pure Python, no Django: the import service hands in the known region codes and stage
names, gets back parsed rows or every problem as a `Problem` (line, column, message),
which prints as `line N: column: problem`.

Cell rules: only `external_id`, `name` and `region` are required; a column left out of
the file leaves the field as it is; an empty cell sets the field to unknown / false /
none. Booleans are `true/false/yes/no/1/0` (any case); dates are ISO `YYYY-MM-DD`;
amounts are plain numbers in USD (no currency sign or thousands separator) with at most
two decimals (a figure the column cannot hold exactly is refused, never rounded); whole
numbers are ASCII digits within the column's range. `segment`, `priority` and
`priority_reasons` are computed by the rule engine, `health` (the band) and `health_score`
by the health scorecard: the export writes them so a file can be read back, and the
import accepts and ignores them. `health` was the TAM's sentiment before it was computed:
a file without a `tam_sentiment` column still sets the sentiment from it (the alias); a
file with `tam_sentiment` (every export) has it as the computed band, ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from .csv_cells import (
    CellError,
    Problem,
    parse_amount,
    parse_bool,
    parse_choice,
    parse_date,
    parse_email,
    parse_nps,
    parse_text,
    parse_user_count,
    parse_weekly_hours,
)

REQUIRED_COLUMNS = ("external_id", "name", "region")

# The order the export writes; the import accepts any order.
EXPORT_LEADING_COLUMNS = (
    "external_id",
    "name",
    "region",
    "tam_email",
    "segment",
    "priority",
    "priority_reasons",
    "health",
    "health_score",
)
IMPORT_COLUMNS = (
    "external_id",
    "name",
    "region",
    "parent_external_id",
    "managed",
    "tam_email",
    "arr",
    "lam",
    "lam_confidence",
    "customer_since",
    "first_engaged_on",
    "first_value_on",
    "onboarded_on",
    "renewal_date",
    "licensed_users",
    "active_users",
    "tam_sentiment",
    "tam_sentiment_on",
    "at_risk",
    "in_triage",
    "success_plan",
    "management_qualified_on",
    "critical_project",
    "stages_adopted",
    "uptier_close_date",
    "growth_close_date",
    "stage_adoption_hours",
    "infra_change_hours",
    "expansion_play",
    "org_change",
    "weekly_engagement",
    "tam_handover",
    "key_logo",
    "channel_engaged",
    "last_nps",
    "digital",
)
COMPUTED_COLUMNS = ("segment", "priority", "priority_reasons", "health", "health_score")
# Older names still read: `health` is what DESIGN 10 renamed `tam_sentiment`. Since the
# health became computed (DESIGN 11) the export writes `health` as the computed band, so
# the alias is read only from a file without `tam_sentiment` (an older file); beside
# `tam_sentiment` it is the computed band, ignored like the other computed columns.
ALIASES = {"health": "tam_sentiment"}
EXPORT_COLUMNS = EXPORT_LEADING_COLUMNS + tuple(
    column for column in IMPORT_COLUMNS if column not in EXPORT_LEADING_COLUMNS
)


def _ignored(text: str) -> None:
    return None


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], object]
    account_field: str | None = None  # the Account field it sets directly, if any


ACCOUNT_FIELD_PARSERS: dict[str, Callable[[str], object]] = {
    "managed": parse_bool,
    "arr": parse_amount,
    "lam": parse_amount,
    "lam_confidence": parse_choice(("high", "low"), ""),
    "customer_since": parse_date,
    "first_engaged_on": parse_date,
    "first_value_on": parse_date,
    "onboarded_on": parse_date,
    "renewal_date": parse_date,
    "licensed_users": parse_user_count,
    "active_users": parse_user_count,
    "at_risk": parse_bool,
    "in_triage": parse_bool,
    "success_plan": parse_choice(("none", "unclear", "objectives", "green"), "none"),
    "critical_project": parse_bool,
    "org_change": parse_bool,
    "weekly_engagement": parse_bool,
    "tam_handover": parse_bool,
    "key_logo": parse_bool,
    "channel_engaged": parse_bool,
    "last_nps": parse_nps,
    "digital": parse_bool,
}

_SENTIMENT = parse_choice(("green", "yellow", "red"), "")

COLUMNS: dict[str, Column] = {
    "external_id": Column("external_id", parse_text(64, required=True)),
    "name": Column("name", parse_text(200, required=True), account_field="name"),
    "region": Column("region", parse_text(40, required=True)),
    "parent_external_id": Column("parent_external_id", parse_text(64, required=False)),
    "tam_email": Column("tam_email", parse_email),
    "stages_adopted": Column("stages_adopted", parse_text(2000, required=False)),
    "uptier_close_date": Column("uptier_close_date", parse_date),
    "growth_close_date": Column("growth_close_date", parse_date),
    "stage_adoption_hours": Column("stage_adoption_hours", parse_weekly_hours),
    "infra_change_hours": Column("infra_change_hours", parse_weekly_hours),
    "expansion_play": Column("expansion_play", parse_bool),
    # The TAM's green / yellow / red judgement is kept in the account's `tam_sentiment` field.
    "tam_sentiment": Column("tam_sentiment", _SENTIMENT, account_field="tam_sentiment"),
    "health": Column("health", _SENTIMENT, account_field="tam_sentiment"),
    "tam_sentiment_on": Column("tam_sentiment_on", parse_date, account_field="tam_sentiment_on"),
    # The date a manager qualified the success plan; empty: not qualified.
    "management_qualified_on": Column(
        "management_qualified_on",
        parse_date,
        account_field="success_plan_management_qualified_on",
    ),
    **{
        name: Column(name, parser, account_field=name)
        for name, parser in ACCOUNT_FIELD_PARSERS.items()
    },
    # `health` keeps its alias column above: beside `tam_sentiment` the validator ignores it.
    **{name: Column(name, _ignored) for name in COMPUTED_COLUMNS if name not in ALIASES},
}
assert set(COLUMNS) == set(IMPORT_COLUMNS) | set(COMPUTED_COLUMNS) | set(ALIASES)


@dataclass
class ParsedRow:
    line: int
    values: dict[str, object]
    stage_names: list[str] = field(default_factory=list)

    @property
    def external_id(self) -> str:
        return self.values["external_id"]  # type: ignore[return-value]


def unreadable(line: int, error: Exception) -> Problem:
    """The problem for a line the csv module cannot split into cells (a stray quote, a bare
    carriage return inside a field): reported like any other, never a traceback."""
    return Problem(line, "file", f"not readable as CSV ({error}); check the quoting on this line")


def computed_in(header: Iterable[str]) -> set[str]:
    """The aliases `header` has as computed columns: `health` beside `tam_sentiment`."""
    header = set(header)
    return {alias for alias, name in ALIASES.items() if alias in header and name in header}


def _field_of(name: str, computed: set[str]) -> str:
    """The field a header name sets: an alias read as such is its field's."""
    return name if name in computed else ALIASES.get(name, name)


def check_header(header: list[str]) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    computed = computed_in(header)
    for name in header:
        if name not in COLUMNS:
            problems.append(Problem(1, name or "(empty)", "unknown column"))
        elif _field_of(name, computed) in seen:
            problems.append(Problem(1, name, "column given twice"))
        seen.add(_field_of(name, computed))
    problems.extend(
        Problem(1, name, "required column missing") for name in REQUIRED_COLUMNS if name not in seen
    )
    return problems


# Given external ids, the stored parent (its external id, or None) of each that exists.
StoredParents = Callable[[set[str]], dict[str, "str | None"]]


class RowValidator:
    """Parses rows one by one, keeping every problem; cross-row checks run at the end.

    A row is handed back parsed and not kept: a file of any size is validated holding
    only each row's line, external id and parent. `ignored` columns (read and dropped)
    are those another file of the same import supersedes.
    """

    def __init__(
        self,
        header: list[str],
        *,
        region_codes: Iterable[str],
        stage_names: Iterable[str],
        stored_parents: StoredParents,
        ignored: Iterable[str] = (),
    ):
        self.header = header
        ignored = set(ignored) | computed_in(header)
        self.parsers = [(name, None if name in ignored else COLUMNS[name].parse) for name in header]
        self.columns = [name for name in header if name not in ignored]
        self.sets_parents = "parent_external_id" in self.columns
        self.region_codes = set(region_codes)
        self.stages_by_key = {name.lower(): name for name in stage_names}
        self.stored_parents = stored_parents
        self.problems: list[Problem] = []
        self.first_line_of: dict[str, int] = {}
        self.parent_of: dict[str, str] = {}  # the file's rows that name a parent
        self.valid_rows = 0

    def add(self, line: int, cells: list[str]) -> ParsedRow | None:
        """The row parsed, or None if it has problems (kept in `problems`)."""
        if len(cells) != len(self.header):
            self.problems.append(
                Problem(line, "row", f"has {len(cells)} cells, the header has {len(self.header)}")
            )
            return None
        values: dict[str, object] = {}
        row_problems = []
        for (name, parse), text in zip(self.parsers, cells, strict=True):
            if parse is None:
                continue
            try:
                values[name] = parse(text)
            except CellError as error:
                row_problems.append(Problem(line, name, str(error)))
        row = ParsedRow(line, values)
        row_problems.extend(self._check_row(row))
        self.problems.extend(row_problems)
        if row_problems:
            return None
        self.valid_rows += 1
        return row

    def _check_row(self, row: ParsedRow) -> Iterator[Problem]:
        values = row.values
        external_id = values.get("external_id")
        if external_id:
            first = self.first_line_of.setdefault(external_id, row.line)
            if first != row.line:
                yield Problem(row.line, "external_id", f"duplicate of line {first} ({external_id})")
        region = values.get("region")
        if region and region not in self.region_codes:
            yield Problem(row.line, "region", f"unknown region {region!r}")
        parent = values.get("parent_external_id")
        if parent and parent == external_id:
            yield Problem(row.line, "parent_external_id", "an account cannot be its own parent")
        elif parent and external_id:
            self.parent_of[external_id] = parent
        yield from self._check_stages(row)

    def _check_stages(self, row: ParsedRow) -> Iterator[Problem]:
        text = row.values.get("stages_adopted")
        if not text:
            return
        for raw in str(text).split(";"):
            name = raw.strip()
            if not name:
                continue
            stage = self.stages_by_key.get(name.lower())
            if stage is None:
                yield Problem(row.line, "stages_adopted", f"unknown stage {name!r}")
            elif stage not in row.stage_names:
                row.stage_names.append(stage)

    def finish(self) -> list[Problem]:
        """Cross-row checks, then every problem in line order: each parent named must exist
        in the file or the database, and parents must not form a cycle, through accounts
        already stored included (A -> B in the file while B -> A is stored)."""
        if self.sets_parents and self.parent_of:
            known = self._known_parents()
            for external_id, parent in self.parent_of.items():
                if parent not in known:
                    self.problems.append(
                        Problem(
                            self.first_line_of[external_id],
                            "parent_external_id",
                            f"no account {parent!r} in this file or the database",
                        )
                    )
            self.problems.extend(self._parent_cycles(known))
        # Stable: a line's problems keep the order they were found in.
        self.problems.sort(key=lambda problem: problem.line)
        return self.problems

    def _known_parents(self) -> dict[str, str | None]:
        """The parent of every account the file's parent chains reach: the file's own
        rows as the file says (an empty cell: none), the others as stored, level by level."""
        known: dict[str, str | None] = dict.fromkeys(self.first_line_of)
        known.update(self.parent_of)
        frontier = {parent for parent in self.parent_of.values() if parent not in known}
        while frontier:
            stored = self.stored_parents(frontier)
            known.update(stored)
            frontier = {parent for parent in stored.values() if parent and parent not in known}
        return known

    def _parent_cycles(self, known: dict[str, str | None]) -> Iterator[Problem]:
        """A problem on each row of the file that is part of a cycle; one walk per chain,
        so a long chain costs its length, not its length squared."""
        done: set[str] = set()
        for start in self.parent_of:
            path: list[str] = []
            on_path: dict[str, int] = {}
            current: str | None = start
            while current is not None and current not in done and current not in on_path:
                on_path[current] = len(path)
                path.append(current)
                current = known.get(current)
            done.update(path)
            if current is None or current not in on_path:
                continue
            cycle = path[on_path[current] :]
            shown = " -> ".join([*cycle[:6], "..." if len(cycle) > 6 else cycle[0]])
            for external_id in cycle:
                if external_id in self.parent_of:
                    yield Problem(
                        self.first_line_of[external_id],
                        "parent_external_id",
                        f"parents form a cycle: {shown}",
                    )
