from django import forms

from core.validators import supported_date
from prioritization.models import JUSTIFICATION_MAX_LENGTH

PRIORITY_CHOICES = [(1, "Pr1"), (2, "Pr2")]


class ExceptionRequestForm(forms.Form):
    requested_priority = forms.TypedChoiceField(
        label="Priority", choices=PRIORITY_CHOICES, coerce=int
    )
    justification = forms.CharField(
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


class ReviewProposalForm(forms.Form):
    proposed_priority = forms.TypedChoiceField(
        label="Proposed priority", choices=PRIORITY_CHOICES, coerce=int
    )
    justification = forms.CharField(
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
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
