"""The API's credentials: a user's personal tokens and admin-made integration keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from . import tokens

# Writing last-used on every request would cost a write per call: once a minute is
# as precise as anyone reading "last used" needs.
LAST_USED_PRECISION_SECONDS = 60


class CredentialQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class Credential(models.Model):
    KIND = ""
    # Left out of the audit log: the prefix is part of the token, last use is noise. The
    # digest never reaches it (core.audit.NEVER_RECORDED).
    AUDIT_EXCLUDE = ("prefix", "last_used_at")

    prefix = models.CharField(max_length=tokens.PREFIX_LENGTH, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: never expires. Refused from this moment."
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CredentialQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def shown(self) -> str:
        return tokens.shown(self.KIND, self.prefix) if self.prefix else ""

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def issue(self) -> str:
        """Give this (unsaved) credential a fresh secret; returns the token, shown once."""
        new = tokens.new_token(self.KIND)
        self.prefix, self.digest = new.prefix, new.digest
        return new.token

    def revoke(self) -> None:
        type(self).objects.filter(pk=self.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        self.refresh_from_db(fields=["revoked_at"])

    def mark_used(self, now) -> None:
        stale = now - timezone.timedelta(seconds=LAST_USED_PRECISION_SECONDS)
        if self.last_used_at is None or self.last_used_at < stale:
            type(self).objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now


class PersonalToken(Credential):
    """Acts as its user, with exactly the user's scope."""

    KIND = tokens.PERSONAL

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What it is for, e.g. 'weekly export'.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user}: {self.name}"


class IntegrationKey(Credential):
    """An organisation-wide integration: sees every account, within its scopes."""

    KIND = tokens.INTEGRATION

    name = models.CharField(max_length=100, unique=True)
    can_read = models.BooleanField("scope: read", default=True)
    can_write = models.BooleanField("scope: write", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(can_read=True) | Q(can_write=True), name="integration_key_has_a_scope"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def scopes(self) -> list[str]:
        return [scope for scope, on in (("read", self.can_read), ("write", self.can_write)) if on]
