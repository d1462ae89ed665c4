from django.contrib import admin

from core.audit_admin import AuditedAdmin
from rhythm.models import CapacityProfile, RhythmSettings, RhythmTask


@admin.register(RhythmTask)
class RhythmTaskAdmin(AuditedAdmin, admin.ModelAdmin):
    fieldsets = (
        (None, {"fields": ("segment", "task", "driver", "position", "notes")}),
        (
            "Hours",
            {
                "fields": (
                    ("hours_per_week", "hours_per_month", "hours_per_quarter", "hours_per_year"),
                )
            },
        ),
    )
    list_display = (
        "task",
        "segment",
        "driver",
        "hours_per_week",
        "hours_per_month",
        "hours_per_quarter",
        "hours_per_year",
    )
    list_filter = ("segment", "driver")
    list_select_related = ("segment",)
    search_fields = ("task", "notes")


@admin.register(CapacityProfile)
class CapacityProfileAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("segment", "weekly_capacity_hours", "pto_days_per_year")
    list_select_related = ("segment",)


@admin.register(RhythmSettings)
class RhythmSettingsAdmin(AuditedAdmin, admin.ModelAdmin):
    """One row, read by the book, the account page, the dashboard's burn-down lists, the
    workload and the touch points due: there is nothing to add or delete."""

    fieldsets = (
        (
            "Cadence calls",
            {"fields": ("pr1_cadence_days", "pr2_cadence_days", "commercial_pr2_cadence_days")},
        ),
        ("Renewals", {"fields": ("renewal_window_days",)}),
    )
    list_display = (
        "__str__",
        "pr1_cadence_days",
        "pr2_cadence_days",
        "commercial_pr2_cadence_days",
        "renewal_window_days",
    )

    def has_add_permission(self, request):
        return not RhythmSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
