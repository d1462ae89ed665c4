"""When each kind of fact was last fed, and by what (DESIGN 10, "Freshness")."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models

# How long a kind may go unfed before admin flags it, unless an admin sets the kind's own
# limit: the facts a sync sends daily or weekly (usage, the timeline, the CRM's accounts)
# within a week, the rest (webinars, ARR per quarter, teams...) within a month.
DEFAULT_STALE_AFTER_DAYS = {"usage": 7, "activities": 7, "accounts": 7}
OTHER_KINDS_STALE_AFTER_DAYS = 30


def default_stale_after_days(kind: str) -> int:
    return DEFAULT_STALE_AFTER_DAYS.get(kind, OTHER_KINDS_STALE_AFTER_DAYS)


def fed_too_long_ago(last_fed_at: datetime, limit_days: int, now: datetime) -> bool:
    """Stale once more than `limit_days` have passed: fed exactly at the limit is still fresh."""
    return now - last_fed_at > timedelta(days=limit_days)


class Feed(models.Model):
    """One row per kind: the last real (not dry-run) import that reached it."""

    kind = models.CharField(max_length=20, unique=True)
    last_fed_at = models.DateTimeField()
    source = models.CharField(max_length=300, help_text="The file's name, or the API key's.")
    rows = models.PositiveIntegerField(help_text="Records in that feed.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    stale_after_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Flag this kind in admin when not fed for longer than this. Empty: the "
        "default, 7 days for usage, activities and accounts, 30 for every other kind.",
    )

    class Meta:
        ordering = ["kind"]

    def __str__(self):
        return f"{self.kind} fed {self.last_fed_at:%Y-%m-%d %H:%M} from {self.source}"

    @property
    def limit_days(self) -> int:
        if self.stale_after_days is not None:
            return self.stale_after_days
        return default_stale_after_days(self.kind)

    def is_stale(self, now: datetime) -> bool:
        return fed_too_long_ago(self.last_fed_at, self.limit_days, now)


class ImportRecord(models.Model):
    """One import from the import page (DESIGN 10, "In the browser"): who, when, which files,
    what the preview found and what the confirmed import did. Kept for every upload, a
    rejected one included, so the page lists them all."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "previewed, awaiting confirmation"
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    FOLDER = "folder"  # `kind` of an upload of several `<kind>.csv` files at once

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=20, help_text="The kind imported, or 'folder'.")
    file_names = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    # Per file: {kind, source, rows, created, updated, unchanged, notes}; the preview's
    # figures until the import ran, then what it did.
    counts = models.JSONField(default=list, blank=True)
    problems = models.JSONField(
        default=list, blank=True, help_text="Each as {file, line, column, message}."
    )
    changes = models.JSONField(
        default=list, blank=True, help_text="The first changes: {kind, key, field, old, new}."
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True, help_text="What the import is doing.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"import #{self.pk} {self.file_names} ({self.status})"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def can_confirm(self) -> bool:
        return self.status == self.Status.PREVIEWED and not self.problems

    @property
    def totals(self) -> dict[str, int]:
        """Rows, created, updated and unchanged over every file."""
        names = ("rows", "created", "updated", "unchanged")
        return {name: sum(counts[name] for counts in self.counts) for name in names}


class ImportFile(models.Model):
    """The bytes of one uploaded file, kept so that confirming imports exactly what was
    previewed."""

    record = models.ForeignKey(ImportRecord, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=20)
    name = models.CharField(max_length=255)
    content = models.BinaryField()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name
