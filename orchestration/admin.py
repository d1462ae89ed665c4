from django.contrib import admin

from .models import RecomputeRun


@admin.register(RecomputeRun)
class RecomputeRunAdmin(admin.ModelAdmin):
    """The run log: written by the job, read by people."""

    list_display = (
        "started_at",
        "trigger",
        "as_of",
        "status",
        "duration",
        "accounts",
        "segments_changed",
        "priorities_changed",
        "assessments_created",
        "assessments_updated",
        "failed_accounts",
    )
    list_filter = ("status", "trigger")
    date_hierarchy = "started_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
