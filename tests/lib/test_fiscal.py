"""Fiscal calendar: FY labelled by its ending year, quarters of three months."""

from datetime import date

import pytest

from lib.fiscal import fiscal_quarter_of, last_quarters, parse_quarter_label


def test_february_start_matches_design_example():
    # DESIGN section 2: FY22 = Feb 2021 to Jan 2022.
    assert fiscal_quarter_of(date(2021, 2, 1)).label == "FY22-Q1"
    assert fiscal_quarter_of(date(2022, 1, 31)).label == "FY22-Q4"
    assert fiscal_quarter_of(date(2021, 1, 31)).label == "FY21-Q4"


def test_today_is_fy27_q4():
    quarter = fiscal_quarter_of(date(2026, 11, 22))
    assert quarter.label == "FY27-Q4"
    assert (quarter.start, quarter.end) == (date(2026, 11, 1), date(2027, 1, 31))


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2026, 4, 30), "FY27-Q1"),
        (date(2026, 5, 1), "FY27-Q2"),
        (date(2026, 10, 31), "FY27-Q3"),
    ],
)
def test_quarter_boundaries(day, label):
    assert fiscal_quarter_of(day).label == label


def test_calendar_year_when_starting_in_january():
    quarter = fiscal_quarter_of(date(2026, 12, 31), start_month=1)
    assert quarter.label == "FY26-Q4"
    assert quarter.start == date(2026, 10, 1)
    assert quarter.end == date(2026, 12, 31)


def test_shift_and_parse_round_trip():
    quarter = parse_quarter_label("FY27-Q1")
    assert quarter.previous.label == "FY26-Q4"
    assert quarter.previous.end == date(2026, 1, 31)
    assert quarter.shifted(4).label == "FY28-Q1"
    assert [q.label for q in last_quarters(date(2026, 11, 22), 3)] == [
        "FY27-Q2",
        "FY27-Q3",
        "FY27-Q4",
    ]


def test_bad_label_is_rejected():
    with pytest.raises(ValueError, match="FY27-Q4"):
        parse_quarter_label("2027Q4")
