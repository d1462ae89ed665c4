"""The account page's logging forms; each has its own prefix, as they share one page."""

from django import forms
from django.utils import timezone

from core.validators import supported_date

from .activity_log import PlanAction
from .models import (
    Activity,
    Health,
    Milestone,
    SuccessPlanObjective,
    SuccessPlanState,
    SurveyKind,
)
from .priority_facts import COMMENT_MAX_LENGTH, Fact, current_facts


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


class PriorityFactForm(forms.Form):
    """One priority fact the TAM keeps (`accounts.priority_facts`), with the comment that
    explains the change; each fact has its own form (prefix) on the account page."""

    value = forms.ChoiceField(label="Now")
    comment = forms.CharField(
        label="Why (goes on the timeline)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=COMMENT_MAX_LENGTH,
        error_messages={"required": "Say why the fact changes."},
        help_text=f"Required; at most {COMMENT_MAX_LENGTH:,} characters.",
    )

    def __init__(self, *args, fact: Fact, current, **kwargs):
        kwargs.setdefault("initial", {"value": _fact_choice(fact, current)})
        super().__init__(*args, prefix=f"fact-{fact.slug}", **kwargs)
        self.fact = fact
        self.fields["value"].label = fact.label
        self.fields["value"].help_text = fact.help_text
        self.fields["value"].choices = (
            [("", "not given"), *Health.choices]
            if fact.field == "health"
            else [("yes", "yes"), ("no", "no")]
        )
        self.fields["value"].required = fact.field != "health"

    def clean_value(self):
        value = self.cleaned_data["value"]
        return value if self.fact.field == "health" else value == "yes"


def _fact_choice(fact: Fact, current) -> str:
    if fact.field == "health":
        return current or ""
    return "yes" if current else "no"


def priority_fact_forms(account, bound: PriorityFactForm | None = None) -> list[dict]:
    """One small form per fact, each behind its heading; `bound` stands for the one posted."""
    return [
        {
            "fact": fact,
            "shown": shown,
            "form": bound
            if bound is not None and bound.fact.slug == fact.slug
            else PriorityFactForm(fact=fact, current=current),
        }
        for fact, current, shown in current_facts(account)
    ]
