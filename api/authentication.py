"""`Authorization: Bearer <token>`: a personal token or an integration key.

A malformed, unknown, revoked or expired token is refused with 401, never treated as
anonymous, so a sync with a dead key fails loudly.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from . import tokens
from .models import IntegrationKey, PersonalToken

REFUSED = "Invalid, revoked or expired token."


class IntegrationPrincipal(AnonymousUser):
    """`request.user` for an integration key: signed in, but nobody's account.

    It is not an admin user: scoping asks `is_integration(request)` explicitly, so the
    key's reach is decided in one place (api/scope.py)."""

    def __init__(self, key: IntegrationKey):
        self.key = key
        self.username = f"integration:{key.name}"

    @property
    def is_anonymous(self):
        return False

    @property
    def is_authenticated(self):
        return True

    def __str__(self):
        return self.username


class BearerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise AuthenticationFailed(REFUSED)
        try:
            token = header[1].decode()
        except UnicodeDecodeError as error:
            raise AuthenticationFailed(REFUSED) from error
        return _credential_for(token)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def _credential_for(token: str):
    parsed = tokens.parse(token)
    if parsed is None:
        raise AuthenticationFailed(REFUSED)
    kind, prefix = parsed
    now = timezone.now()
    if kind == tokens.PERSONAL:
        credential = (
            PersonalToken.objects.usable(now).select_related("user").filter(prefix=prefix).first()
        )
    else:
        credential = IntegrationKey.objects.usable(now).filter(prefix=prefix).first()
    if credential is None or not tokens.matches(token, credential.digest):
        raise AuthenticationFailed(REFUSED)
    if kind == tokens.PERSONAL:
        if not credential.user.is_active:
            raise AuthenticationFailed(REFUSED)
        user = credential.user
    else:
        user = IntegrationPrincipal(credential)
    credential.mark_used(now)
    return user, credential


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token (tam_pt_…) or an integration key (tam_ik_…).",
        }
