from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from core.audit_admin import AuditedAdmin
from people.models import SecuritySettings, Team, User


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("TAM Portal", {"fields": ("role", "team")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        # Imports match TAMs by e-mail, so ask for it when the user is created.
        ("TAM Portal", {"fields": ("email", "first_name", "last_name", "role", "team")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "role", "team", "is_active")
    list_filter = ("role", "team", "is_active", "is_staff", "is_superuser")
    list_select_related = ("team",)


@admin.register(Team)
class TeamAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("name", "region", "manager")
    list_filter = ("region",)
    list_select_related = ("region", "manager")
    search_fields = ("name",)
    autocomplete_fields = ("manager",)


@admin.register(SecuritySettings)
class SecuritySettingsAdmin(AuditedAdmin, admin.ModelAdmin):
    """One row (the sign-in settings): nothing to add or delete. Locked-out sign-ins are
    under "Axes" (Access attempts): deleting one unlocks that user at that address."""

    fields = ("session_idle_minutes",)
    list_display = ("__str__", "session_idle_minutes")

    def has_add_permission(self, request):
        return not SecuritySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
