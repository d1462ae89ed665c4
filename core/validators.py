"""Validators every form that takes a date from a person uses (issue 11: the same bounds as
the CSV and the API, `lib.dates`)."""

from datetime import date

from django.core.exceptions import ValidationError

from lib.dates import EARLIEST_DATE, LATEST_DATE, in_supported_range


def supported_date(value: date) -> None:
    if value is not None and not in_supported_range(value):
        raise ValidationError(
            f"Enter a date between {EARLIEST_DATE:%Y-%m-%d} and {LATEST_DATE:%Y-%m-%d}.",
            code="date_out_of_range",
        )
