from django import forms
from django.contrib import admin

from core.large_admin import (
    FiscalQuarterListFilter,
    LargeTableAdmin,
)
from prioritization.models import (
    PriorityAssessment,
    PriorityException,
    PriorityReview,
)

# The parameters grouped by the rule set that reads them (DESIGN section 4).
RULE_PARAMETER_FIELDSETS = (
    (
        "US Enterprise (flowchart)",
        {
            "fields": (
                "uptier_window_months",
                ("stage_adoption_min_hours", "infra_change_min_hours"),
                "pr1_target_share",
            )
        },
    ),
    (
        "EMEA Enterprise (scored, manager review)",
        {
            "description": "The LAM headroom is also shown as context on US Enterprise accounts.",
            "fields": (
                ("pr1_target_min_per_tam", "pr1_cap_per_tam"),
                "lam_headroom_percent",
                "user_onboarding_share",
                ("weight_org_change", "weight_onboarding", "weight_infra_change"),
                ("weight_weekly_engagement", "weight_lam_gap", "weight_expansion_play"),
                "weight_tam_handover",
            ),
        },
    ),
    (
        "Commercial (qualification)",
        {
            "fields": (
                "top_arr_rank",
                "churn_nps_max",
                ("min_stages_adopted", "low_stage_adoption_min_arr"),
                "commercial_uptier_window_months",
            )
        },
    ),
)


class RuleSetParametersForm(forms.ModelForm):
    # No Meta: the admin builds the form's model and fields from its fieldsets.

    def clean(self):
        cleaned_data = super().clean()
        band_from = cleaned_data.get("pr1_target_min_per_tam")
        cap = cleaned_data.get("pr1_cap_per_tam")
        if band_from is not None and cap is not None and band_from > cap:
            # The check constraint `rules_target_band_within_cap`, shown on its field.
            self.add_error(
                "pr1_target_min_per_tam", "The target band must start at or below the cap."
            )
        return cleaned_data


@admin.register(PriorityAssessment)
class PriorityAssessmentAdmin(LargeTableAdmin):
    list_display = (
        "account",
        "fiscal_quarter",
        "computed_priority",
        "effective_priority",
        "source",
        "reasons",
        "decided_by",
        "updated_at",
    )
    list_filter = (FiscalQuarterListFilter, "effective_priority", "computed_priority", "source")
    list_select_related = ("account", "decided_by")
    search_fields = ("account__external_id__exact", "account__name", "fiscal_quarter__exact")
    autocomplete_fields = ("account", "decided_by")
    readonly_fields = ("updated_at",)


@admin.register(PriorityException)
class PriorityExceptionAdmin(admin.ModelAdmin):
    list_display = (
        "account",
        "requested_priority",
        "status",
        "requested_by",
        "requested_at",
        "reviewed_by",
        "expires_on",
    )
    list_filter = ("status", "requested_priority")
    list_select_related = ("account", "requested_by", "reviewed_by")
    search_fields = ("account__external_id__exact", "account__name", "justification")
    autocomplete_fields = ("account", "requested_by", "reviewed_by")
    readonly_fields = ("requested_at",)
    date_hierarchy = "expires_on"
    show_full_result_count = False


@admin.register(PriorityReview)
class PriorityReviewAdmin(admin.ModelAdmin):
    list_display = (
        "account",
        "fiscal_quarter",
        "suggested_priority",
        "proposed_priority",
        "status",
        "decided_priority",
        "proposed_by",
        "decided_by",
    )
    list_filter = (FiscalQuarterListFilter, "status", "proposed_priority", "decided_priority")
    list_select_related = ("account", "proposed_by", "decided_by")
    search_fields = ("account__external_id__exact", "account__name")
    autocomplete_fields = ("account", "proposed_by", "decided_by")
    readonly_fields = ("proposed_at",)
    show_full_result_count = False
