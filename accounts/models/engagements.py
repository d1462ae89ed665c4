"""The engagement lifecycle (DESIGN section 7, page 004): engaging and disengaging a customer."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.validators import AtMostCharacters, supported_date
from lib.rule_sets import RuleSet
from lib.text_bounds import COMMENT_MAX_LENGTH, NOTES_MAX_LENGTH

from .accounts import Account
from .regions import Region


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
    started_on = models.DateField(validators=[supported_date])
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
    welcome_call_on = models.DateField(
        "welcome call on", null=True, blank=True, validators=[supported_date]
    )
    notes = models.TextField(
        blank=True, max_length=NOTES_MAX_LENGTH, validators=[AtMostCharacters(NOTES_MAX_LENGTH)]
    )
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
    disengaged_on = models.DateField(validators=[supported_date])
    reason = models.CharField(max_length=25, choices=DisengagementReason.choices)
    explanation = models.TextField(
        help_text="The reason as explained to the customer.",
        max_length=COMMENT_MAX_LENGTH,
        validators=[AtMostCharacters(COMMENT_MAX_LENGTH)],
    )

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
