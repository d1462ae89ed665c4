from django.contrib import admin

from core.audit_admin import AuditedAdmin
from core.large_admin import ComputedTableAdmin, LargeTableAdmin

from .models import HealthHistory, HealthScorecard


class HealthScorecardAdmin(AuditedAdmin, admin.ModelAdmin):
    """The default scorecard and the segments' own (DESIGN 11). The default cannot be
    deleted (every segment without its own reads it), and a scorecard keeps its segment:
    to move one, add the other segment's and delete this one.

    Registered by `portal.health_admin`, which puts a save through the impact preview
    (accounts moving between bands): that reads the recompute's inputs, above this app."""

    model = HealthScorecard

    fieldsets = (
        (
            None,
            {
                "fields": ("segment", ("band_green_from", "band_yellow_from")),
                "description": (
                    "Each measure scores 100 when green, 50 yellow, 0 red. The score is "
                    "their weighted mean; a measure with no data or stale input is N/A and "
                    "its weight is shared out over the others. Red TAM sentiment makes the "
                    "account red whatever the score."
                ),
            },
        ),
        (
            "Licence use",
            {
                "fields": (
                    ("licence_use_enabled", "licence_use_weight"),
                    ("licence_use_green_from", "licence_use_yellow_from"),
                    "licence_use_stale_after_days",
                ),
                "description": "The latest usage snapshot: active users / licensed users.",
            },
        ),
        (
            "Stage adoption",
            {
                "fields": (
                    ("stage_adoption_enabled", "stage_adoption_weight"),
                    ("stage_adoption_green_from", "stage_adoption_yellow_from"),
                ),
                "description": "How many stages the account has adopted; never stale.",
            },
        ),
        (
            "TAM sentiment",
            {
                "fields": (
                    ("tam_sentiment_enabled", "tam_sentiment_weight"),
                    "tam_sentiment_stale_after_days",
                ),
                "description": "The TAM's green / yellow / red judgement and the day it was set.",
            },
        ),
        (
            "Outcomes",
            {
                "fields": (("outcomes_enabled", "outcomes_weight"),),
                "description": (
                    "The success plan: fully green is green, objectives and due date yellow, "
                    "none or unclear red; never stale."
                ),
            },
        ),
        (
            "Voice",
            {
                "fields": (
                    ("voice_enabled", "voice_weight"),
                    ("voice_nps_green_from", "voice_nps_yellow_from"),
                    ("voice_csat_green_from", "voice_csat_yellow_from"),
                    "voice_stale_after_days",
                ),
                "description": (
                    "The latest survey: its NPS, else its CSAT when no NPS is fresh. The "
                    "stale-after is the survey window (365 days: the last 12 months)."
                ),
            },
        ),
        (
            "Engagement",
            {
                "fields": (("engagement_enabled", "engagement_weight"),),
                "description": (
                    "Days since the last cadence call against the priority's interval (the "
                    "rhythm settings): within it green, within twice yellow, beyond red; N/A "
                    "for priorities without cadence calls (Pr3, Pr4)."
                ),
            },
        ),
    )
    list_display = (
        "__str__",
        "band_green_from",
        "band_yellow_from",
        "licence_use_weight",
        "stage_adoption_weight",
        "tam_sentiment_weight",
        "outcomes_weight",
        "voice_weight",
        "engagement_weight",
    )
    list_select_related = ("segment",)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "segment") if obj is not None else readonly

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_default:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # One row per segment at most: delete from the row's page, where the default
        # cannot be picked by mistake.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(HealthHistory)
class HealthHistoryAdmin(ComputedTableAdmin, LargeTableAdmin):
    """Written by the recompute whenever an account's score or band changes: read-only."""

    list_display = ("account", "on", "band", "score")
    list_filter = ("band",)
    list_select_related = ("account",)
    search_fields = ("account__external_id__exact", "account__name")
    readonly_fields = ("account", "on", "band", "score", "measures")
    ordering = ("-on",)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)
