"""Admin for accounts and their facts.

Sized for 100,000 accounts and millions of activities: foreign keys to accounts and users
are autocomplete widgets, filters only offer small tables, choices and booleans, and the
big change lists neither COUNT(*) their whole table nor count each filter's facets.
"""

from django import forms
from django.contrib import admin
from django.db import models

from accounts.models import (
    Account,
    Activity,
    ArrSnapshot,
    Contact,
    Disengagement,
    Engagement,
    Initiative,
    Opportunity,
    Stage,
    StageAdoption,
    SuccessPlanObjective,
    UsageSnapshot,
    Webinar,
)
from core.changes import rule_inputs_changed
from core.large_admin import (
    FiscalQuarterListFilter,
    LargeTableAdmin,
)

# A CRM id is matched exactly (CRM ids are case-sensitive, and `external_id = %s` needs no
# UPPER() over every row as `=external_id`, i.e. iexact, would), a name by substring.
ACCOUNT_SEARCH_FIELDS = ("account__external_id__exact", "account__name")


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ("name", "position")
    search_fields = ("name",)
    ordering = ("position", "name")


class AccountAdminForm(forms.ModelForm):
    # No Meta: the admin builds the form's model and fields from its fieldsets.

    def clean(self):
        cleaned_data = super().clean()
        # The check constraint `account_segment_override_has_reason`, shown on its field.
        if cleaned_data.get("segment_override") and not cleaned_data.get("segment_override_reason"):
            self.add_error(
                "segment_override_reason",
                "Give the reason for pinning the account to a segment.",
            )
        return cleaned_data


class OpportunityInline(admin.TabularInline):
    model = Opportunity
    extra = 0


class InitiativeInline(admin.TabularInline):
    model = Initiative
    extra = 0


class StageAdoptionInline(admin.TabularInline):
    model = StageAdoption
    extra = 0


class SuccessPlanObjectiveInline(admin.TabularInline):
    model = SuccessPlanObjective
    extra = 0


@admin.register(Account)
class AccountAdmin(LargeTableAdmin):
    form = AccountAdminForm
    fieldsets = (
        (None, {"fields": ("external_id", "name", "region", "tam", "parent", "managed")}),
        (
            "Commercial",
            {
                "fields": (
                    ("arr", "lam", "lam_confidence"),
                    "renewal_date",
                    ("licensed_users", "active_users"),
                )
            },
        ),
        (
            "Onboarding dates",
            {
                "fields": (
                    "customer_since",
                    ("first_engaged_on", "first_value_on", "onboarded_on"),
                )
            },
        ),
        (
            "Health",
            {
                "fields": (
                    ("tam_sentiment", "tam_sentiment_on"),
                    ("health", "health_score"),
                    "at_risk",
                    "in_triage",
                    "last_nps",
                )
            },
        ),
        (
            "Success plan",
            {
                "fields": (
                    ("success_plan", "success_plan_green_on"),
                    ("success_plan_management_qualified", "success_plan_management_qualified_on"),
                    "critical_project",
                )
            },
        ),
        (
            "Flags",
            {
                "fields": (
                    ("key_logo", "channel_engaged"),
                    ("org_change", "weekly_engagement"),
                    ("tam_handover", "digital"),
                )
            },
        ),
        (
            "Computed by the recompute job",
            {"fields": ("segment", "priority", "priority_reasons", "created_at", "updated_at")},
        ),
        (
            "Segment override",
            {
                "description": "Pins the account to a segment whatever its ARR; needs a reason.",
                "fields": ("segment_override", "segment_override_reason"),
            },
        ),
    )
    readonly_fields = (
        "segment",
        "priority",
        "priority_reasons",
        "health",
        "health_score",
        "created_at",
        "updated_at",
    )
    list_display = (
        "name",
        "external_id",
        "region",
        "tam",
        "arr",
        "effective_segment_display",
        "priority_display",
    )
    list_filter = ("region", "segment", "health", "at_risk", "managed")
    list_select_related = ("region", "tam", "segment", "segment_override")
    search_fields = ("external_id__exact", "name")
    autocomplete_fields = ("tam", "parent")
    inlines = (OpportunityInline, InitiativeInline, StageAdoptionInline, SuccessPlanObjectiveInline)

    @admin.display(description="segment", ordering="segment__position")
    def effective_segment_display(self, account):
        if account.segment_override_id:
            return f"{account.segment_override} (pinned)"
        return account.segment

    @admin.display(description="priority", ordering="priority")
    def priority_display(self, account):
        return f"Pr{account.priority}" if account.priority else None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Facts the rules read may have changed: show the account's new segment and
        # priority now rather than after the nightly run.
        rule_inputs_changed([form.instance.pk])


@admin.register(Opportunity)
class OpportunityAdmin(LargeTableAdmin):
    list_display = ("account", "kind", "close_date", "status", "amount", "external_id")
    list_filter = ("kind", "status")
    list_select_related = ("account",)
    search_fields = (*ACCOUNT_SEARCH_FIELDS, "external_id__exact")
    autocomplete_fields = ("account",)


@admin.register(Initiative)
class InitiativeAdmin(LargeTableAdmin):
    list_display = (
        "account",
        "kind",
        "stage",
        "tam_hours_per_week",
        "starts_on",
        "ends_on",
        "external_id",
    )
    list_filter = ("kind", "status", "stage")
    list_select_related = ("account", "stage")
    search_fields = (*ACCOUNT_SEARCH_FIELDS, "external_id__exact")
    autocomplete_fields = ("account",)


@admin.register(StageAdoption)
class StageAdoptionAdmin(LargeTableAdmin):
    list_display = (
        "account",
        "stage",
        "enabled_on",
        "users_share",
        "initial_adoption_on",
        "broad_adoption_on",
    )
    list_filter = ("stage",)
    list_select_related = ("account", "stage")
    search_fields = ACCOUNT_SEARCH_FIELDS
    autocomplete_fields = ("account",)
    # The model orders by stage position, a join and a sort over every row.
    ordering = ("-id",)


@admin.register(SuccessPlanObjective)
class SuccessPlanObjectiveAdmin(LargeTableAdmin):
    list_display = ("title", "account", "due_on", "green", "external_id")
    list_filter = ("green",)
    list_select_related = ("account",)
    search_fields = ("title", *ACCOUNT_SEARCH_FIELDS, "external_id__exact")
    autocomplete_fields = ("account",)


@admin.register(Webinar)
class WebinarAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "held_on", "onboarding", "host", "external_id")
    list_filter = ("kind", "onboarding")
    list_select_related = ("host",)
    search_fields = ("title", "external_id__exact")
    autocomplete_fields = ("host",)
    date_hierarchy = "held_on"


@admin.register(Activity)
class ActivityAdmin(LargeTableAdmin):
    fieldsets = (
        (
            None,
            {"fields": ("account", "kind", "occurred_on", "logged_by", "notes", "external_id")},
        ),
        ("Onboarding milestone", {"fields": ("milestone",)}),
        (
            "Webinar or workshop attendance",
            {"fields": ("webinar", "stayed_whole_session", "feedback_score")},
        ),
        ("Survey response", {"fields": ("survey_kind", "nps", "csat")}),
        (
            "Playbook",
            {"fields": ("playbook_kind", "stage", ("started_on", "completed_on"), "outcome")},
        ),
        ("Low-licence-utilisation save", {"fields": ("saved",)}),
        ("Success-plan change", {"fields": ("success_plan",)}),
        (None, {"fields": ("created_at",)}),
    )
    readonly_fields = ("created_at",)
    list_display = ("account", "kind", "occurred_on", "logged_by", "external_id")
    list_filter = ("kind", "survey_kind")
    list_select_related = ("account", "logged_by")
    search_fields = (*ACCOUNT_SEARCH_FIELDS, "external_id__exact")
    autocomplete_fields = ("account", "logged_by", "webinar")
    # Newest logged first: the primary key index serves it, where the model's
    # (-occurred_on, -id) ordering would sort millions of rows for every page.
    ordering = ("-id",)


@admin.register(Contact)
class ContactAdmin(LargeTableAdmin):
    list_display = ("name", "account", "role", "title", "email", "left_on", "external_id")
    list_filter = ("role",)
    list_select_related = ("account",)
    search_fields = ("name", "email", *ACCOUNT_SEARCH_FIELDS, "external_id__exact")
    autocomplete_fields = ("account",)


@admin.register(ArrSnapshot)
class ArrSnapshotAdmin(LargeTableAdmin):
    list_display = ("account", "fiscal_quarter", "arr")
    list_filter = (FiscalQuarterListFilter,)
    list_select_related = ("account",)
    search_fields = (*ACCOUNT_SEARCH_FIELDS, "fiscal_quarter__exact")
    autocomplete_fields = ("account",)
    # The model orders by account, i.e. by account name: a join and a sort of every row.
    ordering = ("-id",)


@admin.register(UsageSnapshot)
class UsageSnapshotAdmin(LargeTableAdmin):
    list_display = ("account", "taken_on", "active_users", "licensed_users", "health")
    list_filter = ("health",)
    list_select_related = ("account",)
    search_fields = ACCOUNT_SEARCH_FIELDS
    autocomplete_fields = ("account",)
    ordering = ("-id",)


# --- Engagement lifecycle (DESIGN section 7) -------------------------------------------
# People start and end engagements through accounts/engagement.py; the admin is where TAM
# operations read the history and correct a row. A row saved here passes the model's own
# checks (https link, template of the region, dates) but not the service's account-wide
# ones (one engagement at a time), and changes neither the account's TAM nor anything else.


class CollaborationProjectListFilter(admin.SimpleListFilter):
    """Engagements without a collaboration project link, which page 004 expects."""

    title = "collaboration project"
    parameter_name = "project"

    def lookups(self, request, model_admin):
        return [("linked", "Linked"), ("missing", "Missing")]

    def queryset(self, request, queryset):
        if self.value() == "linked":
            return queryset.exclude(collaboration_project_url="")
        if self.value() == "missing":
            return queryset.filter(collaboration_project_url="")
        return queryset


@admin.register(Engagement)
class EngagementAdmin(LargeTableAdmin):
    fields = (
        "account",
        ("kind", "template"),
        "tam",
        ("started_on", "welcome_call_on"),
        "collaboration_project_url",
        "notes",
        ("created_by", "created_at"),
    )
    readonly_fields = ("created_by", "created_at")
    list_display = (
        "account",
        "kind",
        "tam",
        "started_on",
        "template",
        "welcome_call_on",
        "has_project_display",
    )
    list_filter = ("kind", "template", CollaborationProjectListFilter)
    list_select_related = ("account", "tam")
    search_fields = ACCOUNT_SEARCH_FIELDS
    autocomplete_fields = ("account", "tam")
    # A link typed without its scheme is an https one (the model accepts no other).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    ordering = ("-id",)

    @admin.display(description="project", boolean=True)
    def has_project_display(self, engagement):
        return engagement.has_collaboration_project

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Disengagement)
class DisengagementAdmin(LargeTableAdmin):
    fieldsets = (
        (
            None,
            {"fields": ("account", "engagement", "tam", "disengaged_on", "reason", "explanation")},
        ),
        (
            "Checklist (page 004)",
            {
                "fields": (
                    "call_held_face_to_face_with_sal_ae",
                    "reason_explained",
                    "assistance_options_reviewed",
                    "follow_up_sent",
                )
            },
        ),
        (
            "The account on the day",
            {
                "fields": (
                    ("segment_at_disengagement", "arr_at_disengagement"),
                    "tam_released",
                    ("recorded_by", "recorded_at"),
                )
            },
        ),
    )
    readonly_fields = (
        "segment_at_disengagement",
        "arr_at_disengagement",
        "tam_released",
        "recorded_by",
        "recorded_at",
    )
    list_display = (
        "account",
        "disengaged_on",
        "reason",
        "tam",
        "segment_at_disengagement",
        "checklist_complete_display",
        "tam_released",
    )
    list_filter = ("reason", "tam_released", "follow_up_sent")
    list_select_related = ("account", "tam")
    search_fields = ACCOUNT_SEARCH_FIELDS
    autocomplete_fields = ("account", "engagement", "tam")
    ordering = ("-id",)

    @admin.display(description="checklist complete", boolean=True)
    def checklist_complete_display(self, disengagement):
        return disengagement.complete

    def save_model(self, request, obj, form, change):
        if not change:
            # What the service snapshots, for a row added by hand.
            account = obj.account
            segment = account.effective_segment
            obj.segment_at_disengagement = segment.code if segment else ""
            obj.arr_at_disengagement = account.arr
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
