from django import forms
from django.contrib import admin
from django.utils import timezone

from core.audit_admin import AuditedAdmin
from core.changes import rule_inputs_changed
from core.large_admin import (
    ComputedTableAdmin,
    FiscalQuarterListFilter,
    LargeTableAdmin,
)
from prioritization.models import (
    DecisionSettings,
    PriorityAssessment,
    PriorityException,
    PriorityReview,
    ReviewStatus,
)
from prioritization.services import OWN_EXCEPTION, OWN_PROPOSAL, exception_expiry_problem

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


class DecisionAdminForm(forms.ModelForm):
    """An exception or a review decided in the admin follows the page's rules: nobody
    decides what they asked for themselves (`get_form` says who is deciding)."""

    deciding_user = None
    requester_field = ""
    own_request = ""

    def clean(self):
        cleaned_data = super().clean()
        status = cleaned_data.get("status")
        if "status" in self.changed_data and status and status != ReviewStatus.PENDING:
            requester = cleaned_data.get(self.requester_field)
            requester_id = (
                requester.pk if requester else getattr(self.instance, f"{self.requester_field}_id")
            )
            if self.deciding_user is not None and requester_id == self.deciding_user.pk:
                self.add_error("status", self.own_request)
        return cleaned_data


class PriorityExceptionAdminForm(DecisionAdminForm):
    requester_field = "requested_by"
    own_request = OWN_EXCEPTION

    def clean(self):
        cleaned_data = super().clean()
        expires_on = cleaned_data.get("expires_on")
        if expires_on and (self.instance.pk is None or "expires_on" in self.changed_data):
            problem = exception_expiry_problem(expires_on, timezone.localdate())
            if problem:
                self.add_error("expires_on", problem)
        return cleaned_data


class PriorityReviewAdminForm(DecisionAdminForm):
    requester_field = "proposed_by"
    own_request = OWN_PROPOSAL


class DecisionAdmin(AuditedAdmin, admin.ModelAdmin):
    """Deciding in the admin: the decider is whoever saves, stamped with the time; the
    requester is fixed once the request exists."""

    audit_decision_fields = ("status",)
    requester_field = ""
    decider_fields = ("", "")  # (who, when)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.deciding_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = (*self.readonly_fields, *self.decider_fields)
        return (*fields, self.requester_field) if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data and obj.status != ReviewStatus.PENDING:
            who, when = self.decider_fields
            setattr(obj, who, request.user)
            setattr(obj, when, timezone.now())
        super().save_model(request, obj, form, change)
        if form.changed_data:
            rule_inputs_changed([obj.account_id])


@admin.register(PriorityAssessment)
class PriorityAssessmentAdmin(AuditedAdmin, ComputedTableAdmin, LargeTableAdmin):
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
class PriorityExceptionAdmin(DecisionAdmin):
    form = PriorityExceptionAdminForm
    requester_field = "requested_by"
    decider_fields = ("reviewed_by", "reviewed_at")
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
    autocomplete_fields = ("account", "requested_by")
    readonly_fields = ("requested_at",)
    date_hierarchy = "expires_on"
    show_full_result_count = False


@admin.register(PriorityReview)
class PriorityReviewAdmin(DecisionAdmin):
    form = PriorityReviewAdminForm
    requester_field = "proposed_by"
    decider_fields = ("decided_by", "decided_at")
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
    autocomplete_fields = ("account", "proposed_by")
    readonly_fields = ("proposed_at",)
    show_full_result_count = False


@admin.register(DecisionSettings)
class DecisionSettingsAdmin(AuditedAdmin, admin.ModelAdmin):
    """One row, read wherever an exception's expiry is set: nothing to add or delete."""

    fields = ("exception_quarters_ahead",)
    list_display = ("__str__", "exception_quarters_ahead")

    def has_add_permission(self, request):
        return not DecisionSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
