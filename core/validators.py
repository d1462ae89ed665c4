"""Validators every form that takes a date from a person uses (issue 11: the same bounds as
the CSV and the API, `lib.dates`), and the bound on a person's text (issue 12 point 7,
`lib.text_bounds`)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible

from lib.dates import EARLIEST_DATE, LATEST_DATE, in_supported_range
from lib.text_bounds import too_long


def supported_date(value: date) -> None:
    if value is not None and not in_supported_range(value):
        raise ValidationError(
            f"Enter a date between {EARLIEST_DATE:%Y-%m-%d} and {LATEST_DATE:%Y-%m-%d}.",
            code="date_out_of_range",
        )


@deconstructible
class AtMostCharacters(MaxLengthValidator):
    """Django's max-length check with the house's one message (`lib.text_bounds.too_long`).

    On a model's TextField it is what makes the bound hold: a TextField's `max_length`
    alone only sizes the form's textarea and is not checked by `full_clean`.
    """

    def __call__(self, value):
        problem = too_long(value, self.limit_value) if value is not None else None
        if problem:
            raise ValidationError(problem, code=self.code)
