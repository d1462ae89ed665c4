"""Rhythm of business: the TAM task table per segment and weekly capacity (DESIGN section 6)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Driver(models.TextChoices):
    """What makes a task's hours grow with the book; `fixed` rows do not."""

    FIXED = "fixed", "Fixed hours"
    CADENCE_CALLS = "cadence_calls", "Cadence calls (per account, by priority)"
    ONBOARDING = "onboarding", "Onboarding (per onboarding customer)"
    EBRS = "ebrs", "EBRs (per Pr1 account)"
    RENEWALS = "renewals", "Renewals (per account a year)"


def _hours_field(label):
    return models.DecimalField(
        label,
        max_digits=7,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )


class RhythmTask(models.Model):
    segment = models.ForeignKey(
        "segments.Segment", on_delete=models.CASCADE, related_name="rhythm_tasks"
    )
    task = models.CharField(max_length=100)
    driver = models.CharField(max_length=15, choices=Driver.choices, default=Driver.FIXED)
    position = models.PositiveSmallIntegerField(default=0)
    hours_per_week = _hours_field("weekly")
    hours_per_month = _hours_field("monthly")
    hours_per_quarter = _hours_field("quarterly")
    hours_per_year = _hours_field("yearly")
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["segment__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["segment", "task"], name="one_task_row_per_segment"),
            models.CheckConstraint(
                condition=Q(
                    hours_per_week__gte=0,
                    hours_per_month__gte=0,
                    hours_per_quarter__gte=0,
                    hours_per_year__gte=0,
                ),
                name="rhythm_hours_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__lte=168), name="rhythm_week_has_168_hours"
            ),
        ]

    def __str__(self):
        return f"{self.segment}: {self.task}"


class CapacityProfile(models.Model):
    """A TAM's working week in a segment: hours available and PTO assumed (page 002)."""

    segment = models.OneToOneField(
        "segments.Segment", on_delete=models.CASCADE, related_name="capacity"
    )
    weekly_capacity_hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("31.25"),
        validators=[MinValueValidator(1), MaxValueValidator(80)],
    )
    pto_days_per_year = models.PositiveSmallIntegerField(
        default=56,
        validators=[MaxValueValidator(200)],
        help_text="For information: the weekly capacity already leaves PTO out (page 002).",
    )

    class Meta:
        ordering = ["segment__position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekly_capacity_hours__gte=1, weekly_capacity_hours__lte=80),
                name="capacity_hours_1_80",
            ),
        ]

    def __str__(self):
        return f"{self.segment}: {self.weekly_capacity_hours} h/week"
