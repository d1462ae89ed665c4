"""CSV cells a spreadsheet opens as data, never as formulas (OWASP "CSV injection").

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` (and, in some, a tab or
a carriage return) as a formula, so a name like `=HYPERLINK("http://evil", "Click")` in an
export would become a live link. Every CSV a person may open is written through
`SpreadsheetWriter`, and every import reads its text cells back through `unguard_cell`.

The rule, one pair, lossless for every string:
- `guard_cell`: a text cell that begins with one of those characters, after any run of
  single quotes, gets one more `'` in front: `=SUM(A1)` -> `'=SUM(A1)`, `'=x` -> `''=x`.
  Everything else is written as it is (`'hello`, `don't`, `O'Brien`).
- `unguard_cell`: a cell that begins with `'` and then, after any further quotes, one of
  those characters loses its first `'`. So `unguard_cell(guard_cell(s)) == s` for every
  `s`, and a cell written by hand only changes if it looks guarded (`'=x` reads as `=x`,
  which is also what a spreadsheet shows for it).
Numbers are not text: `export_cell` writes a `Decimal`, an `int` or a `float` as the
number it is (ARR -5 stays `-5`), and only `str` values are guarded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

__all__ = [
    "FORMULA_STARTS",
    "SpreadsheetWriter",
    "cell_text_of",
    "export_cell",
    "guard_cell",
    "is_guarded",
    "unguard_cell",
]

GUARD = "'"
FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r"})


def _starts_formula(text: str) -> bool:
    """True if `text`, past any leading quotes, begins with a formula character."""
    first = text[:1]
    if first == GUARD:
        first = text.lstrip(GUARD)[:1]
    return first in FORMULA_STARTS


def guard_cell(text: str) -> str:
    """`text` as a cell a spreadsheet shows as text (see the module's rule)."""
    return GUARD + text if _starts_formula(text) else text


def is_guarded(text: str) -> bool:
    """True if `text` is a cell `guard_cell` wrote with its guard."""
    return text[:1] == GUARD and _starts_formula(text)


def unguard_cell(text: str) -> str:
    """The text `guard_cell` was given for the cell `text`: its first `'` removed if it
    looks guarded, else `text` itself."""
    return text[1:] if is_guarded(text) else text


def cell_text_of(text: str) -> str:
    """The cell that `unguard_cell` reads back as `text` exactly, for text that arrives
    without a guard (an API value): only one that looks guarded gets another quote."""
    return GUARD + text if is_guarded(text) else text


def export_cell(value: object) -> str:
    """One value as its CSV cell: None is empty, booleans `true`/`false`, dates ISO,
    numbers as written (a Decimal without exponent), text (and anything else) guarded."""
    if value is None:
        return ""
    if isinstance(value, str):
        return guard_cell(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = str(value)
        return f"{value:f}" if "E" in text else text  # 1E+1 is written 10
    if isinstance(value, int | float):
        return str(value)
    return guard_cell(str(value))  # anything else is shown as text


class SpreadsheetWriter:
    """`csv.writer` for a file a person may open: each value through `export_cell`, each
    line ending in `\n`.

    `writerow` returns what `output.write` returned, so a writer over an echo object
    yields the lines of a streamed response.
    """

    def __init__(self, output):
        self._output = output
        self._writer = csv.writer(output, lineterminator="\n")
        self._line = io.StringIO()
        # Python 3.11 quotes a cell only for the line terminator's characters: with "\n"
        # alone, a cell holding a bare carriage return would go out unquoted and end the
        # row on reading. Such a row is written with "\r\n", then ended in "\n" alone.
        self._quoting_cr = csv.writer(self._line, lineterminator="\r\n")

    def writerow(self, values: Iterable[object]):
        cells = [export_cell(value) for value in values]
        if not any("\r" in cell for cell in cells):
            return self._writer.writerow(cells)
        self._line.seek(0)
        self._line.truncate()
        self._quoting_cr.writerow(cells)
        return self._output.write(self._line.getvalue()[:-2] + "\n")
