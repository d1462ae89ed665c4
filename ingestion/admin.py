from django.contrib import admin

from .models import Feed, ImportRecord


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ("kind", "last_fed_at", "source", "rows", "created", "updated")
    readonly_fields = ("kind", "last_fed_at", "source", "rows", "created", "updated")

    def has_add_permission(self, request):
        return False  # written by the imports only


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
