"""The account CSV format of DESIGN section 9: columns, cell parsers and row validation.

Pure Python, no Django: the import service hands in the known region codes and stage
names, gets back parsed rows or every problem as a `Problem` (line, column, message),
which prints as `line N: column: problem`.

Cell rules: only `external_id`, `name` and `region` are required; a column left out of
the file leaves the field as it is; an empty cell sets the field to unknown / false /
none. Booleans are `true/false/yes/no/1/0` (any case); dates are ISO `YYYY-MM-DD`;
amounts are plain numbers in USD (no currency sign or thousands separator), kept to the
cent. `segment`, `priority` and `priority_reasons` are computed by the rule engine: the
export writes them so a file can be read back, and the import accepts and ignores them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lib.dates import EARLIEST_DATE, LATEST_DATE, in_supported_range

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
COMPUTED_COLUMNS = ("segment", "priority", "priority_reasons")
# Older names still read: `health` is what DESIGN 10 renamed `tam_sentiment`.
ALIASES = {"health": "tam_sentiment"}
EXPORT_COLUMNS = EXPORT_LEADING_COLUMNS + tuple(
    column for column in IMPORT_COLUMNS if column not in EXPORT_LEADING_COLUMNS
)

MAX_AMOUNT = Decimal("999999999999.99")  # fits numeric(14, 2)
MAX_WEEKLY_HOURS = Decimal(168)
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (line, column) and what.

    Printed as `line N: column: problem`, the form the import command reports (DESIGN 9).
    The column is a header name, or `header` / `row` for the file or a row as a whole.
    """

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.message}"


class CellError(ValueError):
    """A cell that cannot be read; the message is the `Problem`'s."""


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered == "" or lowered in _FALSE:
        return False
    if lowered in _TRUE:
        return True
    raise CellError(f"not a boolean (true/false/yes/no/1/0): {text!r}")


def parse_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    # fromisoformat alone also takes forms like 20240101; the file format is YYYY-MM-DD.
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise CellError(f"not an ISO date YYYY-MM-DD: {text!r}")
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise CellError(f"not a valid date: {text!r} ({error})") from None
    if not in_supported_range(day):
        raise CellError(
            f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}: {text}"
        )
    return day


def _parse_decimal(text: str, *, maximum: Decimal) -> Decimal | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise CellError(f"not a number: {text!r}")
    if value < 0:
        raise CellError(f"must not be negative: {text}")
    if value > maximum:
        raise CellError(f"too large (at most {maximum}): {text}")
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def parse_amount(text: str) -> Decimal | None:
    return _parse_decimal(text, maximum=MAX_AMOUNT)


def parse_weekly_hours(text: str) -> Decimal | None:
    return _parse_decimal(text, maximum=MAX_WEEKLY_HOURS)


def _parse_int(text: str, *, low: int, high: int) -> int | None:
    text = text.strip()
    if not text:
        return None
    digits = text[1:] if text[0] in "+-" else text
    if not (digits.isascii() and digits.isdigit()):
        raise CellError(f"not a whole number: {text!r}")
    value = int(text)
    if not low <= value <= high:
        raise CellError(f"must be between {low} and {high}: {value}")
    return value


def parse_user_count(text: str) -> int | None:
    return _parse_int(text, low=0, high=2_147_483_647)


def parse_nps(text: str) -> int | None:
    return _parse_int(text, low=0, high=10)


def parse_choice(allowed: tuple[str, ...], empty: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        lowered = text.strip().lower()
        if not lowered:
            return empty
        if lowered not in allowed:
            raise CellError(f"must be one of {', '.join(allowed)}: {text!r}")
        return lowered

    return parse


def parse_text(max_length: int, *, required: bool) -> Callable[[str], str]:
    def parse(text: str) -> str:
        text = text.strip()
        if required and not text:
            raise CellError("required")
        if len(text) > max_length:
            raise CellError(f"longer than {max_length} characters")
        return text

    return parse


def parse_email(text: str) -> str:
    text = text.strip().lower()
    if text and (len(text) > 254 or not _EMAIL.match(text)):
        raise CellError(f"not an e-mail address: {text!r}")
    return text


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
    # The TAM's green / yellow / red judgement is kept in the account's `health` field.
    "tam_sentiment": Column("tam_sentiment", _SENTIMENT, account_field="health"),
    "health": Column("health", _SENTIMENT, account_field="health"),
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
    **{name: Column(name, _ignored) for name in COMPUTED_COLUMNS},
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


@dataclass
class ValidationResult:
    columns: list[str]
    rows: list[ParsedRow]
    problems: list[Problem]


def unreadable(line: int, error: Exception) -> Problem:
    """The problem for a line the csv module cannot split into cells (a stray quote, a bare
    carriage return inside a field): reported like any other, never a traceback."""
    return Problem(line, "file", f"not readable as CSV ({error}); check the quoting on this line")


def check_header(header: list[str]) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for name in header:
        if name not in COLUMNS:
            problems.append(Problem(1, name or "(empty)", "unknown column"))
        elif ALIASES.get(name, name) in seen:
            problems.append(Problem(1, name, "column given twice"))
        seen.add(ALIASES.get(name, name))
    problems.extend(
        Problem(1, name, "required column missing") for name in REQUIRED_COLUMNS if name not in seen
    )
    return problems


class RowValidator:
    """Parses rows one by one, keeping every problem; cross-row checks run at the end."""

    def __init__(
        self,
        header: list[str],
        *,
        region_codes: Iterable[str],
        stage_names: Iterable[str],
        existing_external_ids: Callable[[set[str]], set[str]],
    ):
        self.header = header
        self.region_codes = set(region_codes)
        self.stages_by_key = {name.lower(): name for name in stage_names}
        self.existing_external_ids = existing_external_ids
        self.rows: list[ParsedRow] = []
        self.problems: list[Problem] = []
        self.first_line_of: dict[str, int] = {}

    def add(self, line: int, cells: list[str]) -> None:
        if len(cells) != len(self.header):
            self.problems.append(
                Problem(line, "row", f"has {len(cells)} cells, the header has {len(self.header)}")
            )
            return
        values: dict[str, object] = {}
        row_problems = []
        for name, text in zip(self.header, cells, strict=True):
            try:
                values[name] = COLUMNS[name].parse(text)
            except CellError as error:
                row_problems.append(Problem(line, name, str(error)))
        row = ParsedRow(line, values)
        row_problems.extend(self._check_row(row))
        self.problems.extend(row_problems)
        if not row_problems:
            self.rows.append(row)

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
        if values.get("parent_external_id") and values["parent_external_id"] == external_id:
            yield Problem(row.line, "parent_external_id", "an account cannot be its own parent")
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

    def finish(self) -> ValidationResult:
        """Cross-row checks: every parent named must exist in the file or the database."""
        parents = {
            row.values["parent_external_id"]
            for row in self.rows
            if row.values.get("parent_external_id")
        }
        missing = parents - set(self.first_line_of)
        if missing:
            missing -= self.existing_external_ids(missing)
        for row in self.rows:
            parent = row.values.get("parent_external_id")
            if parent in missing:
                self.problems.append(
                    Problem(
                        row.line,
                        "parent_external_id",
                        f"no account {parent!r} in this file or the database",
                    )
                )
        self.problems.extend(self._parent_cycles())
        # Stable: a line's problems keep the order they were found in.
        self.problems.sort(key=lambda problem: problem.line)
        return ValidationResult(list(self.header), self.rows, self.problems)

    def _parent_cycles(self) -> Iterator[Problem]:
        parent_of = {
            row.external_id: row.values["parent_external_id"]
            for row in self.rows
            if row.values.get("parent_external_id")
        }
        for row in self.rows:
            seen = {row.external_id}
            current = parent_of.get(row.external_id)
            while current is not None and current not in seen:
                seen.add(current)
                current = parent_of.get(current)
            if current == row.external_id:
                yield Problem(row.line, "parent_external_id", "parents form a cycle")


def format_bool(value: bool) -> str:
    return "true" if value else "false"


def format_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return format_bool(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
