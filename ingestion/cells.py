"""Reading one cell of a fact file (DESIGN 10): pure, no Django.

Every parser takes the cell's text (a CSV cell, or an API value turned into text by
`text_of`) and returns the value or raises `CellError` with the message a `Problem`
carries. The account file's parsers (`accounts.csv_format`) are reused as they are, so
a date, a boolean or an amount reads the same in every kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from accounts.csv_cells import (
    CellError,
    keep_places,
    parse_amount,
    parse_bool,
    parse_choice,
    parse_date,
    parse_email,
    parse_text,
    parse_user_count,
    parse_weekly_hours,
    parse_whole_number,
)
from lib.spreadsheet import cell_text_of

__all__ = [
    "CellError",
    "parse_amount",
    "parse_bool",
    "parse_choice",
    "parse_date",
    "parse_email",
    "parse_external_id",
    "parse_fiscal_quarter",
    "parse_optional_bool",
    "parse_score",
    "parse_share",
    "parse_text",
    "parse_user_count",
    "parse_weekly_hours",
    "text_of",
]

_QUARTER = re.compile(r"^FY[0-9]{2}-Q[1-4]$")
_SHARE_PLACES = 4  # users_share is numeric(5, 4)

parse_external_id = parse_text(64, required=True)


def parse_optional_bool(text: str) -> bool | None:
    """A yes/no detail that may be unknown: an empty cell is None, not false."""
    return None if not text.strip() else parse_bool(text)


def parse_score(low: int, high: int) -> Callable[[str], int | None]:
    """A whole number from `low` to `high` (NPS 0-10, CSAT and feedback 1-5)."""

    def parse(text: str) -> int | None:
        return parse_whole_number(text, low=low, high=high)

    return parse


def parse_share(text: str) -> Decimal | None:
    """A share of users from 0 to 1 (0.25 is a quarter), with at most four decimals."""
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(f"not a number: {text!r}") from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
        raise CellError(f"must be between 0 and 1: {text}")
    return keep_places(value, _SHARE_PLACES, text)


def parse_fiscal_quarter(text: str) -> str:
    text = text.strip().upper()
    if not _QUARTER.match(text):
        raise CellError(f"not a fiscal quarter like FY27-Q4: {text!r}")
    return text


def text_of(value: object) -> str:
    """An API value as the cell text the parsers read (None is an empty cell)."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    # An API value carries no export guard: one that looks guarded (`'=x`) gets another
    # quote, which the text parsers remove, so it is stored as sent.
    return cell_text_of(value) if isinstance(value, str) else str(value)
