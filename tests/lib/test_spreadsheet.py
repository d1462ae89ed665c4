"""The formula guard of every CSV export and its removal on import (issue 11, point 5).

OWASP "CSV injection": a cell beginning with `=`, `+`, `-`, `@`, tab or carriage return is
run by a spreadsheet as a formula; a leading `'` makes it text. The pair must be lossless
for every string, a value that itself begins with `'=` included.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.spreadsheet import (
    FORMULA_STARTS,
    SpreadsheetWriter,
    cell_text_of,
    export_cell,
    guard_cell,
    unguard_cell,
)

# Arbitrary text, and text made mostly of the characters the rule turns on, so quotes
# before formula characters come up in nearly every example.
any_text = st.text()
tricky_text = st.text(alphabet="'=+-@\t\r\n \"a,;1", max_size=8)
texts = any_text | tricky_text
properties = settings(database=None, derandomize=True, max_examples=400)


@properties
@given(texts)
def test_unguarding_a_guarded_cell_gives_the_text_back(text):
    assert unguard_cell(guard_cell(text)) == text


@properties
@given(texts)
def test_a_guarded_cell_never_begins_with_a_formula_character(text):
    assert guard_cell(text)[:1] not in FORMULA_STARTS


@properties
@given(texts)
def test_text_that_arrives_unguarded_reads_back_as_itself(text):
    """An API value has no guard to remove: `cell_text_of` makes the import keep it."""
    assert unguard_cell(cell_text_of(text)) == text


@properties
@given(texts)
def test_only_a_cell_that_looks_guarded_is_changed_on_import(text):
    if unguard_cell(text) != text:
        assert text.startswith("'")
        assert text.lstrip("'")[:1] in FORMULA_STARTS
        assert guard_cell(unguard_cell(text)) == text


@properties
@given(st.lists(texts, max_size=5))
def test_a_row_written_and_read_back_through_csv_is_the_same(values):
    output = io.StringIO()
    SpreadsheetWriter(output).writerow(values)

    (cells,) = list(csv.reader(io.StringIO(output.getvalue())))

    assert [unguard_cell(cell) for cell in cells] == values
    assert all(cell[:1] not in FORMULA_STARTS for cell in cells)


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        (
            '=HYPERLINK("http://evil.example","Click")',
            '\'=HYPERLINK("http://evil.example","Click")',
        ),
        ("+1 555 0100", "'+1 555 0100"),
        ("-3.5", "'-3.5"),  # text that looks like a number is still text
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("'=already quoted", "''=already quoted"),
        ("''+twice", "'''+twice"),
        ("'hello", "'hello"),  # a quote before ordinary text is the text's own
        ("O'Brien", "O'Brien"),
        ("Initech, Inc.", "Initech, Inc."),
        ("a=b", "a=b"),
        ("'", "'"),
        ("", ""),
    ],
)
def test_the_guard_on_examples(text, cell):
    assert guard_cell(text) == cell
    assert unguard_cell(cell) == text


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (Decimal("-5"), "-5"),  # a negative ARR or delta stays a number
        (Decimal("-3.50"), "-3.50"),
        (Decimal("1E+1"), "10"),  # never in exponent form
        (-3, "-3"),
        (-3.5, "-3.5"),
        (None, ""),
        (True, "true"),
        (False, "false"),
        (date(2027, 3, 31), "2027-03-31"),
        (datetime(2027, 3, 31, 9, 30), "2027-03-31T09:30:00"),
        ("-5", "'-5"),
        ("=1+1", "'=1+1"),
    ],
)
def test_export_cell_writes_numbers_as_numbers_and_guards_text(value, cell):
    assert export_cell(value) == cell


def test_the_writer_streams_lines_through_an_echo():
    class Echo:
        def write(self, value):
            return value

    line = SpreadsheetWriter(Echo()).writerow(["=x", Decimal("-1"), None])

    assert line == "'=x,-1,\n"


def test_a_bare_carriage_return_inside_a_cell_is_quoted():
    """csv.writer with a "\n" line end would leave it bare, and a reader would end the row."""
    output = io.StringIO()
    SpreadsheetWriter(output).writerow(["a\rb", "c"])

    assert output.getvalue() == '"a\rb",c\n'
    assert list(csv.reader(io.StringIO(output.getvalue()))) == [["a\rb", "c"]]
