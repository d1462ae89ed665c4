"""The triage register (DESIGN 11 "Triage register"): risk cases on accounts.

A case says why an account may contract or churn (the reason), how the team reads it
(expected or not, avoidable or not), how much ARR is at risk, and where it stands. It is
`open` until closed with an outcome (`saved`, `downgraded`, `churned`); `will_churn` is
an open case the team's manager has signed off as lost (the TAM proposes it, it waits in
the review queue). While a case is open (`open` or `will_churn`) the priority rules read
the account as at risk and in triage; at most one case is open per account.

ARR at risk is at least 0 and, when the account's ARR is known at the time of writing,
at most that ARR (nobody loses more than the whole contract; the service checks it, as
the ARR can change later by import without touching the case).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from core.validators import AtMostCharacters, supported_date
from lib.text_bounds import COMMENT_MAX_LENGTH


def _bounded_text(max_length: int, **kwargs):
    return models.TextField(
        max_length=max_length, validators=[AtMostCharacters(max_length)], **kwargs
    )


class RiskReason(models.TextChoices):
    PRODUCT_GAP = "product_gap", "Product gap"
    COMPETITION = "competition", "Competition"
    BUDGET = "budget", "Budget"
    ADOPTION = "adoption", "Low adoption"
    CHAMPION_LEFT = "champion_left", "Champion left"
    SUPPORT_EXPERIENCE = "support_experience", "Support experience"
    MERGER_ACQUISITION = "merger_acquisition", "Merger or acquisition"
    OTHER = "other", "Other"


class RiskClassification(models.TextChoices):
    EXPECTED_AVOIDABLE = "expected_avoidable", "Expected, avoidable"
    EXPECTED_UNAVOIDABLE = "expected_unavoidable", "Expected, unavoidable"
    UNEXPECTED_AVOIDABLE = "unexpected_avoidable", "Unexpected, avoidable"
    UNEXPECTED_UNAVOIDABLE = "unexpected_unavoidable", "Unexpected, unavoidable"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    WILL_CHURN = "will_churn", "Will churn (signed off)"
    SAVED = "saved", "Saved"
    DOWNGRADED = "downgraded", "Downgraded"
    CHURNED = "churned", "Churned"


# A case in one of these is open: the rules read the account as at risk and in triage.
OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.WILL_CHURN)
OUTCOMES = (CaseStatus.SAVED, CaseStatus.DOWNGRADED, CaseStatus.CHURNED)

ONE_OPEN_CASE = "This account already has an open risk case: update or close it instead."


class RiskCaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def waiting_for_sign_off(self):
        """Cases whose TAM proposed `will_churn` and the manager has not decided yet."""
        return self.filter(status=CaseStatus.OPEN, will_churn_proposed_by__isnull=False)


class RiskCase(models.Model):
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="risk_cases"
    )
    reason = models.CharField(max_length=20, choices=RiskReason.choices)
    classification = models.CharField(max_length=24, choices=RiskClassification.choices)
    arr_at_risk = models.DecimalField(
        "ARR at risk (USD)", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_on = models.DateField(validators=[supported_date])
    # Empty once closed: a closed case is not followed up.
    next_update_due = models.DateField(null=True, blank=True, validators=[supported_date])

    # `will_churn`: the TAM proposes, the team's manager signs off (never their own).
    will_churn_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    will_churn_proposed_on = models.DateField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_off_on = models.DateField(null=True, blank=True)

    closed_on = models.DateField(null=True, blank=True, validators=[supported_date])
    outcome_comment = _bounded_text(COMMENT_MAX_LENGTH, blank=True)

    objects = RiskCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        indexes = [models.Index(fields=["status", "next_update_due"])]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=["open", "will_churn"]),
                name="one_open_risk_case_per_account",
                violation_error_message=ONE_OPEN_CASE,
            ),
            models.CheckConstraint(
                condition=Q(arr_at_risk__gte=0), name="risk_case_arr_at_risk_not_negative"
            ),
            # Open cases have no closing day and a next update; closed ones the reverse,
            # with the outcome said in words.
            models.CheckConstraint(
                condition=(
                    Q(status__in=["open", "will_churn"], closed_on__isnull=True)
                    | (
                        Q(status__in=["saved", "downgraded", "churned"], closed_on__isnull=False)
                        & ~Q(outcome_comment="")
                        & Q(next_update_due__isnull=True)
                    )
                ),
                name="risk_case_closed_with_day_and_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(status="will_churn") | Q(signed_off_on__isnull=False),
                name="risk_case_will_churn_signed_off",
            ),
            # Separation of duties (issue 11): nobody signs off their own proposal.
            models.CheckConstraint(
                condition=Q(signed_off_by__isnull=True)
                | Q(will_churn_proposed_by__isnull=True)
                | ~Q(signed_off_by=F("will_churn_proposed_by")),
                name="risk_case_not_signed_off_by_proposer",
            ),
        ]

    def __str__(self):
        return f"Risk case on {self.account} ({self.get_reason_display().lower()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def waiting_for_sign_off(self) -> bool:
        return self.status == CaseStatus.OPEN and self.will_churn_proposed_by_id is not None


class RiskCaseUpdate(models.Model):
    """A dated note on a case: what happened since the last one."""

    case = models.ForeignKey(RiskCase, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField(validators=[supported_date])
    note = _bounded_text(COMMENT_MAX_LENGTH)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(note=""), name="risk_update_has_note")]

    def __str__(self):
        return f"Update of {self.on:%Y-%m-%d} on {self.case}"


class TriageSettings(models.Model):
    """How often an open case is updated (DESIGN 11: red every 14 days, yellow every 30).

    One row (id 1), read wherever an update is dated. An account of any other band
    (green, or unknown) is followed up at the yellow interval: a case is open because
    someone judged it at risk, whatever the score says.
    """

    SINGLETON_ID = 1
    LONGEST_INTERVAL = 90

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    red_update_days = models.PositiveSmallIntegerField(
        "days between updates, red account",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(LONGEST_INTERVAL)],
    )
    yellow_update_days = models.PositiveSmallIntegerField(
        "days between updates, yellow (or other) account",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(LONGEST_INTERVAL)],
        help_text="Also for green accounts and those whose health is unknown.",
    )

    class Meta:
        verbose_name = "triage settings"
        verbose_name_plural = "triage settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="triage_settings_one_row"),
            models.CheckConstraint(
                condition=Q(red_update_days__gte=1, red_update_days__lte=90),
                name="triage_settings_red_days_1_90",
            ),
            models.CheckConstraint(
                condition=Q(yellow_update_days__gte=1, yellow_update_days__lte=90),
                name="triage_settings_yellow_days_1_90",
            ),
        ]

    def __str__(self):
        return "Triage settings"

    @classmethod
    def current(cls) -> TriageSettings:
        """The row, or the defaults when it has not been created (one query)."""
        return cls.objects.filter(pk=cls.SINGLETON_ID).first() or cls()

    def interval_days(self, band: str) -> int:
        return self.red_update_days if band == "red" else self.yellow_update_days

    def next_update_due(self, band: str, day: date) -> date:
        return day + timedelta(days=self.interval_days(band))
