"""Segments and their admin-editable thresholds (DESIGN section 3)."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class Segment(models.Model):
    """One row of the segment table, evaluated by `position`; the first match wins.

    An account matches when its ARR clears `min_arr` (`>=` or `>` as `min_arr_inclusive`
    says) or, where `lam_min_arr` is set, when its ARR is above `lam_min_arr` and its LAM
    is high: confidence `high` and LAM >= `high_lam_usd`. Below every row: no segment.
    """

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=50)
    engagement_model = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(unique=True)
    tam_assigned = models.BooleanField(
        default=False, help_text="Part of the TAM-Assigned segment (page 000)."
    )
    min_arr = models.DecimalField(
        "ARR threshold (USD)",
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    min_arr_inclusive = models.BooleanField("ARR equal to the threshold qualifies", default=True)
    lam_min_arr = models.DecimalField(
        "ARR above which high LAM qualifies (USD)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    high_lam_usd = models.DecimalField(
        "LAM counted as high from (USD)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(condition=Q(min_arr__gte=0), name="segment_min_arr_gte_0"),
            models.CheckConstraint(
                condition=Q(lam_min_arr__isnull=True) | Q(high_lam_usd__isnull=False),
                name="segment_lam_rule_complete",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.lam_min_arr is not None and self.high_lam_usd is None:
            raise ValidationError(
                {"high_lam_usd": "Set the LAM amount that counts as high for the LAM rule."}
            )
        lam_floor_above_threshold = (
            self.lam_min_arr is not None
            and self.min_arr is not None
            and self.lam_min_arr > self.min_arr
        )
        if lam_floor_above_threshold:
            raise ValidationError(
                {"lam_min_arr": "The high-LAM ARR floor must not exceed the ARR threshold."}
            )
