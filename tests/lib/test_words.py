"""Values as people read them (lib/words.py, DESIGN 12 "Words, not codes")."""

import datetime
from decimal import Decimal

import pytest

from lib.fiscal import FiscalQuarter, quarter_text
from lib.words import (
    date_text,
    dates_text,
    days_text,
    hours_text,
    money_text,
    months_text,
    number_text,
    percent_number_text,
    percent_text,
    score_text,
    yes_no,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("75000.00", "$75,000"),  # how a rule fact carries ARR (prioritization/facts.money)
        (Decimal("1234567.49"), "$1,234,567"),
        (0, "$0"),  # a churned account's ARR
        (Decimal("-500"), "-$500"),
    ],
)
def test_money_reads_as_whole_dollars(value, expected):
    assert money_text(value) == expected


@pytest.mark.parametrize(
    ("share", "signed", "expected"),
    [
        (Decimal("0.5"), False, "50%"),
        (Decimal("0.2930"), False, "29.3%"),  # one decimal at most
        (Decimal("1.0000"), False, "100%"),
        (Decimal("0.1"), True, "+10%"),  # growth says its sign
        (Decimal("-0.025"), True, "-2.5%"),
    ],
)
def test_a_share_reads_as_a_percentage(share, signed, expected):
    assert percent_text(share, signed=signed) == expected


def test_a_figure_already_in_percent_keeps_its_number():
    assert percent_number_text("12.50") == "12.5%"


def test_a_csat_score_reads_on_its_five_point_scale():
    assert score_text(Decimal("4.0000")) == "4.0 of 5"
    assert score_text(Decimal("3.714")) == "3.7 of 5"


@pytest.mark.parametrize(
    ("formatter", "count", "expected"),
    [
        (months_text, 7, "7 months"),
        (months_text, 1, "1 month"),
        (days_text, 45, "45 days"),
        (days_text, Decimal("1"), "1 day"),
        (days_text, Decimal("67.25"), "67.25 days"),
        (hours_text, "4.50", "4.5 hours a week"),
    ],
)
def test_counts_name_their_unit(formatter, count, expected):
    assert formatter(count) == expected


def test_numbers_drop_trailing_zeros_but_keep_thousands():
    assert number_text(Decimal("2.00")) == "2"
    assert number_text("2.50") == "2.5"
    assert number_text(1234) == "1,234"
    assert number_text(100) == "100"


def test_booleans_read_yes_or_no():
    assert (yes_no(True), yes_no(False)) == ("yes", "no")


def test_dates_read_in_the_one_house_format():
    assert date_text(datetime.date(2026, 12, 1)) == "2026-12-01"
    assert date_text(datetime.datetime(2026, 3, 5, 23, 59)) == "2026-03-05"
    assert date_text("2027-06-01") == "2027-06-01"  # ISO text is already in it
    assert date_text(None) == "" and date_text(None, empty="never") == "never"
    assert dates_text(["2027-01-03", datetime.date(2027, 7, 3)]) == "2027-01-03, 2027-07-03"
    assert dates_text([]) == "none"


def test_a_quarter_reads_as_people_say_it():
    # DESIGN 2: FY27 (February start) ends in calendar 2027; its first quarter is Feb-Apr 2026.
    assert FiscalQuarter(2027, 1).spoken == "FY2027 Q1"
    assert quarter_text("FY27-Q4") == "FY2027 Q4"  # a stored label
    assert quarter_text(FiscalQuarter(2026, 3)) == "FY2026 Q3"
    assert quarter_text("next quarter") == "next quarter"  # not a label: as it is
    assert quarter_text(None) == ""
