"""The audit log (issue 11, "Separation of duties"): who changed which setting or decided
which request, when, and what the fields were before and after.

It sits in core, the bottom domain app, so every app above can record into it
(`core.audit.record`). An entry is written once and never changed: admins read the log,
nobody edits or deletes it (the admin offers no add, change or delete; `save` refuses to
rewrite a stored entry and `delete` refuses outright).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"
    DECIDED = "decided", "Decided"


class AuditLogIsReadOnly(Exception):
    pass


class AuditEntry(models.Model):
    at = models.DateTimeField("when", default=timezone.now, db_index=True)
    # Kept by name too: the log must still say who after the user is deleted (SET_NULL).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="who",
    )
    actor_name = models.CharField("who (as recorded)", max_length=150, blank=True)
    via = models.CharField(
        max_length=150, blank=True, help_text="The way in: admin, an admin action, the API..."
    )
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    model = models.CharField(
        "what", max_length=100, help_text="app_label.model_name of the changed object."
    )
    object_id = models.CharField(max_length=64)
    object_label = models.CharField("object", max_length=200)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"
        indexes = [models.Index(fields=["model", "object_id"], name="audit_entry_object")]

    def __str__(self):
        return f"{self.actor_name or 'system'} {self.action} {self.object_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsReadOnly("An audit log entry is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsReadOnly("An audit log entry is never deleted.")
