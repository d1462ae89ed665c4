"""The account page's triage forms. The rules they say beside the fields (the ARR at risk
at most the account's ARR, the note's bound) are the services' own functions."""

from django import forms

from core.forms import BoundedCharField
from lib.text_bounds import COMMENT_MAX_LENGTH

from .models import OUTCOMES, CaseStatus, RiskClassification, RiskReason
from .services import arr_at_risk_problem


def _note(label: str, help_text: str = "", required: bool = True):
    return BoundedCharField(
        label=label,
        max_length=COMMENT_MAX_LENGTH,
        required=required,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


class OpenCaseForm(forms.Form):
    reason = forms.ChoiceField(choices=RiskReason.choices)
    classification = forms.ChoiceField(
        choices=RiskClassification.choices,
        help_text="Expected: the team saw it coming. Avoidable: something the team or the "
        "product could have done would have kept the customer.",
    )
    arr_at_risk = forms.CharField(
        label="ARR at risk (USD)",
        max_length=20,
        help_text="At most the account's ARR.",
    )
    note = _note("What puts the account at risk")

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account

    def clean_arr_at_risk(self):
        value = self.cleaned_data["arr_at_risk"]
        problem = arr_at_risk_problem(value, self.account)
        if problem:
            raise forms.ValidationError(problem)
        return value


class CaseUpdateForm(forms.Form):
    note = _note("What happened since the last update")


class WillChurnProposalForm(forms.Form):
    note = _note("Why the account will churn", "The team's manager signs it off or sends it back.")


class WillChurnDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("sign_off", "Sign off: will churn"), ("send_back", "Send back: keep working")],
        widget=forms.RadioSelect,
    )
    comment = _note("Comment", "Required when you send it back.", required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "send_back" and not cleaned.get("comment", "").strip():
            self.add_error("comment", "Tell the TAM why will churn is sent back.")
        return cleaned


class CloseCaseForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[(status.value, status.label) for status in CaseStatus if status in OUTCOMES]
    )
    comment = _note("How it ended")
