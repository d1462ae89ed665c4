from django.contrib import admin

from core.audit_admin import AuditedAdmin
from rhythm.models import CapacityProfile, RhythmSettings, RhythmTask
from rhythm.workload import BOOK_DRIVEN

HOURS_FIELDS = ("hours_per_week", "hours_per_month", "hours_per_quarter", "hours_per_year")


@admin.register(RhythmTask)
class RhythmTaskAdmin(AuditedAdmin, admin.ModelAdmin):
    """The task table. A book-driven row's hours are computed from each TAM's book
    (rhythm/workload.py); the table's typical figures stay for comparison, not to edit."""

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
        "computed_from_book",
        "hours_per_week",
        "hours_per_month",
        "hours_per_quarter",
        "hours_per_year",
    )
    list_filter = ("segment", "driver")
    list_select_related = ("segment",)
    search_fields = ("task", "notes")

    @admin.display(boolean=True, description="Computed from the book")
    def computed_from_book(self, row: RhythmTask) -> bool:
        return row.driver in BOOK_DRIVEN

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and obj.driver in BOOK_DRIVEN:
            return (*readonly, *HOURS_FIELDS)
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.driver not in BOOK_DRIVEN:
            return fieldsets
        (name, options), *rest = fieldsets[1:]
        note = (
            "Computed from each TAM's book: these are the table's typical figures, "
            "shown for comparison (DESIGN 6)."
        )
        return (fieldsets[0], (f"{name} (computed)", {**options, "description": note}), *rest)


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
