"""When each kind of fact was last fed, and by what (DESIGN 10, "Freshness")."""

from django.conf import settings
from django.db import models


class Feed(models.Model):
    """One row per kind: the last real (not dry-run) import that reached it."""

    kind = models.CharField(max_length=20, unique=True)
    last_fed_at = models.DateTimeField()
    source = models.CharField(max_length=300, help_text="The file's name, or the API key's.")
    rows = models.PositiveIntegerField(help_text="Records in that feed.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["kind"]

    def __str__(self):
        return f"{self.kind} fed {self.last_fed_at:%Y-%m-%d %H:%M} from {self.source}"


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
