"""The account page's logging forms; each has its own prefix, as they share one page.

Bounded as the services bound them (issue 12 point 7): the date of what happened is
neither in the future nor before the account's customer-since (`lib.dates`), notes and
titles are at most their length (`lib.text_bounds`), and a wrong field says one thing.
"""

from django import forms
from django.utils import timezone

from core.forms import BoundedCharField
from core.validators import supported_date
from lib.dates import earliest_event_date, event_date_problem, too_early_problem
from lib.text_bounds import NOTES_MAX_LENGTH, PLAN_CHANGE_NOTES_MAX_LENGTH

from .activity_log import OBJECTIVE_TITLE_MAX_LENGTH, PlanAction
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


def _notes_field(label="Notes", max_length=NOTES_MAX_LENGTH):
    return BoundedCharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length,
    )


class EventDateMixin:
    """`occurred_on` is the date of something that happened on `account`: today or earlier,
    not before its customer-since (`lib.dates.event_date_problem`). The date picker is held
    to the same days. A form built without an account takes 2000-01-01 as the earliest."""

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        earliest = earliest_event_date(self._customer_since())
        field = self.fields["occurred_on"]
        since = " (customer-since)" if self._customer_since() else ""
        field.help_text = f"Today or earlier, not before {earliest.isoformat()}{since}."
        field.widget.attrs.update(min=earliest.isoformat(), max=timezone.localdate().isoformat())

    def _customer_since(self):
        return self.account.customer_since if self.account is not None else None

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        problem = event_date_problem(
            day, customer_since=self._customer_since(), today=timezone.localdate()
        )
        if problem:
            raise forms.ValidationError(problem)
        return day


class CadenceCallForm(EventDateMixin, forms.ModelForm):
    prefix = "call"
    occurred_on = _occurred_on_field("Call held on")
    notes = _notes_field("What was discussed")

    class Meta:
        model = Activity
        fields = ["occurred_on", "notes"]


class EbrForm(EventDateMixin, forms.ModelForm):
    prefix = "ebr"
    occurred_on = _occurred_on_field("EBR held on")
    notes = _notes_field("Outcome and attendees")

    class Meta:
        model = Activity
        fields = ["occurred_on", "notes"]


class MilestoneForm(EventDateMixin, forms.ModelForm):
    prefix = "milestone"
    milestone = forms.ChoiceField(label="Milestone", choices=Milestone.choices)
    occurred_on = _occurred_on_field("Reached on")
    notes = _notes_field()

    class Meta:
        model = Activity
        fields = ["milestone", "occurred_on", "notes"]


class SurveyResponseForm(EventDateMixin, forms.ModelForm):
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


class SuccessPlanChangeForm(EventDateMixin, forms.Form):
    prefix = "plan"
    action = forms.ChoiceField(label="Change", choices=PlanAction.CHOICES, initial=PlanAction.ADD)
    objective = forms.ModelChoiceField(
        label="Objective",
        queryset=SuccessPlanObjective.objects.none(),
        required=False,
        help_text="To mark green or change.",
    )
    title = BoundedCharField(
        label="Objective title",
        max_length=OBJECTIVE_TITLE_MAX_LENGTH,
        required=False,
        help_text="New or changed.",
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
    # The entry's notes also hold the change in words (`activity_log`): less room here.
    notes = _notes_field(max_length=PLAN_CHANGE_NOTES_MAX_LENGTH)

    def __init__(self, *args, account, objectives=None, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "plan_state": account.success_plan,
                "management_qualified": account.success_plan_management_qualified,
            },
        )
        super().__init__(*args, account=account, **kwargs)
        field = self.fields["objective"]
        field.queryset = account.objectives.all()
        if objectives is not None:
            # The page already read the objectives: list them without another query.
            field.choices = [("", "---------")] + [
                (item.pk, f"{item.title}{' (green)' if item.green else ''}") for item in objectives
            ]

    def clean_due_on(self):
        day = self.cleaned_data["due_on"]
        problem = too_early_problem(day, self._customer_since()) if day else None
        if problem:
            raise forms.ValidationError(problem)
        return day

    def clean(self):
        data = super().clean()
        action = data.get("action")
        # A title refused on its own (too long) has its one message already.
        if action == PlanAction.ADD and not data.get("title") and "title" not in self.errors:
            self.add_error("title", "Name the objective.")
        needs_objective = action in (PlanAction.COMPLETE, PlanAction.EDIT)
        if needs_objective and not data.get("objective") and "objective" not in self.errors:
            self.add_error("objective", "Choose the objective.")
        return data


class PriorityFactForm(forms.Form):
    """One priority fact the TAM keeps (`accounts.priority_facts`), with the comment that
    explains the change; each fact has its own form (prefix) on the account page."""

    value = forms.ChoiceField(label="Now")
    comment = BoundedCharField(
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
            if fact.field == "tam_sentiment"
            else [("yes", "yes"), ("no", "no")]
        )
        self.fields["value"].required = fact.field != "tam_sentiment"

    def clean_value(self):
        value = self.cleaned_data["value"]
        return value if self.fact.field == "tam_sentiment" else value == "yes"


def _fact_choice(fact: Fact, current) -> str:
    if fact.field == "tam_sentiment":
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
