from django.contrib import admin

from .models import Feed


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ("kind", "last_fed_at", "source", "rows", "created", "updated")
    readonly_fields = ("kind", "last_fed_at", "source", "rows", "created", "updated")

    def has_add_permission(self, request):
        return False  # written by the imports only
