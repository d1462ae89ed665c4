"""Reading an import file into records with their lines, whatever the file holds: pure.

Every importer (accounts, every fact kind, the API's accounts records) reads through
here, so a hostile file gets the same plain `Problem` everywhere, never a traceback:

- **Encodings.** A TAM team's files come from Excel, Google Sheets, a CRM or a warehouse
  query. Read: UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8", Sheets, most
  exports) and UTF-16 with its byte-order mark (Excel's "Unicode text": the mark says
  which it is). Anything else is refused at its first byte that is not UTF-8, with its
  line and column: `line 7: file: not UTF-8 text (byte 0xe9 at column 12); save it as
  "CSV UTF-8"`. Windows-1252 / Latin-1 are not guessed: the same bytes are different
  letters in each, and a wrong guess would write wrong names without a word.
- **NUL characters** (a binary file, UTF-16 saved without its mark) are refused on their
  line and column: PostgreSQL cannot store them, and no CSV holds them on purpose.
- **Quoting** is read strictly: a quote left open, or a quote inside a quoted cell that is
  not doubled, stops the reading with the line the broken record *starts* on (a quote
  left open swallows the lines after it, so the line the reader stopped on is not where
  to look). A cell over the csv module's limit (128 kB; the longest column holds 10,000
  characters) is refused the same way.
- **Lines** are the file's own (header = line 1); a record whose quoted cells hold line
  breaks spans several and is reported by its first. CRLF, LF and CR endings all read.

Reading streams: one line at a time, so a file of any size costs the memory of its
longest record.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from .csv_cells import Problem

SAVE_AS = 'save it as "CSV UTF-8"'
_UTF16_BOMS = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}
# A line's endings as the csv module wants them kept: CRLF, LF, or a lone CR (old Macs).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


class Unreadable(Exception):
    """The file cannot be read past this point; `problem` says where and why."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Record:
    line: int  # the file line the record starts on
    last_line: int  # the line it ends on (a quoted cell may hold line breaks)
    cells: list[str]

    @property
    def blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


def lines_of(stream: IO) -> Iterable[str]:
    """The text lines of `stream`: decoded here if it is binary (a file opened "rb"),
    as they come if it is text already (an API request's records written as CSV)."""
    if isinstance(stream, io.TextIOBase):
        return stream
    return decoded_lines(stream)


def decoded_lines(raw: IO[bytes]) -> Iterator[str]:
    """The lines of a binary file, decoded, line endings kept; raises `Unreadable` at the
    first byte that is not text in the file's encoding, naming its line and column."""
    first = raw.readline()
    for bom, encoding in _UTF16_BOMS.items():
        if first.startswith(bom):
            yield from _utf16_lines(raw, first[len(bom) :], encoding)
            return
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8) :]
    number = 0
    # UTF-8 never has the byte of "\n" inside a character: each line decodes on its own.
    for raw_line in itertools.chain([first] if first else [], raw):
        try:
            text = raw_line.decode("utf-8")
        except UnicodeDecodeError as error:
            column = len(raw_line[: error.start].decode("utf-8", "replace")) + 1
            byte = raw_line[error.start]
            raise Unreadable(
                Problem(
                    number + 1,
                    "file",
                    f"not UTF-8 text (byte 0x{byte:02x} at column {column}); {SAVE_AS}",
                )
            ) from None
        if "\r" in text[:-2]:  # lone carriage returns end lines too
            for part in _LINE.findall(text):
                number += 1
                yield part
        else:
            number += 1
            yield text


def _utf16_lines(raw: IO[bytes], rest: bytes, encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    number, pending = 0, ""
    chunk = rest + raw.read(1 << 16)
    while True:
        try:
            text = pending + decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            raise Unreadable(
                Problem(number + 1, "file", f"not UTF-16 text ({error.reason}); {SAVE_AS}")
            ) from None
        parts = _LINE.findall(text)
        # The last part may be a line cut by the chunk (or a CR whose LF comes next).
        pending = parts.pop() if parts and chunk else ""
        for part in parts:
            number += 1
            yield part
        if not chunk:
            return
        chunk = raw.read(1 << 16)


def read_records(lines: Iterable[str]) -> Iterator[Record]:
    """Each CSV record of `lines` with the line it starts on; raises `Unreadable` where the
    csv module cannot go on (a quote left open, a cell over its limit)."""
    reader = csv.reader(lines, strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise Unreadable(unreadable_record(start, reader.line_num, error)) from None
        except UnicodeDecodeError as error:  # a text stream opened by a caller
            raise Unreadable(
                Problem(start, "file", f"not UTF-8 text ({error.reason}); {SAVE_AS}")
            ) from None
        yield Record(start, reader.line_num, cells)
        start = reader.line_num + 1


def unreadable_record(start: int, stopped: int, error: csv.Error) -> Problem:
    """The problem for a record the csv module cannot read, said plainly, on the line the
    record starts on."""
    reason = str(error)
    where = f" (the reader stopped on line {stopped})" if stopped > start else ""
    if "field larger than field limit" in reason:
        limit = csv.field_size_limit()
        what = (
            f"a cell longer than {limit:,} characters, more than any column holds; "
            "or a quote opened on this line is never closed"
        )
    elif "unexpected end of data" in reason:
        what = "the file ends inside a quoted cell: a quote opened on this line is never closed"
    elif "expected after" in reason:
        what = 'a quote inside a quoted cell must be written twice ("")'
    elif "new-line character" in reason:
        what = "a carriage return inside a cell that is not quoted"
    else:
        what = reason
    return Problem(start, "file", f"not readable as CSV: {what}{where}; check the quoting")


def header_of(record: Record) -> tuple[list[str], list[Problem]]:
    """The column names of the first record, or the problem that makes them unreadable."""
    if any("\x00" in cell for cell in record.cells):
        return [], [
            Problem(
                record.line,
                "file",
                "holds NUL characters: not a text file, or saved as UTF-16 without its "
                f"byte-order mark; {SAVE_AS}",
            )
        ]
    return [name.strip() for name in record.cells], []


def shape_problems(record: Record, header: list[str]) -> list[Problem]:
    """A row with more or fewer cells than the header, or a cell holding a NUL character."""
    if len(record.cells) != len(header):
        spans = (
            f" (it runs from line {record.line} to {record.last_line}: a quote opened on "
            f"line {record.line} may not be closed where it should)"
            if record.last_line > record.line
            else ""
        )
        return [
            Problem(
                record.line,
                "row",
                f"has {len(record.cells)} cells, the header has {len(header)}{spans}",
            )
        ]
    return [
        Problem(record.line, name or "(empty)", problem)
        for name, cell in zip(header, record.cells, strict=True)
        if (problem := text_problem(cell))
    ]


def text_problem(text: str) -> str | None:
    """What makes a cell's text unstorable, if anything: a NUL character (PostgreSQL
    refuses it) or a lone surrogate (a JSON escape like "\\ud800" no UTF-8 can hold)."""
    if "\x00" in text:
        return "holds a NUL character (byte 0): not text"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "holds a character that is not text (a lone surrogate)"
    return None
