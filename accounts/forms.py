"""The account page's logging forms; each has its own prefix, as they share one page."""

from django import forms
from django.utils import timezone

from core.validators import supported_date

from .activity_log import PlanAction
from .models import Activity, Milestone, SuccessPlanObjective, SuccessPlanState, SurveyKind


class DateInput(forms.DateInput):
    input_type = "date"


def _occurred_on_field(label="Date"):
    return forms.DateField(
        label=label,
        widget=DateInput(),
        initial=timezone.localdate,
        help_text="Today or earlier.",
        validators=[supported_date],
    )


def _notes_field(label="Notes"):
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class _PastDateMixin:
    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("Log what happened: the date is in the future.")
        return day


class CadenceCallForm(_PastDateMixin, forms.ModelForm):
    prefix = "call"
    occurred_on = _occurred_on_field("Call held on")
    notes = _notes_field("What was discussed")

    class Meta:
        model = Activity
        fields = ["occurred_on", "notes"]


class EbrForm(_PastDateMixin, forms.ModelForm):
    prefix = "ebr"
    occurred_on = _occurred_on_field("EBR held on")
    notes = _notes_field("Outcome and attendees")

    class Meta:
        model = Activity
        fields = ["occurred_on", "notes"]


class MilestoneForm(_PastDateMixin, forms.ModelForm):
    prefix = "milestone"
    milestone = forms.ChoiceField(label="Milestone", choices=Milestone.choices)
    occurred_on = _occurred_on_field("Reached on")
    notes = _notes_field()

    class Meta:
        model = Activity
        fields = ["milestone", "occurred_on", "notes"]


class SurveyResponseForm(_PastDateMixin, forms.ModelForm):
    prefix = "survey"
    survey_kind = forms.ChoiceField(label="Survey", choices=SurveyKind.choices)
    occurred_on = _occurred_on_field("Answered on")
    nps = forms.IntegerField(label="NPS (0-10)", required=False, min_value=0, max_value=10)
    csat = forms.IntegerField(label="CSAT (1-5)", required=False, min_value=1, max_value=5)
    notes = _notes_field("Comments")

    class Meta:
        model = Activity
        fields = ["survey_kind", "occurred_on", "nps", "csat", "notes"]

    def clean(self):
        data = super().clean()
        # Only when both came through their own checks empty: a bad score has its error.
        if "nps" in data and "csat" in data and data["nps"] is None and data["csat"] is None:
            self.add_error("nps", "Give the NPS, the CSAT or both.")
        return data


class SuccessPlanChangeForm(_PastDateMixin, forms.Form):
    prefix = "plan"
    action = forms.ChoiceField(label="Change", choices=PlanAction.CHOICES, initial=PlanAction.ADD)
    objective = forms.ModelChoiceField(
        label="Objective",
        queryset=SuccessPlanObjective.objects.none(),
        required=False,
        help_text="To mark green or change.",
    )
    title = forms.CharField(
        label="Objective title", max_length=200, required=False, help_text="New or changed."
    )
    due_on = forms.DateField(
        label="Objective due on", widget=DateInput(), required=False, validators=[supported_date]
    )
    plan_state = forms.ChoiceField(
        label="Plan state after the change", choices=SuccessPlanState.choices
    )
    management_qualified = forms.BooleanField(
        label="Management-qualified (the Strategic bar)", required=False
    )
    occurred_on = _occurred_on_field("Changed on")
    notes = _notes_field()

    def __init__(self, *args, account, objectives=None, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "plan_state": account.success_plan,
                "management_qualified": account.success_plan_management_qualified,
            },
        )
        super().__init__(*args, **kwargs)
        field = self.fields["objective"]
        field.queryset = account.objectives.all()
        if objectives is not None:
            # The page already read the objectives: list them without another query.
            field.choices = [("", "---------")] + [
                (item.pk, f"{item.title}{' (green)' if item.green else ''}") for item in objectives
            ]

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == PlanAction.ADD and not data.get("title"):
            self.add_error("title", "Name the objective.")
        needs_objective = action in (PlanAction.COMPLETE, PlanAction.EDIT)
        if needs_objective and not data.get("objective") and "objective" not in self.errors:
            self.add_error("objective", "Choose the objective.")
        return data
