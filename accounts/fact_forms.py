"""The account page's forms for the initiatives and opportunities the TAM keeps
(`accounts.fact_records`, issue 12 point 2): one to add an initiative, one per active
initiative, one per open opportunity, each with its own prefix and a required comment.
Each wrong field gives one message, the service's own bound."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from core.forms import BoundedCharField

from .csv_cells import MAX_WEEKLY_HOURS
from .fact_records import (
    CLOSE_DATE_MESSAGE,
    HOURS_MESSAGE,
    active_initiatives,
    close_date_in_bounds,
    open_opportunities,
)
from .fact_timeline import weekly_hours
from .models import (
    Account,
    Initiative,
    InitiativeKind,
    InitiativeStatus,
    Opportunity,
    OpportunityStatus,
    Stage,
)
from .priority_facts import COMMENT_MAX_LENGTH

IMPORT_WINS = (
    "Fed from another system? The next import that carries it (the accounts file's "
    "columns, or its external id) overwrites a change made here."
)


class _HoursField(forms.DecimalField):
    """TAM hours a week, 0 to 168 (the import's bound), with one message when wrong."""

    def __init__(self, **kwargs):
        super().__init__(
            min_value=0,
            max_value=MAX_WEEKLY_HOURS,
            decimal_places=2,
            error_messages={
                code: HOURS_MESSAGE
                for code in ("required", "invalid", "min_value", "max_value", "max_decimal_places")
            },
            widget=forms.NumberInput(attrs={"step": "0.01", "min": 0, "max": MAX_WEEKLY_HOURS}),
            **kwargs,
        )

    def run_validators(self, value):
        try:
            super().run_validators(value)
        except ValidationError as error:
            raise ValidationError(error.error_list[:1]) from None


def _close_date(value):
    if value is not None and not close_date_in_bounds(value):
        raise ValidationError(CLOSE_DATE_MESSAGE, code="close_date_out_of_range")


def _comment_field():
    return BoundedCharField(
        label="Why (goes on the timeline)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=COMMENT_MAX_LENGTH,
        error_messages={"required": "Say why the fact changes."},
        help_text=f"Required; at most {COMMENT_MAX_LENGTH:,} characters.",
    )


class _ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices from one plain query: the default `.iterator()` opens a server-side
    cursor on PostgreSQL (three round trips) for a table of a handful of rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class _StageField(forms.ModelChoiceField):
    iterator = _ListedChoiceIterator


class InitiativeAddForm(forms.Form):
    prefix = "initiative-new"

    kind = forms.ChoiceField(label="Kind", choices=InitiativeKind.choices)
    hours = _HoursField(
        label="TAM hours a week this quarter",
        help_text="The US flowchart counts stage adoption and infrastructure change above "
        "its threshold (2 hours a week unless your region says otherwise).",
    )
    stage = _StageField(
        label="Stage", queryset=Stage.objects.all(), required=False, empty_label="none"
    )
    comment = _comment_field()


class InitiativeChangeForm(forms.Form):
    hours = _HoursField(
        label="TAM hours a week this quarter",
        required=False,
        help_text="Leave empty to keep the hours as they are.",
    )
    status = forms.ChoiceField(
        label="State",
        choices=[
            (InitiativeStatus.ACTIVE, "active"),
            (InitiativeStatus.DONE, "ended: done"),
            (InitiativeStatus.CANCELLED, "ended: cancelled"),
        ],
        help_text=IMPORT_WINS,
    )
    comment = _comment_field()

    def __init__(self, *args, initiative: Initiative, **kwargs):
        kwargs.setdefault(
            "initial", {"hours": initiative.tam_hours_per_week, "status": initiative.status}
        )
        super().__init__(*args, prefix=f"initiative-{initiative.pk}", **kwargs)


class OpportunityChangeForm(forms.Form):
    close_date = forms.DateField(
        label="Close date",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[_close_date],
        error_messages={"required": "Enter the close date.", "invalid": CLOSE_DATE_MESSAGE},
    )
    status = forms.ChoiceField(
        label="State",
        choices=[
            (OpportunityStatus.OPEN, "open"),
            (OpportunityStatus.WON, "won"),
            (OpportunityStatus.LOST, "lost"),
        ],
        help_text=IMPORT_WINS,
    )
    comment = _comment_field()

    def __init__(self, *args, opportunity: Opportunity, **kwargs):
        kwargs.setdefault(
            "initial", {"close_date": opportunity.close_date, "status": opportunity.status}
        )
        super().__init__(*args, prefix=f"opportunity-{opportunity.pk}", **kwargs)


def record_forms(account: Account, rejected=None) -> dict:
    """The add form and one form per active initiative and open opportunity, each behind
    its heading. `rejected` (`core.rejected_forms.RejectedForm`) brings back the one
    refused just before, as typed, with its errors."""

    def form(form_id: str, make_form):
        return rejected.form(form_id, make_form) if rejected is not None else make_form(None)

    return {
        "add_initiative": form(InitiativeAddForm.prefix, InitiativeAddForm),
        "initiatives": [
            {
                "record": initiative,
                "shown": _initiative_shown(initiative),
                "form": form(
                    f"initiative-{initiative.pk}",
                    lambda data, initiative=initiative: InitiativeChangeForm(
                        data, initiative=initiative
                    ),
                ),
            }
            for initiative in active_initiatives(account)
        ],
        "opportunities": [
            {
                "record": opportunity,
                "shown": f"closing {opportunity.close_date:%Y-%m-%d}",
                "form": form(
                    f"opportunity-{opportunity.pk}",
                    lambda data, opportunity=opportunity: OpportunityChangeForm(
                        data, opportunity=opportunity
                    ),
                ),
            }
            for opportunity in open_opportunities(account)
        ],
    }


def _initiative_shown(initiative: Initiative) -> str:
    shown = f"{weekly_hours(initiative.tam_hours_per_week)} TAM hours a week"
    return f"{shown}, stage {initiative.stage}" if initiative.stage else shown
