"""Lifecycle metrics: definitions, per-segment targets and kept results (DESIGN section 5)."""

import hashlib
import json
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Direction(models.TextChoices):
    AT_LEAST = "at_least", "at least the target"
    AT_MOST = "at_most", "at most the target"
    ABOVE = "above", "above the target"
    UP = "up", "higher than last quarter"
    DOWN = "down", "lower than last quarter"


class MetricDefinition(models.Model):
    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    segments = models.CharField(max_length=120, help_text="The segments it applies to.")
    population = models.CharField(max_length=200, blank=True)
    formula = models.CharField(max_length=300, blank=True)
    unit = models.CharField(
        max_length=10,
        choices=[
            ("share", "share (0-1)"),
            ("days", "days"),
            ("score", "score"),
            ("count", "count"),
            ("ratio", "ratio"),
        ],
    )
    direction = models.CharField(max_length=10, choices=Direction.choices)
    default_target = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Shares as fractions (0.75 = 75%), days, scores or counts; empty: no target.",
    )

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return self.name


class MetricTarget(models.Model):
    """A segment's own target where it differs from the metric's default."""

    metric = models.ForeignKey(MetricDefinition, on_delete=models.CASCADE, related_name="targets")
    segment = models.ForeignKey("segments.Segment", on_delete=models.CASCADE)
    target = models.DecimalField(max_digits=12, decimal_places=4, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["metric", "segment__position"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "segment"], name="one_target_per_segment"),
            models.CheckConstraint(condition=Q(target__gte=0), name="metric_target_gte_0"),
        ]

    def __str__(self):
        return f"{self.metric.key} / {self.segment}: {self.target}"


class ScopeType(models.TextChoices):
    TAM = "tam", "TAM"
    TEAM = "team", "Team"
    REGION = "region", "Region"
    SEGMENT = "segment", "Segment"
    TEAM_SEGMENT = "team_segment", "Team x segment"
    COMPANY = "company", "Whole company"


TEAM_SEGMENT_SEPARATOR = ":"


def team_segment_scope(team_id, segment_code: str) -> str:
    """The scope id of a team's accounts in one segment: "<team id>:<segment code>"."""
    return f"{team_id}{TEAM_SEGMENT_SEPARATOR}{segment_code}"


def segment_of_team_segment(scope: str) -> str:
    return scope.split(TEAM_SEGMENT_SEPARATOR, 1)[1]


# What a result stores beside its key: the values `result_fingerprint` covers.
RESULT_VALUES = ("numerator", "denominator", "value", "target", "attained", "details")
RESULT_PLACES = Decimal("0.0001")


def stored_decimal(value: Decimal | None) -> Decimal | None:
    """A figure as its column keeps it: four places."""
    return None if value is None else value.quantize(RESULT_PLACES)


def result_fingerprint(values: tuple) -> str:
    """A short hash of a result's `RESULT_VALUES`, decimals already `stored_decimal`.

    Equal values give equal fingerprints whatever their form (a key order in `details`, a
    negative zero), so the recompute compares 16 characters per result instead of reading
    every result back (issue 14). 64 bits: a changed result keeping its old fingerprint
    by chance is a 1 in 10^19 event.
    """
    numerator, denominator, value, target, attained, details = values
    text = f"{numerator}|{denominator}|{value}|{target}|{attained}|"
    if "-0.0000" in text:  # only a zero at four places can show so: a column keeps it unsigned
        figures = (numerator, denominator, value, target)
        text = "|".join(_unsigned(f"{figure}") for figure in figures) + f"|{attained}|"
    if details != {}:
        text += json.dumps(details, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _unsigned(text: str) -> str:
    return "0.0000" if text == "-0.0000" else text


class MetricResult(models.Model):
    # No index of its own: the one-result constraint's index leads with the metric, and a
    # first run inserts every result (a million at 1,000,000 accounts): one index less.
    metric = models.ForeignKey(
        MetricDefinition, on_delete=models.CASCADE, related_name="results", db_index=False
    )
    scope_type = models.CharField(max_length=20, choices=ScopeType.choices)
    scope = models.CharField(
        max_length=120,
        help_text=(
            "The TAM's, team's or region's id, the segment code, '<team id>:<segment code>' "
            "for a team's accounts in one segment, or 'all' for the company."
        ),
    )
    fiscal_quarter = models.CharField(max_length=7)
    numerator = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    value = models.DecimalField(
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Empty when the population is empty (no data).",
    )
    target = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    attained = models.BooleanField(null=True, blank=True)
    details = models.JSONField(
        default=dict, blank=True, help_text="Secondary figures: NPS, cohort sizes, ..."
    )
    computed_at = models.DateTimeField(auto_now=True)
    # `result_fingerprint` of the values; the recompute writes it with them, `save` (an
    # admin's edit, a test's factory) recomputes it, so the next run sees the difference.
    fingerprint = models.CharField(max_length=16, default="", editable=False)

    class Meta:
        ordering = ["fiscal_quarter", "metric", "scope_type", "scope"]
        indexes = [models.Index(fields=["fiscal_quarter", "scope_type", "scope"])]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "scope_type", "scope", "fiscal_quarter"],
                name="one_result_per_metric_scope_quarter",
            ),
            models.CheckConstraint(
                condition=Q(fiscal_quarter__regex=r"^FY[0-9]{2}-Q[1-4]$"),
                name="metric_result_quarter_label",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gte=0),
                name="metric_result_denominator_gte_0",
            ),
        ]

    def __str__(self):
        return f"{self.metric.key} {self.scope_type}:{self.scope} {self.fiscal_quarter}"

    def save(self, *args, **kwargs):
        figures = [stored_decimal(self._decimal(name)) for name in RESULT_VALUES[:4]]
        self.fingerprint = result_fingerprint((*figures, self.attained, self.details))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "fingerprint"}
        super().save(*args, **kwargs)

    def _decimal(self, name: str) -> Decimal | None:
        # A form or a test may hand a float, an int or a string; the column keeps a Decimal.
        value = getattr(self, name)
        return None if value is None else Decimal(str(value))


class BurnDownThresholds(models.Model):
    """The numbers behind the burn-down lists a manager works through (one row).

    The cadence lists and the renewal survey list read the cadence intervals and the
    renewal window from `rhythm.RhythmSettings`, the setting every other face reads."""

    first_engage_days = models.PositiveSmallIntegerField(
        "first engage overdue after (days)", default=14, validators=[MinValueValidator(1)]
    )
    first_value_days = models.PositiveSmallIntegerField(
        "first value overdue after (days)", default=30, validators=[MinValueValidator(1)]
    )
    onboarding_days = models.PositiveSmallIntegerField(
        "onboarding overdue after (days)", default=45, validators=[MinValueValidator(1)]
    )
    pr1_ebr_months = models.PositiveSmallIntegerField(
        "Pr1 without an EBR for (months)", default=12, validators=[MinValueValidator(1)]
    )
    low_utilisation_share = models.DecimalField(
        "low licence utilisation below (share of licensed users active)",
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.5"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )

    class Meta:
        verbose_name = "burn-down thresholds"
        verbose_name_plural = "burn-down thresholds"
        constraints = [
            models.CheckConstraint(
                condition=Q(low_utilisation_share__gte=0, low_utilisation_share__lte=1),
                name="burndown_utilisation_share_0_1",
            ),
        ]

    def __str__(self):
        return "Burn-down thresholds"

    @classmethod
    def current(cls) -> "BurnDownThresholds":
        return cls.objects.order_by("pk").first() or cls()


CLOCK_METRICS = ("time_to_first_engage", "time_to_first_value", "time_to_onboard")
