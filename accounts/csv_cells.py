"""Reading one cell of a CSV file (DESIGN 9, 10): the parsers every column and every
kind of file uses, and the `Problem` a cell that cannot be read becomes. Pure: no Django.

Booleans are `true/false/yes/no/1/0` (any case); dates are ISO `YYYY-MM-DD` within the
supported range; amounts are plain USD numbers with at most two decimals (refused, never
rounded, when the column cannot hold them exactly); whole numbers are ASCII digits within
the column's range; text has the spreadsheet guard removed and its length bounded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lib.dates import EARLIEST_DATE, LATEST_DATE, in_supported_range
from lib.spreadsheet import unguard_cell

MAX_AMOUNT = Decimal("999999999999.99")  # fits numeric(14, 2)
MAX_WEEKLY_HOURS = Decimal(168)
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


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


def _parse_decimal(text: str, *, maximum: Decimal, places: int = 2) -> Decimal | None:
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
    return keep_places(value, places, text)


def keep_places(value: Decimal, places: int, text: str) -> Decimal:
    """`value` to `places` decimal places; refused if that would change it (12.345 for an
    amount kept to the cent): a figure is stored as given or not at all."""
    exact = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if exact != value:
        raise CellError(f"more than {places} decimal places: {text}")
    return exact


def parse_amount(text: str) -> Decimal | None:
    return _parse_decimal(text, maximum=MAX_AMOUNT)


def parse_weekly_hours(text: str) -> Decimal | None:
    return _parse_decimal(text, maximum=MAX_WEEKLY_HOURS)


# More digits than any whole-number column holds (the largest, a user count, has 10):
# refused before `int()`, which gives up on 4,300 digits with a ValueError.
MAX_WHOLE_NUMBER_DIGITS = 18


def parse_whole_number(text: str, *, low: int, high: int) -> int | None:
    """A whole number from `low` to `high`, written in ASCII digits with an optional sign."""
    text = text.strip()
    if not text:
        return None
    digits = text[1:] if text[0] in "+-" else text
    if not (digits.isascii() and digits.isdigit()):
        raise CellError(f"not a whole number: {text!r}")
    if len(digits.lstrip("0")) > MAX_WHOLE_NUMBER_DIGITS:
        raise CellError(f"must be between {low} and {high}: {text[:30]}...")
    value = int(text)
    if not low <= value <= high:
        raise CellError(f"must be between {low} and {high}: {value}")
    return value


def parse_user_count(text: str) -> int | None:
    return parse_whole_number(text, low=0, high=2_147_483_647)


def parse_nps(text: str) -> int | None:
    return parse_whole_number(text, low=0, high=10)


def parse_choice(allowed: tuple[str, ...], empty: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        lowered = text.strip().lower()
        if not lowered:
            return empty
        if lowered not in allowed:
            raise CellError(f"must be one of {', '.join(allowed)}: {text!r}")
        return lowered

    return parse


def clean_text(text: str) -> str:
    """A text cell as it was meant: the spaces around it dropped, then the one quote an
    export puts before a formula character (`lib.spreadsheet.guard_cell`) removed, so
    `'=x` reads `=x` and `''=x` reads `'=x`; any other quote is the text's own."""
    return unguard_cell(text.strip())


def parse_text(max_length: int, *, required: bool) -> Callable[[str], str]:
    def parse(text: str) -> str:
        text = clean_text(text)
        if required and not text.strip():
            raise CellError("required")
        if len(text) > max_length:
            raise CellError(f"longer than {max_length} characters")
        return text

    return parse


def parse_email(text: str) -> str:
    text = clean_text(text).lower()
    if text and (len(text) > 254 or not _EMAIL.match(text)):
        raise CellError(f"not an e-mail address: {text!r}")
    return text
