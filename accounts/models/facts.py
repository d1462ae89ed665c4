"""Facts about an account the rules and metrics read: opportunities, initiatives,
stage adoption, success-plan objectives, and the ARR and usage snapshots over time."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.validators import supported_date

from .accounts import Account, Health
from .regions import Stage


class OpportunityKind(models.TextChoices):
    TIER_UPGRADE = "tier_upgrade", "Tier upgrade"
    GROWTH = "growth", "Growth"


class OpportunityStatus(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    CLOSED = "closed", "Closed (outcome not recorded)"


class Opportunity(models.Model):
    # The source system's id (DESIGN 10): imports upsert on it. Empty (NULL, so any number
    # of them under the unique constraint; "" would be allowed once) for a row created in
    # the portal.
    external_id = models.CharField("external id", max_length=64, null=True, blank=True)  # noqa: DJ001
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="opportunities")
    kind = models.CharField(max_length=20, choices=OpportunityKind.choices)
    close_date = models.DateField(validators=[supported_date])
    status = models.CharField(
        max_length=10, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN
    )
    amount = models.DecimalField(
        "amount (USD)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name_plural = "opportunities"
        ordering = ["close_date"]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="opportunity_external_id_unique"),
            # The import sets "the" open opportunity of a kind, so there is at most one.
            models.UniqueConstraint(
                fields=["account", "kind"],
                condition=Q(status="open"),
                name="one_open_opportunity_per_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} closing {self.close_date}"


class InitiativeKind(models.TextChoices):
    STAGE_ADOPTION = "stage_adoption", "Stage adoption"
    INFRASTRUCTURE_CHANGE = "infrastructure_change", "Infrastructure change"
    EXPANSION_PLAY = "expansion_play", "Expansion play"


class InitiativeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"
    # What the account import sets when an hours column is emptied: ended, outcome unknown.
    CLOSED = "closed", "Closed"


class Initiative(models.Model):
    """Work with the customer this quarter; the TAM hours drive the US flowchart."""

    # The source system's id (DESIGN 10): imports upsert on it. Empty (NULL, so any number
    # of them under the unique constraint; "" would be allowed once) for a row created in
    # the portal.
    external_id = models.CharField("external id", max_length=64, null=True, blank=True)  # noqa: DJ001
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="initiatives")
    kind = models.CharField(max_length=25, choices=InitiativeKind.choices)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True)
    tam_hours_per_week = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    starts_on = models.DateField(validators=[supported_date])
    ends_on = models.DateField(null=True, blank=True, validators=[supported_date])
    status = models.CharField(
        max_length=10, choices=InitiativeStatus.choices, default=InitiativeStatus.ACTIVE
    )

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="initiative_external_id_unique"),
            models.CheckConstraint(
                condition=Q(tam_hours_per_week__gte=0), name="initiative_hours_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="initiative_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.starts_on}"


class StageAdoption(models.Model):
    """A stage an account has enabled and how far its users have taken it up.

    Initial adoption is 10% of users, broad adoption 50% (pages 002/003).
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="stage_adoptions")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="adoptions")
    enabled_on = models.DateField(validators=[supported_date])
    users_share = models.DecimalField(
        "share of users now",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    initial_adoption_on = models.DateField(
        "reached 10% of users on", null=True, blank=True, validators=[supported_date]
    )
    broad_adoption_on = models.DateField(
        "reached 50% of users on", null=True, blank=True, validators=[supported_date]
    )

    class Meta:
        ordering = ["stage__position"]
        constraints = [
            models.UniqueConstraint(fields=["account", "stage"], name="one_adoption_per_stage"),
            models.CheckConstraint(
                condition=Q(users_share__gte=0, users_share__lte=1), name="adoption_share_0_1"
            ),
        ]

    def __str__(self):
        return f"{self.account} - {self.stage}"


class SuccessPlanObjective(models.Model):
    # The source system's id (DESIGN 10): imports upsert on it. Empty (NULL, so any number
    # of them under the unique constraint; "" would be allowed once) for a row created in
    # the portal.
    external_id = models.CharField("external id", max_length=64, null=True, blank=True)  # noqa: DJ001
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(max_length=200)
    due_on = models.DateField(null=True, blank=True, validators=[supported_date])
    green = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="objective_external_id_unique"),
        ]

    def __str__(self):
        return self.title


class ArrSnapshot(models.Model):
    """ARR at the start of a fiscal quarter: the base of growth and gross retention."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="arr_snapshots")
    fiscal_quarter = models.CharField(max_length=7, help_text="Like FY27-Q4.")
    arr = models.DecimalField("ARR (USD)", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "ARR snapshot"
        ordering = ["account", "fiscal_quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "fiscal_quarter"], name="one_arr_snapshot_per_quarter"
            ),
            models.CheckConstraint(condition=Q(arr__gte=0), name="snapshot_arr_non_negative"),
            models.CheckConstraint(
                condition=Q(fiscal_quarter__regex=r"^FY[0-9]{2}-Q[1-4]$"),
                name="snapshot_quarter_label",
            ),
        ]

    def __str__(self):
        return f"{self.account} {self.fiscal_quarter}: {self.arr}"


class UsageSnapshot(models.Model):
    """Licence use and health on a day (weekly from the product's usage data).

    The onboarding clock derives first value from it (the day active users first reach
    10% of licensed users, page 000) and metrics read health over time from it.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="usage")
    taken_on = models.DateField(validators=[supported_date])
    licensed_users = models.PositiveIntegerField()
    active_users = models.PositiveIntegerField()
    health = models.CharField(max_length=6, choices=Health.choices, blank=True)

    class Meta:
        ordering = ["account", "taken_on"]
        constraints = [
            models.UniqueConstraint(fields=["account", "taken_on"], name="one_usage_per_day"),
        ]

    def __str__(self):
        return f"{self.account} on {self.taken_on}: {self.active_users}/{self.licensed_users}"
