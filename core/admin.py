"""The audit log in the admin: readable by whoever may view it (superusers, staff given the
view permission), writable by nobody, superusers included: no add, change or delete,
and so no delete action either."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from .models import AuditEntry


class ActorFilter(admin.SimpleListFilter):
    """Who, as recorded: the people who appear in the log, not every user of the portal."""

    title = "who"
    parameter_name = "who"

    def lookups(self, request, model_admin):
        names = (
            AuditEntry.objects.exclude(actor_name="")
            .order_by("actor_name")
            .values_list("actor_name", flat=True)
            .distinct()
        )
        return [(name, name) for name in names]

    def queryset(self, request, queryset):
        return queryset.filter(actor_name=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "action", "model", "object_label", "changed", "via")
    list_filter = ("action", "model", ActorFilter, "at")
    search_fields = ("object_label", "object_id", "actor_name", "via")
    date_hierarchy = "at"
    fields = (
        "at",
        "actor_name",
        "via",
        "action",
        "model",
        "object_id",
        "object_label",
        "changes",
    )
    readonly_fields = fields
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="fields")
    def changed(self, entry):
        return ", ".join(entry.after or entry.before or {})

    @admin.display(description="before and after")
    def changes(self, entry):
        before, after = entry.before or {}, entry.after or {}
        names = list(dict.fromkeys([*before, *after]))
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>",
            ((name, _shown(before, name), _shown(after, name)) for name in names),
        )
        return format_html(
            "<table><thead><tr><th>field</th><th>before</th><th>after</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )


def _shown(values: dict, name: str) -> str:
    return "—" if name not in values else str(values[name])
