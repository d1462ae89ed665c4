"""Triage in the admin: the settings are edited here; cases are read here and written on
the account page, where every change is announced to the recompute and audited."""

from django.contrib import admin

from core.audit_admin import AuditedAdmin

from .models import RiskCase, RiskCaseUpdate, TriageSettings


@admin.register(TriageSettings)
class TriageSettingsAdmin(AuditedAdmin, admin.ModelAdmin):
    """One row, read wherever a case's next update is dated: nothing to add or delete."""

    fields = ("red_update_days", "yellow_update_days")
    list_display = ("__str__", "red_update_days", "yellow_update_days")

    def has_add_permission(self, request):
        return not TriageSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, not written: an admin edit would skip the recompute and the sign-off."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RiskCaseUpdateInline(admin.TabularInline):
    model = RiskCaseUpdate
    extra = 0
    fields = ("on", "by", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RiskCase)
class RiskCaseAdmin(ReadOnlyAdmin):
    list_display = (
        "account",
        "status",
        "reason",
        "classification",
        "arr_at_risk",
        "opened_on",
        "next_update_due",
    )
    list_filter = ("status", "reason", "classification")
    list_select_related = ("account",)
    search_fields = ("account__name",)
    inlines = [RiskCaseUpdateInline]


@admin.register(RiskCaseUpdate)
class RiskCaseUpdateAdmin(ReadOnlyAdmin):
    list_display = ("case", "on", "by")
    list_select_related = ("case__account", "by")
