from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from core.large_admin import ComputedTableAdmin

from .models import RecomputeRun


@admin.register(RecomputeRun)
class RecomputeRunAdmin(ComputedTableAdmin, admin.ModelAdmin):
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
    # The failures as a table rather than their JSON.
    exclude = ("failures",)
    readonly_fields = ("failures_table",)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Accounts left out")
    def failures_table(self, run: RecomputeRun) -> str:
        """Each account a rule or a metric failed on, linked to its admin page, with the
        step and the error; the run computed every other account."""
        if not run.failures:
            return "None"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (_account_link(failure), failure["step"], failure["error"])
                for failure in run.failures
            ),
        )
        unlisted = run.failed_accounts - len(run.failures)
        note = (
            format_html(
                "<p>{} more not listed: a run keeps the first {}.</p>", unlisted, len(run.failures)
            )
            if unlisted > 0
            else ""
        )
        return format_html(
            "<table><thead><tr><th>Account</th><th>Step</th><th>Error</th></tr></thead>"
            "<tbody>{}</tbody></table>{}",
            rows,
            note,
        )


def _account_link(failure: dict) -> str:
    url = reverse("admin:accounts_account_change", args=[failure["account_id"]])
    return format_html(
        '<a href="{}">{}</a>', url, failure["account"] or f"#{failure['account_id']}"
    )
