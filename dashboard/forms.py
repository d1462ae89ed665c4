from django import forms


class DashboardForm(forms.Form):
    """The GET form above the dashboard: which team or region, quarter and charted metric.

    The scope is checked by the view before this form (outside the user's scopes is a
    404, not a form error); quarter and metric fall back to their defaults when invalid,
    with the error shown beside the field. Without `scope_choices` (a TAM's read-only
    view of their one team) there is nothing to pick, and no scope field.
    """

    scope = forms.ChoiceField(label="Team or region", required=False)
    quarter = forms.ChoiceField(label="Fiscal quarter", required=False)
    metric = forms.ChoiceField(label="Metric trend", required=False)

    def __init__(self, data, *, scope_choices, quarter_choices, metric_choices):
        super().__init__(data)
        if scope_choices is None:
            del self.fields["scope"]
        else:
            self.fields["scope"].choices = scope_choices
        self.fields["quarter"].choices = quarter_choices
        self.fields["metric"].choices = [("", "first with results"), *metric_choices]
