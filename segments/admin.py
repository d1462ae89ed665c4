from django.contrib import admin

from prioritization.admin_preview import ImpactPreviewAdmin
from segments.models import Segment


@admin.register(Segment)
class SegmentAdmin(ImpactPreviewAdmin):
    impact_argument = "segment"
    fieldsets = (
        (None, {"fields": ("code", "name", "engagement_model", "position", "tam_assigned")}),
        (
            "Thresholds (evaluated by position, the first match wins)",
            {"fields": (("min_arr", "min_arr_inclusive"), ("lam_min_arr", "high_lam_usd"))},
        ),
    )
    list_display = (
        "position",
        "name",
        "code",
        "tam_assigned",
        "min_arr",
        "min_arr_inclusive",
        "lam_min_arr",
        "high_lam_usd",
    )
    list_display_links = ("name",)
    list_filter = ("tam_assigned",)
    search_fields = ("name", "code")
    ordering = ("position",)
