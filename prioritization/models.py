"""Priorities: rule-set parameters, quarterly assessments, exceptions and reviews.

DESIGN section 4. The rules themselves are pure functions (prioritization/rules.py);
these models hold their admin-editable parameters and what they decided.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.validators import AtMostCharacters, supported_date
from lib.fiscal import FiscalQuarter, fiscal_quarter_of
from lib.text_bounds import COMMENT_MAX_LENGTH

PRIORITY_CHOICES = [(1, "Pr1"), (2, "Pr2"), (3, "Pr3"), (4, "Pr4")]
QUARTER_LABEL_REGEX = r"^FY[0-9]{2}-Q[1-4]$"
# A justification is read by the manager in a 1:1 (issue 12: comments and justifications
# 2,000 characters); an exception's and a proposal's are bounded alike, as are the
# decisions' comments (`lib.text_bounds`).
JUSTIFICATION_MAX_LENGTH = COMMENT_MAX_LENGTH


def _bounded_text(max_length: int, **kwargs):
    return models.TextField(
        max_length=max_length, validators=[AtMostCharacters(max_length)], **kwargs
    )


ONE_OPEN_REQUEST = "This account already has a request waiting for a decision: one at a time."


def _weight_field(label):
    return models.DecimalField(
        label,
        max_digits=4,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )


class RuleSetParameters(models.Model):
    """Every number the region's rule set uses, editable by an admin (DESIGN section 4)."""

    region = models.OneToOneField(
        "accounts.Region", on_delete=models.CASCADE, related_name="rule_parameters"
    )
    # US Enterprise flowchart
    uptier_window_months = models.PositiveSmallIntegerField(
        "up-tier opportunity window (months)",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    stage_adoption_min_hours = models.DecimalField(
        "stage adoption: more than N TAM hours a week",
        max_digits=5,
        decimal_places=2,
        default=Decimal(2),
        validators=[MinValueValidator(0), MaxValueValidator(40)],
    )
    infra_change_min_hours = models.DecimalField(
        "infrastructure change: more than N TAM hours a week",
        max_digits=5,
        decimal_places=2,
        default=Decimal(2),
        validators=[MinValueValidator(0), MaxValueValidator(40)],
    )
    lam_headroom_percent = models.DecimalField(
        "LAM headroom counted from (% above ARR)",
        max_digits=5,
        decimal_places=2,
        default=Decimal(10),
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
    )
    pr1_target_share = models.DecimalField(
        "target share of a book at Pr1",
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.333"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    # EMEA Enterprise scoring
    pr1_cap_per_tam = models.PositiveSmallIntegerField(
        "Pr1 suggestions per TAM at most",
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
    )
    pr1_target_min_per_tam = models.PositiveSmallIntegerField(
        "Pr1 per TAM target band from",
        default=5,
        validators=[MinValueValidator(0), MaxValueValidator(200)],
    )
    user_onboarding_share = models.DecimalField(
        "still onboarding users: active below this share of licensed",
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.5"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="The EMEA 'customer lifecycle stage' parameter: still onboarding most users.",
    )
    weight_org_change = _weight_field("weight: organisational change")
    weight_onboarding = _weight_field("weight: onboarding lifecycle stage")
    weight_infra_change = _weight_field("weight: infrastructure change")
    weight_weekly_engagement = _weight_field("weight: weekly engagement")
    weight_lam_gap = _weight_field("weight: LAM gap")
    weight_expansion_play = _weight_field("weight: expansion play")
    weight_tam_handover = _weight_field("weight: TAM handover")
    # Commercial qualification
    top_arr_rank = models.PositiveSmallIntegerField(
        "top N accounts by ARR are Pr1",
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(10000)],
    )
    churn_nps_max = models.PositiveSmallIntegerField(
        "last NPS at or below is a churn risk", default=6, validators=[MaxValueValidator(10)]
    )
    min_stages_adopted = models.PositiveSmallIntegerField(
        "fewer stages adopted than this is low adoption",
        default=3,
        validators=[MaxValueValidator(20)],
    )
    low_stage_adoption_min_arr = models.DecimalField(
        "low stage adoption counts from ARR (USD)",
        max_digits=14,
        decimal_places=2,
        default=Decimal(75000),
        validators=[MinValueValidator(0)],
    )
    commercial_uptier_window_months = models.PositiveSmallIntegerField(
        "commercial up-tier window (months)",
        default=9,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )

    class Meta:
        verbose_name = "rule-set parameters"
        verbose_name_plural = "rule-set parameters"
        constraints = [
            models.CheckConstraint(
                condition=Q(pr1_target_min_per_tam__lte=models.F("pr1_cap_per_tam")),
                name="rules_target_band_within_cap",
            ),
        ]

    def __str__(self):
        return f"Rule parameters: {self.region}"


class Source(models.TextChoices):
    MODEL = "model", "Model"
    EXCEPTION = "exception", "Approved exception"
    REVIEW = "review", "Manager review"


class PriorityAssessment(models.Model):
    """One per account per fiscal quarter: updated during the quarter, frozen after it."""

    # No index of its own: the unique (account, fiscal_quarter) constraint's index serves
    # lookups by account, and one index less is one write less per assessment.
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="assessments", db_index=False
    )
    fiscal_quarter = models.CharField(max_length=7)
    computed_priority = models.PositiveSmallIntegerField(choices=PRIORITY_CHOICES)
    reasons = models.CharField(
        max_length=300,
        help_text="Rule codes in the order they fired; an exception's or review's code first.",
    )
    effective_priority = models.PositiveSmallIntegerField(choices=PRIORITY_CHOICES)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MODEL)
    # Indexed only where set (below): most assessments are the model's, with no decider.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-fiscal_quarter"]
        indexes = [
            # The admin's list, filtered by quarter and priority (prioritization.admin).
            models.Index(fields=["fiscal_quarter", "effective_priority"]),
            # A user's deletion finds their decisions (SET_NULL) through this; a first run
            # writes 100,000 assessments with no decider, and skipping them in the index
            # takes an eighth off that write (0.41 s to 0.36 s in psql).
            models.Index(
                fields=["decided_by"],
                condition=Q(decided_by__isnull=False),
                name="assessment_decided_by_set",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "fiscal_quarter"], name="one_assessment_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(computed_priority__gte=1, computed_priority__lte=4)
                & Q(effective_priority__gte=1, effective_priority__lte=4),
                name="assessment_priority_1_4",
            ),
            models.CheckConstraint(
                condition=Q(fiscal_quarter__regex=QUARTER_LABEL_REGEX),
                name="assessment_quarter_label",
            ),
        ]

    def __str__(self):
        return f"{self.account} {self.fiscal_quarter}: Pr{self.effective_priority}"


def model_priority_in(quarter_label: str) -> models.Subquery:
    """The model's priority of a request's account in the quarter, for an annotation."""
    return models.Subquery(
        PriorityAssessment.objects.filter(
            account=models.OuterRef("account"), fiscal_quarter=quarter_label
        ).values("computed_priority")[:1]
    )


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class PriorityException(models.Model):
    """A TAM's request to hold an account at Pr1 or Pr2 whatever the model says."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="priority_exceptions"
    )
    requested_priority = models.PositiveSmallIntegerField(choices=PRIORITY_CHOICES[:2])
    justification = _bounded_text(JUSTIFICATION_MAX_LENGTH)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = _bounded_text(COMMENT_MAX_LENGTH, blank=True)
    expires_on = models.DateField(
        help_text="Default: the last day of the fiscal quarter. At the latest: see the "
        "decision settings (the end of the next fiscal quarter unless an admin changes it).",
        validators=[supported_date],
    )

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "expires_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_priority__in=[1, 2]), name="exception_pr1_or_pr2"
            ),
            models.CheckConstraint(condition=~Q(justification=""), name="exception_justified"),
            # One open request per account (issue 12); the service says why first.
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status="pending"),
                name="one_open_exception_per_account",
                violation_error_message=ONE_OPEN_REQUEST,
            ),
        ]

    def __str__(self):
        return f"Pr{self.requested_priority} exception for {self.account}"


class PriorityReview(models.Model):
    """EMEA: the TAM proposes the quarter's priority; the manager approves or changes it."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="priority_reviews"
    )
    fiscal_quarter = models.CharField(max_length=7)
    suggested_priority = models.PositiveSmallIntegerField(choices=PRIORITY_CHOICES)
    proposed_priority = models.PositiveSmallIntegerField(choices=PRIORITY_CHOICES)
    # Blank only on proposals made before it was required (issue 12); the service and
    # the form require it now.
    justification = _bounded_text(JUSTIFICATION_MAX_LENGTH, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    decided_priority = models.PositiveSmallIntegerField(
        choices=PRIORITY_CHOICES, null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = _bounded_text(COMMENT_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["-fiscal_quarter", "account"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "fiscal_quarter"], name="one_review_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(fiscal_quarter__regex=QUARTER_LABEL_REGEX),
                name="review_quarter_label",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(decided_priority__isnull=False),
                name="review_approved_has_priority",
            ),
        ]

    def __str__(self):
        return f"{self.account} {self.fiscal_quarter} review"

    @property
    def is_current_quarter(self) -> bool:
        """Whether this is the quarter in hand: once it is decided, no new proposal."""
        today = timezone.localdate()
        return (
            self.fiscal_quarter == fiscal_quarter_of(today, settings.FISCAL_YEAR_START_MONTH).label
        )


class DecisionSettings(models.Model):
    """How long an exception may run (issue 11, "Separation of duties").

    One row (id 1), read wherever an expiry is set (the account page, the admin). An
    exception was meant for the quarter in hand (DESIGN 2: it expires at the end of the
    fiscal quarter by default); without a limit one could be set to run until 9999.
    """

    SINGLETON_ID = 1
    MOST_QUARTERS_AHEAD = 4

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    exception_quarters_ahead = models.PositiveSmallIntegerField(
        "longest exception, in fiscal quarters after the current one",
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(MOST_QUARTERS_AHEAD)],
        help_text="0: an exception ends with the current fiscal quarter at the latest; "
        "1: with the next one; up to 4.",
    )

    class Meta:
        verbose_name = "decision settings"
        verbose_name_plural = "decision settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="decision_settings_one_row"),
            models.CheckConstraint(
                condition=Q(exception_quarters_ahead__gte=0, exception_quarters_ahead__lte=4),
                name="decision_settings_quarters_ahead_0_4",
            ),
        ]

    def __str__(self):
        return "Decision settings"

    @classmethod
    def current(cls) -> "DecisionSettings":
        """The row, or the defaults when it has not been created (one query)."""
        return cls.objects.filter(pk=cls.SINGLETON_ID).first() or cls()

    def last_exception_quarter(self, today: date) -> FiscalQuarter:
        """The fiscal quarter an exception set today must end in at the latest."""
        current = fiscal_quarter_of(today, settings.FISCAL_YEAR_START_MONTH)
        return current.shifted(self.exception_quarters_ahead)
