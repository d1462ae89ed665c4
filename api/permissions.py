"""Who may call what: any signed-in caller reads within their scope; an integration key
needs its `read` scope to read, and only people manage personal tokens."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import IntegrationKey


class ReadScope(BasePermission):
    message = "This integration key lacks the 'read' scope."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if isinstance(request.auth, IntegrationKey):
            return request.method in SAFE_METHODS and request.auth.can_read
        return request.method in SAFE_METHODS


class PeopleOnly(BasePermission):
    message = "Personal tokens are managed by their user, not by an integration key."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated) and not isinstance(
            request.auth, IntegrationKey
        )


class WriteScope(BasePermission):
    """Writes come from an integration key with the `write` scope, or from an admin (their
    token or their session): a TAM's or manager's scope does not reach the feeds."""

    message = "Writing needs an integration key with the 'write' scope, or an admin."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if isinstance(request.auth, IntegrationKey):
            return request.auth.can_write
        return bool(request.user.is_portal_admin)
