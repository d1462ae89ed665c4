"""When each kind of fact was last fed, and by what (DESIGN 10, "Freshness")."""

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
