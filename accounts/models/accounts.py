"""The customer account, its scoping QuerySet and the choices its own fields take."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.validators import supported_date
from people.models import Role

from .regions import Region


class LamConfidence(models.TextChoices):
    HIGH = "high", "High (explicit evidence)"
    LOW = "low", "Low (uncertain)"


class Health(models.TextChoices):
    GREEN = "green", "Green"
    YELLOW = "yellow", "Yellow"
    RED = "red", "Red"


class SuccessPlanState(models.TextChoices):
    NONE = "none", "None"
    UNCLEAR = "unclear", "Unclear"
    OBJECTIVES = "objectives", "Objectives and due date only"
    GREEN = "green", "Fully green (at least 3 objectives)"


class AccountQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The accounts `user` may see: a TAM their book, a manager their team's, admin all.

        Every view, fragment and export starts from this, so scoping cannot be forgotten.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.role == Role.ADMIN:
            return self
        if user.role == Role.MANAGER:
            return self.filter(tam__team__manager=user)
        return self.filter(tam=user)


class Account(models.Model):
    # Unique through Meta.constraints rather than unique=True, which on PostgreSQL adds a
    # second, LIKE-pattern index nobody queries.
    external_id = models.CharField("external id (CRM)", max_length=64)
    name = models.CharField(max_length=200)
    # No index of its own: the (region, arr) index leads with the region and serves every
    # lookup by region (a region's deletion check too).
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="accounts", db_index=False
    )
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    managed = models.BooleanField(
        default=True, help_text="An unmanaged child account is Pr3 (page 004)."
    )
    tam = models.ForeignKey(
        "people.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name="TAM",
        db_index=False,  # the (tam, name) index serves every lookup by TAM
    )

    arr = models.DecimalField(
        "ARR (USD)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    lam = models.DecimalField(
        "LAM (USD)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Landed addressable market.",
    )
    lam_confidence = models.CharField(
        "LAM confidence", max_length=4, choices=LamConfidence.choices, blank=True
    )

    customer_since = models.DateField(
        null=True,
        blank=True,
        help_text="Contract close: the start of every onboarding clock.",
        validators=[supported_date],
    )
    first_engaged_on = models.DateField(null=True, blank=True, validators=[supported_date])
    first_value_on = models.DateField(null=True, blank=True, validators=[supported_date])
    first_value_derived = models.BooleanField(
        default=False,
        help_text="First value was not entered: derived from the day licence use reached 10%.",
    )
    onboarded_on = models.DateField(null=True, blank=True, validators=[supported_date])
    renewal_date = models.DateField(null=True, blank=True, validators=[supported_date])

    licensed_users = models.PositiveIntegerField(null=True, blank=True)
    active_users = models.PositiveIntegerField(null=True, blank=True)

    # The TAM's judgement (DESIGN 11 "TAM sentiment"; imported as `tam_sentiment`, or
    # `health`, its older name) and the day it was given: it goes stale after 90 days.
    tam_sentiment = models.CharField(
        "TAM sentiment", max_length=6, choices=Health.choices, blank=True
    )
    tam_sentiment_on = models.DateField(
        "TAM sentiment given on", null=True, blank=True, validators=[supported_date]
    )
    # The computed health (DESIGN 11), written by the recompute from the scorecard; blank
    # (and no score) is "unknown": every measure N/A. Kept on the account so the book
    # filters and sorts on it without reading the history.
    health = models.CharField(
        "health band", max_length=6, choices=Health.choices, blank=True, editable=False
    )
    health_score = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, validators=[MaxValueValidator(100)]
    )
    at_risk = models.BooleanField("at risk (contraction/churn)", default=False)
    in_triage = models.BooleanField(default=False)

    # The current success plan lives on the account: the book of business shows its state
    # on every row, and its objectives are SuccessPlanObjective rows.
    success_plan = models.CharField(
        max_length=10, choices=SuccessPlanState.choices, default=SuccessPlanState.NONE
    )
    success_plan_green_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the plan last became fully green.",
        validators=[supported_date],
    )
    success_plan_management_qualified = models.BooleanField(default=False)
    success_plan_management_qualified_on = models.DateField(
        null=True, blank=True, validators=[supported_date]
    )
    critical_project = models.BooleanField(default=False)

    key_logo = models.BooleanField("key logo / case study", default=False)
    channel_engaged = models.BooleanField("channel partner engaged", default=False)
    org_change = models.BooleanField("organisational change", default=False)
    weekly_engagement = models.BooleanField("wishes weekly engagement", default=False)
    tam_handover = models.BooleanField("TAM handover", default=False)
    digital = models.BooleanField(
        "marked digital",
        default=False,
        help_text="Only used in regions trialling TAM-assigned digital customers.",
    )
    last_nps = models.PositiveSmallIntegerField(
        "last NPS", null=True, blank=True, validators=[MaxValueValidator(10)]
    )

    # Computed by the recompute job; the override pins the segment with a reason.
    # Not indexed, like priority below: the nightly job rewrites these columns, and with
    # no index on them PostgreSQL updates the rows in place (HOT), leaving indexes alone.
    segment = models.ForeignKey(
        "segments.Segment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        editable=False,
        db_index=False,
    )
    segment_override = models.ForeignKey(
        "segments.Segment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pinned_accounts",
        db_index=False,
    )
    segment_override_reason = models.CharField(max_length=300, blank=True)
    priority = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    priority_reasons = models.CharField(max_length=300, blank=True, editable=False)
    # Written by the recompute with the priority when it changes (Today lists the accounts
    # whose priority changed in the last 7 days); NULL previous: it had none.
    previous_priority = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    priority_changed_on = models.DateField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        # Deliberately few: the nightly job rewrites segment and priority, and every index
        # on a rewritten column costs each update (and rules out HOT updates).
        indexes = [
            models.Index(fields=["tam", "name"]),
            # The book of a manager or an admin is ordered by name across many TAMs: without
            # this, PostgreSQL sorts every visible account to show the first fifty.
            models.Index(fields=["name", "id"], name="account_name_order"),
            # The account page's explanation ranks a commercial account among its region's
            # by ARR (`orchestration.selection`): a count of those above it, which without
            # this reads every account of the region. Neither column is one the nightly
            # job rewrites.
            models.Index(fields=["region", "arr"], name="account_region_arr"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="account_external_id_unique"),
            models.CheckConstraint(condition=Q(arr__gte=0), name="account_arr_non_negative"),
            models.CheckConstraint(condition=Q(lam__gte=0), name="account_lam_non_negative"),
            models.CheckConstraint(
                condition=Q(last_nps__gte=0, last_nps__lte=10), name="account_nps_0_10"
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=4), name="account_priority_1_4"
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="account_not_own_parent"
            ),
            models.CheckConstraint(
                condition=Q(segment_override__isnull=True) | ~Q(segment_override_reason=""),
                name="account_segment_override_has_reason",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def effective_segment(self):
        return self.segment_override or self.segment
