from django.contrib import admin

from rhythm.models import CapacityProfile, RhythmTask


@admin.register(RhythmTask)
class RhythmTaskAdmin(admin.ModelAdmin):
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
class CapacityProfileAdmin(admin.ModelAdmin):
    list_display = ("segment", "weekly_capacity_hours", "pto_days_per_year")
    list_select_related = ("segment",)
