"""Admin for the feeds: when each kind was last fed, and which kinds are overdue.

A kind is flagged when not fed for longer than its limit (`Feed.limit_days`: the admin's
`stale_after_days`, else the kind's default). There are a dozen kinds at most, so the
flag is worked out in Python over every row rather than as date arithmetic in SQL.
"""

from django.contrib import admin, messages
from django.utils import timezone

from core.audit_admin import AuditedAdmin

from .kinds import ORDER
from .models import Feed, ImportRecord


def stale_feeds(now) -> list[Feed]:
    return [feed for feed in Feed.objects.all() if feed.is_stale(now)]


class FreshnessFilter(admin.SimpleListFilter):
    title = "freshness"
    parameter_name = "freshness"

    def lookups(self, request, model_admin):
        return [("stale", "Not fed within its limit"), ("fresh", "Fed within its limit")]

    def queryset(self, request, queryset):
        if self.value() not in ("stale", "fresh"):
            return queryset
        stale = [feed.pk for feed in stale_feeds(timezone.now())]
        if self.value() == "stale":
            return queryset.filter(pk__in=stale)
        return queryset.exclude(pk__in=stale)


@admin.register(Feed)
class FeedAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = (
        "kind",
        "last_fed_at",
        "fed_within_limit",
        "limit",
        "source",
        "rows",
        "created",
        "updated",
    )
    list_filter = (FreshnessFilter,)
    fields = (
        "kind",
        "last_fed_at",
        "source",
        "rows",
        "created",
        "updated",
        "stale_after_days",
    )
    # What the imports write is read-only; the limit is the admin's to set.
    readonly_fields = ("kind", "last_fed_at", "source", "rows", "created", "updated")

    def has_add_permission(self, request):
        return False  # written by the imports only

    @admin.display(boolean=True, description="fed within its limit")
    def fed_within_limit(self, feed):
        return not feed.is_stale(timezone.now())

    @admin.display(description="limit")
    def limit(self, feed):
        default = "" if feed.stale_after_days is not None else " (default)"
        return f"{feed.limit_days} days{default}"

    def changelist_view(self, request, extra_context=None):
        now = timezone.now()
        for feed in stale_feeds(now):
            days = (now - feed.last_fed_at).days
            messages.warning(
                request,
                f"{feed.kind}: last fed {days} days ago from {feed.source}, "
                f"longer than its limit of {feed.limit_days} days.",
            )
        fed = set(Feed.objects.values_list("kind", flat=True))
        never = [kind for kind in ORDER if kind not in fed]
        if never:
            messages.info(request, "Never fed: " + ", ".join(never) + ".")
        return super().changelist_view(request, extra_context)


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    """Read-only: the import page writes these (DESIGN 10, "every import is recorded")."""

    list_display = ("created_at", "created_by", "kind", "file_names", "status", "rows_total")
    list_filter = ("status", "kind")
    exclude = ("changes",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
