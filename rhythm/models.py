"""Rhythm of business: the TAM task table per segment, weekly capacity (DESIGN section 6),
and the one setting behind the cadence interval and the renewal window (DESIGN 13)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from .cadence import RhythmRules
from .workload import WEEKS_PER_YEAR

# How far the weekly and yearly hours of a task row may differ: the table rounds them.
HOURS_TOLERANCE = Decimal("0.1")


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

    def clean(self):
        # The weekly column is the yearly one over 52 weeks (rhythm/workload.py, "Weeks"); the
        # seeded table rounds both (48 hours a year beside 1 a week), hence the tolerance.
        # A row may leave the yearly column empty (0): the workload reads the weekly one.
        if self.hours_per_week is None or not self.hours_per_year:
            return
        from_week = self.hours_per_week * WEEKS_PER_YEAR
        larger = max(from_week, self.hours_per_year)
        if abs(from_week - self.hours_per_year) > larger * HOURS_TOLERANCE:
            raise ValidationError(
                {
                    "hours_per_year": (
                        f"The weekly hours make {from_week.normalize():f} hours a year "
                        f"(x {WEEKS_PER_YEAR} weeks), not {self.hours_per_year.normalize():f}: "
                        "the weekly and yearly hours must agree within 10%."
                    )
                }
            )


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


DEFAULT_RULES = RhythmRules()


def _days_field(label, default, help_text, maximum):
    return models.PositiveSmallIntegerField(
        label,
        default=default,
        validators=[MinValueValidator(1), MaxValueValidator(maximum)],
        help_text=help_text,
    )


class RhythmSettings(models.Model):
    """The one admin setting behind the cadence interval and the renewal window.

    One row (id 1): the book, the account page, the dashboard's burn-down lists, the
    workload and the touch points due all read it, through `rhythm.selectors`, so an edit
    here changes every one of them (DESIGN 13, "every rule lives in exactly one place").
    """

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    pr1_cadence_days = _days_field(
        "Pr1 cadence call every (days)",
        DEFAULT_RULES.pr1_cadence_days,
        "Page 004: a monthly cadence call at least. Every rule set's Pr1.",
        maximum=365,
    )
    pr2_cadence_days = _days_field(
        "Pr2 cadence call every (days)",
        DEFAULT_RULES.pr2_cadence_days,
        "Page 004: a 60-day call cadence. US and EMEA Enterprise Pr2.",
        maximum=365,
    )
    commercial_pr2_cadence_days = _days_field(
        "Commercial Pr2 cadence call every (days)",
        DEFAULT_RULES.commercial_pr2_cadence_days,
        "Page 004, Commercial Pr2: quarterly.",
        maximum=365,
    )
    renewal_window_days = _days_field(
        "renewal window (days before renewal)",
        DEFAULT_RULES.renewal_window_days,
        "Pages 002/003: the renewal survey goes out 110 days before renewal; the renewal "
        "touch point is due from then.",
        maximum=366,
    )

    class Meta:
        verbose_name = "rhythm settings"
        verbose_name_plural = "rhythm settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="rhythm_settings_one_row"),
            models.CheckConstraint(
                condition=Q(
                    pr1_cadence_days__gte=1,
                    pr1_cadence_days__lte=365,
                    pr2_cadence_days__gte=1,
                    pr2_cadence_days__lte=365,
                    commercial_pr2_cadence_days__gte=1,
                    commercial_pr2_cadence_days__lte=365,
                ),
                name="rhythm_cadence_days_1_365",
            ),
            models.CheckConstraint(
                condition=Q(renewal_window_days__gte=1, renewal_window_days__lte=366),
                name="rhythm_renewal_window_1_366",
            ),
            models.CheckConstraint(
                condition=Q(pr1_cadence_days__lte=F("pr2_cadence_days"))
                & Q(pr1_cadence_days__lte=F("commercial_pr2_cadence_days")),
                name="rhythm_pr1_called_at_least_as_often_as_pr2",
            ),
        ]

    def __str__(self):
        return "Rhythm settings"

    def clean(self):
        slowest_pr2 = min(self.pr2_cadence_days or 0, self.commercial_pr2_cadence_days or 0)
        if self.pr1_cadence_days and slowest_pr2 and self.pr1_cadence_days > slowest_pr2:
            raise ValidationError(
                {
                    "pr1_cadence_days": "Pr1 accounts are called at least as often as Pr2 "
                    f"ones: at most {slowest_pr2} days with these Pr2 intervals."
                }
            )

    @classmethod
    def current(cls) -> "RhythmSettings":
        """The row, or the defaults when it has not been created (one query)."""
        return cls.objects.filter(pk=cls.SINGLETON_ID).first() or cls()

    def as_rules(self) -> RhythmRules:
        return RhythmRules(
            pr1_cadence_days=self.pr1_cadence_days,
            pr2_cadence_days=self.pr2_cadence_days,
            commercial_pr2_cadence_days=self.commercial_pr2_cadence_days,
            renewal_window_days=self.renewal_window_days,
        )
