"""Fiscal calendar: pure date arithmetic, no Django.

The fiscal year starts on the 1st of a configurable month (`FISCAL_YEAR_START_MONTH`,
default February) and is labelled by the calendar year it ends in: with February,
FY22 runs from 2021-02-01 to 2022-01-31 (DESIGN section 2). With January the fiscal
year is the calendar year. Quarters are three calendar months each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from lib.dates import first_of_month, shift

_LABEL = re.compile(r"^FY(\d{2})-Q([1-4])$")


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


@dataclass(frozen=True, order=True)
class FiscalQuarter:
    fiscal_year: int  # full year, e.g. 2027 for FY27
    quarter: int  # 1..4
    start_month: int = 2

    @property
    def label(self) -> str:
        return f"FY{self.fiscal_year % 100:02d}-Q{self.quarter}"

    @property
    def spoken(self) -> str:
        """As people say it (DESIGN 12, "Words, not codes"): "FY2027 Q1". The label
        (`FY27-Q1`) stays what is stored, filtered on and exported."""
        return f"FY{self.fiscal_year} Q{self.quarter}"

    def _first_month(self) -> tuple[int, int]:
        first_year = self.fiscal_year if self.start_month == 1 else self.fiscal_year - 1
        return _add_months(first_year, self.start_month, 3 * (self.quarter - 1))

    # The quarters of a date at the calendar's ends (0001-01-01, 9999-12-31) reach past it:
    # their start and end stop at date.min / date.max (lib.dates).
    @property
    def start(self) -> date:
        return first_of_month(*self._first_month())

    @property
    def end(self) -> date:
        year, month = _add_months(*self._first_month(), 3)
        return date.max if year > date.max.year else shift(first_of_month(year, month), -1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def shifted(self, quarters: int) -> FiscalQuarter:
        index = self.fiscal_year * 4 + (self.quarter - 1) + quarters
        return FiscalQuarter(index // 4, index % 4 + 1, self.start_month)

    @property
    def previous(self) -> FiscalQuarter:
        return self.shifted(-1)

    def __str__(self) -> str:
        return self.label


def fiscal_quarter_of(day: date, start_month: int = 2) -> FiscalQuarter:
    if not 1 <= start_month <= 12:
        raise ValueError(f"fiscal year start month must be 1..12, got {start_month}")
    months_into_year = (day.month - start_month) % 12
    first_year = day.year if day.month >= start_month else day.year - 1
    fiscal_year = first_year if start_month == 1 else first_year + 1
    return FiscalQuarter(fiscal_year, months_into_year // 3 + 1, start_month)


def parse_quarter_label(label: str, start_month: int = 2) -> FiscalQuarter:
    """Parse `FY27-Q4`; two-digit years are taken as 20xx."""
    match = _LABEL.match(label.strip().upper())
    if not match:
        raise ValueError(f"not a fiscal quarter label like FY27-Q4: {label!r}")
    return FiscalQuarter(2000 + int(match.group(1)), int(match.group(2)), start_month)


def quarter_text(quarter: FiscalQuarter | str | None) -> str:
    """A quarter or a stored label as people read it: "FY27-Q1" -> "FY2027 Q1"; text that is
    not a label is returned as it is, None as ""."""
    if quarter is None:
        return ""
    if isinstance(quarter, FiscalQuarter):
        return quarter.spoken
    try:
        return parse_quarter_label(quarter).spoken
    except ValueError:
        return str(quarter)


def last_quarters(day: date, count: int, start_month: int = 2) -> list[FiscalQuarter]:
    """The `count` fiscal quarters ending with the one containing `day`, oldest first."""
    current = fiscal_quarter_of(day, start_month)
    return [current.shifted(-offset) for offset in range(count - 1, -1, -1)]
