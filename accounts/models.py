"""Customer accounts and the facts the rules look at (DESIGN section 2)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from lib.rule_sets import RULE_SET_CHOICES, RuleSet
from people.models import Role


class Region(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    rule_set = models.CharField(max_length=20, choices=RULE_SET_CHOICES)
    digital_tam_trial = models.BooleanField(
        default=False,
        help_text="Trials TAM-assigned digital customers at Pr4 (Public Sector, page 004).",
    )

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


class Stage(models.Model):
    """A DevOps stage of the product (Manage, Plan, Create, ...)."""

    name = models.CharField(max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


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
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="accounts")
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
        null=True, blank=True, help_text="Contract close: the start of every onboarding clock."
    )
    first_engaged_on = models.DateField(null=True, blank=True)
    first_value_on = models.DateField(null=True, blank=True)
    first_value_derived = models.BooleanField(
        default=False,
        help_text="First value was not entered: derived from the day licence use reached 10%.",
    )
    onboarded_on = models.DateField(null=True, blank=True)
    renewal_date = models.DateField(null=True, blank=True)

    licensed_users = models.PositiveIntegerField(null=True, blank=True)
    active_users = models.PositiveIntegerField(null=True, blank=True)

    health = models.CharField(max_length=6, choices=Health.choices, blank=True)
    at_risk = models.BooleanField("at risk (contraction/churn)", default=False)
    in_triage = models.BooleanField(default=False)

    # The current success plan lives on the account: the book of business shows its state
    # on every row, and its objectives are SuccessPlanObjective rows.
    success_plan = models.CharField(
        max_length=10, choices=SuccessPlanState.choices, default=SuccessPlanState.NONE
    )
    success_plan_green_on = models.DateField(
        null=True, blank=True, help_text="When the plan last became fully green."
    )
    success_plan_management_qualified = models.BooleanField(default=False)
    success_plan_management_qualified_on = models.DateField(null=True, blank=True)
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


class OpportunityKind(models.TextChoices):
    TIER_UPGRADE = "tier_upgrade", "Tier upgrade"
    GROWTH = "growth", "Growth"


class OpportunityStatus(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    CLOSED = "closed", "Closed (outcome not recorded)"


class Opportunity(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="opportunities")
    kind = models.CharField(max_length=20, choices=OpportunityKind.choices)
    close_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN
    )

    class Meta:
        verbose_name_plural = "opportunities"
        ordering = ["close_date"]
        constraints = [
            # The import sets "the" open opportunity of a kind, so there is at most one.
            models.UniqueConstraint(
                fields=["account", "kind"],
                condition=Q(status="open"),
                name="one_open_opportunity_per_kind",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} closing {self.close_date}"


class InitiativeKind(models.TextChoices):
    STAGE_ADOPTION = "stage_adoption", "Stage adoption"
    INFRASTRUCTURE_CHANGE = "infrastructure_change", "Infrastructure change"
    EXPANSION_PLAY = "expansion_play", "Expansion play"


class InitiativeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Initiative(models.Model):
    """Work with the customer this quarter; the TAM hours drive the US flowchart."""

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
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=InitiativeStatus.choices, default=InitiativeStatus.ACTIVE
    )

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
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
    enabled_on = models.DateField()
    users_share = models.DecimalField(
        "share of users now",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    initial_adoption_on = models.DateField("reached 10% of users on", null=True, blank=True)
    broad_adoption_on = models.DateField("reached 50% of users on", null=True, blank=True)

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
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(max_length=200)
    due_on = models.DateField(null=True, blank=True)
    green = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.title


class Webinar(models.Model):
    """A webinar or workshop held; attendances are Activity rows pointing here."""

    class Kind(models.TextChoices):
        WEBINAR = "webinar", "Webinar"
        WORKSHOP = "workshop", "Workshop"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WEBINAR)
    held_on = models.DateField()
    onboarding = models.BooleanField(default=False, help_text="An onboarding webinar.")
    host = models.ForeignKey("people.User", on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.title} ({self.held_on})"


class ActivityKind(models.TextChoices):
    CADENCE_CALL = "cadence_call", "Cadence call"
    EBR = "ebr", "EBR"
    ONBOARDING_MILESTONE = "onboarding_milestone", "Onboarding milestone"
    WEBINAR_ATTENDANCE = "webinar_attendance", "Webinar or workshop attendance"
    SURVEY_RESPONSE = "survey_response", "Survey response"
    PLAYBOOK = "playbook", "Playbook"
    LICENSE_SAVE = "license_save", "Low-license-utilisation save"
    SUCCESS_PLAN_CHANGE = "success_plan_change", "Success-plan change"


class Milestone(models.TextChoices):
    FIRST_ENGAGED = "first_engaged", "First engaged"
    FIRST_VALUE = "first_value", "First value"
    ONBOARDED = "onboarded", "Onboarded"


class SurveyKind(models.TextChoices):
    ONBOARDING = "onboarding", "Onboarding"
    SIX_MONTH = "six_month", "Six-month"
    RENEWAL = "renewal", "Renewal"


class PlaybookKind(models.TextChoices):
    STAGE_ADOPTION = "stage_adoption", "Stage adoption"
    EXPANSION = "expansion", "Expansion"


class Outcome(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class Activity(models.Model):
    """One entry on an account's timeline; the kind decides which detail fields apply."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=25, choices=ActivityKind.choices)
    occurred_on = models.DateField()
    logged_by = models.ForeignKey(
        "people.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)

    milestone = models.CharField(max_length=15, choices=Milestone.choices, blank=True)
    webinar = models.ForeignKey(
        Webinar, on_delete=models.CASCADE, null=True, blank=True, related_name="attendances"
    )
    stayed_whole_session = models.BooleanField(null=True, blank=True)
    feedback_score = models.PositiveSmallIntegerField(null=True, blank=True)
    survey_kind = models.CharField(max_length=10, choices=SurveyKind.choices, blank=True)
    nps = models.PositiveSmallIntegerField("NPS (0-10)", null=True, blank=True)
    csat = models.PositiveSmallIntegerField("CSAT (1-5)", null=True, blank=True)
    playbook_kind = models.CharField(max_length=15, choices=PlaybookKind.choices, blank=True)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=5, choices=Outcome.choices, blank=True)
    saved = models.BooleanField("license utilisation saved", null=True, blank=True)
    success_plan = models.CharField(
        "success plan became", max_length=10, choices=SuccessPlanState.choices, blank=True
    )

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["account", "kind", "occurred_on"]),
            models.Index(fields=["kind", "occurred_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(feedback_score__gte=1, feedback_score__lte=5),
                name="activity_feedback_1_5",
            ),
            models.CheckConstraint(condition=Q(nps__gte=0, nps__lte=10), name="activity_nps_0_10"),
            models.CheckConstraint(condition=Q(csat__gte=1, csat__lte=5), name="activity_csat_1_5"),
            models.CheckConstraint(
                condition=~Q(kind="onboarding_milestone") | ~Q(milestone=""),
                name="activity_milestone_named",
            ),
            models.CheckConstraint(
                condition=~Q(kind="survey_response") | ~Q(survey_kind=""),
                name="activity_survey_kind_named",
            ),
            models.CheckConstraint(
                condition=~Q(kind="webinar_attendance") | Q(webinar__isnull=False),
                name="activity_attendance_has_webinar",
            ),
            models.CheckConstraint(
                condition=~Q(kind="playbook") | ~Q(playbook_kind=""),
                name="activity_playbook_kind_named",
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(completed_on__gte=models.F("started_on")),
                name="activity_playbook_completes_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.occurred_on}"


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
    taken_on = models.DateField()
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

    @property
    def utilisation(self):
        return self.active_users / self.licensed_users if self.licensed_users else None


# --- Engagement lifecycle (DESIGN section 7, page 004) ---------------------------------


class EngagementKind(models.TextChoices):
    NEW = "new", "New customer"
    UPGRADE = "upgrade", "Customer upgrade"


class ProjectTemplate(models.TextChoices):
    """The Customer Success Plan template the collaboration project is based on (page 004)."""

    ENTERPRISE = "enterprise", "Enterprise"
    COMMERCIAL = "commercial", "Commercial"


def project_template_for(region: Region) -> ProjectTemplate:
    """Commercial regions use the Commercial template, every other region the Enterprise one."""
    if region.rule_set == RuleSet.COMMERCIAL:
        return ProjectTemplate.COMMERCIAL
    return ProjectTemplate.ENTERPRISE


class Engagement(models.Model):
    """A TAM starting to work with a customer: a new customer or an upgrade (page 004).

    Rows are history: they are never deleted or reopened by the services. The engagement an
    account is in is its latest one (by start date) unless a Disengagement ends it.
    """

    # The (account, started_on) unique index serves every lookup by account.
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="engagements", db_index=False
    )
    kind = models.CharField(max_length=10, choices=EngagementKind.choices)
    # PROTECT: who was engaged with the customer is history; people are deactivated, not deleted.
    tam = models.ForeignKey(
        "people.User", on_delete=models.PROTECT, related_name="engagements", verbose_name="TAM"
    )
    started_on = models.DateField()
    collaboration_project_url = models.URLField(
        "collaboration project",
        max_length=500,
        blank=True,
        help_text="The customer's project in the account-management group (https). Required "
        "for the Enterprise template; a Commercial TAM creates one only where it helps.",
    )
    template = models.CharField(
        "Customer Success Plan template", max_length=10, choices=ProjectTemplate.choices
    )
    welcome_call_on = models.DateField("welcome call on", null=True, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        "people.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            # Also the index that finds an account's latest engagement.
            models.UniqueConstraint(
                fields=["account", "started_on"], name="one_engagement_start_per_day"
            ),
            models.CheckConstraint(
                condition=Q(welcome_call_on__isnull=True)
                | Q(welcome_call_on__gte=models.F("started_on")),
                name="engagement_welcome_call_after_start",
            ),
            models.CheckConstraint(
                condition=Q(collaboration_project_url="")
                | Q(collaboration_project_url__startswith="https://"),
                name="engagement_project_url_https",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} engagement of {self.account} from {self.started_on}"

    def clean(self):
        """The rules about this row alone, shared by the admin form and `engagement_start`."""
        errors = {}
        url = self.collaboration_project_url
        if url and not url.startswith("https://"):
            errors["collaboration_project_url"] = "Link the project over https://."
        if self.account_id and self.template:
            expected = project_template_for(self.account.region)
            if self.template != expected:
                errors["template"] = (
                    f"{self.account.region} accounts use the {expected.label} template."
                )
        if self.template == ProjectTemplate.ENTERPRISE and not url:
            errors.setdefault(
                "collaboration_project_url",
                "Enterprise engagements start from a collaboration project: link it.",
            )
        if self.welcome_call_on and self.started_on and self.welcome_call_on < self.started_on:
            errors["welcome_call_on"] = "The welcome call is on or after the engagement start."
        if errors:
            raise ValidationError(errors)

    @property
    def has_collaboration_project(self):
        return bool(self.collaboration_project_url)


class DisengagementReason(models.TextChoices):
    DOWNGRADE = "downgrade", "Downgrade below the TAM alignment threshold"
    CHURN = "churn", "Churn"
    UNSUCCESSFUL_UPGRADE = "unsuccessful_upgrade", "Unsuccessful tier upgrade"
    OTHER = "other", "Other"


class Disengagement(models.Model):
    """A TAM disengaging from a customer, with the conversation's checklist (page 004).

    It ends the account's latest engagement (`engagement`; none for an account whose TAM
    was aligned before engagements were recorded) and keeps what the account looked like
    then. The account, its timeline and its assessments stay as they are; the account's TAM
    is cleared only when the disengagement says so (`tam_released`).
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="disengagements")
    # RESTRICT: an engagement that was ended cannot be deleted on its own, only with its account.
    engagement = models.ForeignKey(
        Engagement,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="disengagements",
        help_text="The engagement this ends; empty for a TAM aligned before they were recorded.",
    )
    tam = models.ForeignKey(
        "people.User",
        on_delete=models.PROTECT,
        related_name="disengagements",
        verbose_name="TAM",
        help_text="The TAM who disengaged.",
    )
    disengaged_on = models.DateField()
    reason = models.CharField(max_length=25, choices=DisengagementReason.choices)
    explanation = models.TextField(help_text="The reason as explained to the customer.")

    # The four recommendations of page 004's "Disengaging with a customer".
    call_held_face_to_face_with_sal_ae = models.BooleanField(
        "call held face to face, with the SAL/AE", default=False
    )
    reason_explained = models.BooleanField("reason explained honestly", default=False)
    assistance_options_reviewed = models.BooleanField(
        "assistance options reviewed (Support, SAL/AE in writing, self-serve)", default=False
    )
    follow_up_sent = models.BooleanField("follow-up summary sent", default=False)

    segment_at_disengagement = models.CharField(
        max_length=20, blank=True, help_text="The effective segment's code then; empty for none."
    )
    arr_at_disengagement = models.DecimalField(
        "ARR at disengagement (USD)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    tam_released = models.BooleanField(
        "TAM released", default=False, help_text="The account's TAM was cleared."
    )
    recorded_by = models.ForeignKey(
        "people.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    CHECKLIST_FIELDS = (
        "call_held_face_to_face_with_sal_ae",
        "reason_explained",
        "assistance_options_reviewed",
        "follow_up_sent",
    )

    class Meta:
        ordering = ["-disengaged_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["engagement"], name="one_disengagement_per_engagement"),
            # Without an engagement to end, an account is disengaged at most once.
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(engagement__isnull=True),
                name="one_unlinked_disengagement_per_account",
            ),
            models.CheckConstraint(condition=~Q(explanation=""), name="disengagement_explained"),
            models.CheckConstraint(
                condition=Q(arr_at_disengagement__gte=0), name="disengagement_arr_non_negative"
            ),
        ]

    def __str__(self):
        return f"{self.account} disengaged on {self.disengaged_on}"

    def clean(self):
        if self.engagement_id and self.account_id:
            if self.engagement.account_id != self.account_id:
                raise ValidationError({"engagement": "That engagement is another account's."})
            if self.disengaged_on and self.disengaged_on < self.engagement.started_on:
                raise ValidationError(
                    {"disengaged_on": "An engagement ends on or after the day it started."}
                )

    @property
    def complete(self):
        """All four recommendations of page 004 were followed."""
        return all(getattr(self, name) for name in self.CHECKLIST_FIELDS)
