"""Values as people read them (DESIGN 12, "Words, not codes"): pure, no Django.

Every face (account page, dashboard, Today, the CSVs people open) formats money, shares,
scores, counts of days or months, yes/no and dates through these, so `75000.00` reads
"$75,000" and a CSAT of 4 reads "4.0 of 5" wherever it shows. The rule facts
(prioritization/fact_words.py) and the metric targets (metrics/target_words.py) build on
them; fiscal quarters read as people say them through `lib.fiscal.quarter_text`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

# The house's one date format (ISO 8601: unambiguous for a team across regions). Django's
# DATE_FORMAT (tam_portal/formats/en/formats.py) says the same in its own syntax.
DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M"

# Scores people give (CSAT, webinar feedback) are on a 1-5 scale (DESIGN 5).
SCORE_SCALE = 5


def _decimal(value: object) -> Decimal | None:
    """A number from a Decimal, int, float or its text ("75000.00"); None otherwise."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def number_text(value: object, places: int = 2) -> str:
    """At most `places` decimals, no trailing zeros: 2.00 -> "2", 2.50 -> "2.5", 1234 -> "1,234"."""
    number = _decimal(value)
    if number is None:
        return str(value)
    text = f"{number:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money_text(value: object) -> str:
    """Whole dollars with thousands separators: 75000.00 -> "$75,000"."""
    number = _decimal(value)
    if number is None:
        return str(value)
    sign = "-" if number < 0 else ""
    return f"{sign}${abs(number):,.0f}"


def percent_text(share: object, *, signed: bool = False) -> str:
    """A fraction as a percentage to at most one decimal: 0.5 -> "50%", 0.293 -> "29.3%";
    `signed` for growth: 0.1 -> "+10%"."""
    number = _decimal(share)
    if number is None:
        return str(share)
    text = number_text(number * 100, places=1)
    if signed and number > 0:
        text = f"+{text}"
    return f"{text}%"


def percent_number_text(percent: object) -> str:
    """A figure already in percent: 12.50 -> "12.5%"."""
    number = _decimal(percent)
    return str(percent) if number is None else f"{number_text(number, places=1)}%"


def score_text(value: object, scale: int = SCORE_SCALE) -> str:
    """A score on its scale, one decimal: 4 -> "4.0 of 5"."""
    number = _decimal(value)
    return str(value) if number is None else f"{number:.1f} of {scale}"


def _plural(count: object, unit: str) -> str:
    number = _decimal(count)
    if number is None:
        return str(count)
    return f"{number_text(number)} {unit}{'' if number == 1 else 's'}"


def days_text(count: object) -> str:
    """45 -> "45 days", 1 -> "1 day"."""
    return _plural(count, "day")


def months_text(count: object) -> str:
    """7 -> "7 months", 1 -> "1 month"."""
    return _plural(count, "month")


def hours_text(value: object) -> str:
    """Hours a week: 4.50 -> "4.5 hours a week"."""
    return f"{_plural(value, 'hour')} a week"


def yes_no(value: object) -> str:
    return "yes" if value else "no"


def date_text(day: date | datetime | str | None, empty: str = "") -> str:
    """A date in the house format; a datetime gives its day; ISO text ("2026-12-01") is
    already in it; None gives `empty`."""
    if day is None or day == "":
        return empty
    if isinstance(day, datetime):
        day = day.date()
    if isinstance(day, date):
        return day.strftime(DATE_FORMAT)
    return str(day)


def dates_text(days, empty: str = "none") -> str:
    """Several dates, comma-separated: "2027-01-03, 2027-07-03"; none gives `empty`."""
    texts = [date_text(day) for day in days or ()]
    return ", ".join(texts) if texts else empty


def health_text(band: str, score: object = None, unknown: str = "Unknown") -> str:
    """The computed health (DESIGN 11) as people read it: "Green 82"; a blank band, every
    measure N/A, is `unknown`."""
    if not band:
        return unknown
    word = str(band).capitalize()
    return word if score is None else f"{word} {score}"
