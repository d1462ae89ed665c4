"""Form fields the portal's forms share (issue 12 point 7)."""

from django import forms
from django.core.validators import MaxLengthValidator

from .validators import AtMostCharacters


class BoundedCharField(forms.CharField):
    """A text field with a bound and one message over it: Django's own max-length check
    is replaced by `AtMostCharacters`, which says what the service and the model say.
    The `maxlength` attribute still stops the browser at the bound."""

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(validator, MaxLengthValidator)
        ]
        self.validators.append(AtMostCharacters(max_length))
