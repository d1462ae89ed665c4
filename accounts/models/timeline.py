"""The account's timeline: activities of every kind, the webinars attended, and their choices."""

from django.db import models
from django.db.models import Q

from core.validators import AtMostCharacters, supported_date
from lib.text_bounds import NOTES_MAX_LENGTH

from .accounts import Account, SuccessPlanState
from .regions import Stage


class Webinar(models.Model):
    """A webinar or workshop held; attendances are Activity rows pointing here."""

    class Kind(models.TextChoices):
        WEBINAR = "webinar", "Webinar"
        WORKSHOP = "workshop", "Workshop"

    # The source system's id (DESIGN 10): imports upsert on it. Empty (NULL, so any number
    # of them under the unique constraint; "" would be allowed once) for a row created in
    # the portal.
    external_id = models.CharField("external id", max_length=64, null=True, blank=True)  # noqa: DJ001
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WEBINAR)
    held_on = models.DateField(validators=[supported_date])
    onboarding = models.BooleanField(default=False, help_text="An onboarding webinar.")
    host = models.ForeignKey("people.User", on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["-held_on"]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="webinar_external_id_unique"),
        ]

    def __str__(self):
        return f"{self.title} ({self.held_on})"


class ActivityKind(models.TextChoices):
    CADENCE_CALL = "cadence_call", "Cadence call"
    EBR = "ebr", "EBR"
    ONBOARDING_MILESTONE = "onboarding_milestone", "Onboarding milestone"
    WEBINAR_ATTENDANCE = "webinar_attendance", "Webinar or workshop attendance"
    SURVEY_RESPONSE = "survey_response", "Survey response"
    PLAYBOOK = "playbook", "Playbook"
    LICENSE_SAVE = "license_save", "Low-licence-utilisation save"
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

    # The source system's id (DESIGN 10): imports upsert on it. Empty (NULL, so any number
    # of them under the unique constraint; "" would be allowed once) for a row created in
    # the portal.
    external_id = models.CharField("external id", max_length=64, null=True, blank=True)  # noqa: DJ001
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=25, choices=ActivityKind.choices)
    occurred_on = models.DateField(validators=[supported_date])
    logged_by = models.ForeignKey(
        "people.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(
        blank=True, max_length=NOTES_MAX_LENGTH, validators=[AtMostCharacters(NOTES_MAX_LENGTH)]
    )

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
    started_on = models.DateField(null=True, blank=True, validators=[supported_date])
    completed_on = models.DateField(null=True, blank=True, validators=[supported_date])
    outcome = models.CharField(max_length=5, choices=Outcome.choices, blank=True)
    saved = models.BooleanField("licence utilisation saved", null=True, blank=True)
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
            models.UniqueConstraint(fields=["external_id"], name="activity_external_id_unique"),
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
