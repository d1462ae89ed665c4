from django import forms
from django.utils import timezone

from core.forms import BoundedCharField
from core.validators import supported_date
from lib.text_bounds import COMMENT_MAX_LENGTH
from prioritization.models import JUSTIFICATION_MAX_LENGTH
from prioritization.services import exception_expiry_problem

PRIORITY_CHOICES = [(1, "Pr1"), (2, "Pr2")]


class ExceptionRequestForm(forms.Form):
    requested_priority = forms.TypedChoiceField(
        label="Priority", choices=PRIORITY_CHOICES, coerce=int
    )
    justification = BoundedCharField(
        max_length=JUSTIFICATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the model's priority is wrong for this account (page 004 examples: "
        "a large strategic customer with no LAM, risk the model does not see).",
    )
    expires_on = forms.DateField(
        label="Expires on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Default: the last day of this fiscal quarter.",
        validators=[supported_date],
    )

    def clean_expires_on(self):
        """Not in the past, nor after the latest end the decision settings allow: the
        service's rule, said here so the field carries it."""
        day = self.cleaned_data["expires_on"]
        problem = exception_expiry_problem(day, timezone.localdate()) if day else None
        if problem:
            raise forms.ValidationError(problem)
        return day


class ReviewProposalForm(forms.Form):
    proposed_priority = forms.TypedChoiceField(
        label="Proposed priority", choices=PRIORITY_CHOICES, coerce=int
    )
    justification = BoundedCharField(
        max_length=JUSTIFICATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why this priority is right for the account this quarter; the manager "
        "reads it in the review.",
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    decided_priority = forms.TypedChoiceField(
        label="Decided priority",
        choices=[("", "as proposed"), *PRIORITY_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
    )
    comment = BoundedCharField(
        max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


def decision_form_id(kind: str, pk: int) -> str:
    """The HTML id of the request being decided ("exception" or "review" `pk`), the same on
    the account page and the dashboard: a rejected decision comes back to it."""
    return f"{kind}-{pk}"


def decision_form(kind: str, pk: int, data=None) -> DecisionForm:
    """The form deciding that request; its fields' ids start with the request's id, so
    labels stay unique on a page of several."""
    return DecisionForm(data, auto_id=f"{decision_form_id(kind, pk)}-%s")
