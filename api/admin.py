"""Integration keys and personal tokens in the admin: the secret is shown once, on the
page that answers the creation, and never stored; revoking keeps the row for the record."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone

from core.audit_admin import AuditedAdmin

from .models import Credential, IntegrationKey, PersonalToken


@admin.action(description="Revoke the selected credentials")
def revoke(modeladmin, request, queryset):
    revoked = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    messages.success(request, f"{revoked} revoked.")


class CredentialAdmin(AuditedAdmin, admin.ModelAdmin):
    actions = [revoke]
    # The log keeps a key's name, scopes and life (expiry, revocation), never its secret.
    audit_exclude = Credential.AUDIT_EXCLUDE
    readonly_fields = ["shown", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        # The expiry is chosen at creation; afterwards only revoking shortens a life.
        if obj is not None:
            return [*self.readonly_fields, "expires_at"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            request._api_new_token = obj.issue()
            if hasattr(obj, "created_by_id"):
                obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        return TemplateResponse(
            request,
            "api/admin/token_created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"{self.model._meta.verbose_name.capitalize()} created",
                "credential": obj,
                "token": request._api_new_token,
            },
        )


@admin.register(IntegrationKey)
class IntegrationKeyAdmin(CredentialAdmin):
    list_display = ["name", "shown", "scopes", "expires_at", "last_used_at", "revoked_at"]
    fields = ["name", "can_read", "can_write", "expires_at", *CredentialAdmin.readonly_fields]
    search_fields = ["name"]


@admin.register(PersonalToken)
class PersonalTokenAdmin(CredentialAdmin):
    list_display = ["name", "user", "shown", "expires_at", "last_used_at", "revoked_at"]
    fields = ["user", "name", "expires_at", *CredentialAdmin.readonly_fields]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    search_fields = ["name", "user__username", "user__email"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "user"] if obj is not None else fields
