"""The health scorecards (DESIGN 11): one default and, optionally, one per segment.

Each row holds every measure's settings (enabled, weight, thresholds, stale-after) and the
band cut-offs of the score; `as_scorecard()` hands them to the pure rules
(`health.scorecard`) as plain data. The defaults are DESIGN 11's, read from
`health.scorecard.DEFAULT_RULES` so the table and the rules cannot disagree; the default
row is made by a data migration. Sentiment, outcomes and engagement have fixed bands
(green / yellow / red judgements, success-plan states, the priority's cadence interval
from the rhythm setting), so they have only a weight and a switch here.
"""

import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce

from .scorecard import DEFAULT_SCORECARD, Measure, MeasureRule, Scorecard

DEFAULTS = DEFAULT_SCORECARD.rules
# Far beyond any sensible setting; keeps a typo from becoming a five-digit weight.
MAX_WEIGHT = 1000
MAX_STALE_AFTER_DAYS = 3650
MAX_STAGES = 50

STALE_AFTER_HELP = (
    "An input this many days old still counts; one a day older is N/A and its weight goes "
    "to the other measures. Empty: never stale."
)


def _enabled(measure: Measure):
    return models.BooleanField(
        f"{measure.label}: on the scorecard",
        default=True,
        help_text="Off: left out of the score, not shown, no weight.",
    )


def _weight(measure: Measure):
    return models.PositiveSmallIntegerField(
        f"{measure.label}: weight",
        default=DEFAULTS[measure].weight,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_WEIGHT)],
        help_text="Relative: the weights need not add up to 100.",
    )


def _stale_after(measure: Measure):
    return models.PositiveSmallIntegerField(
        f"{measure.label}: stale after (days)",
        default=DEFAULTS[measure].stale_after_days,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_STALE_AFTER_DAYS)],
        help_text=STALE_AFTER_HELP,
    )


def _whole_threshold(label: str, default: int, low: int, high: int):
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(low), MaxValueValidator(high)]
    )


def _percent_threshold(label: str, default: Decimal):
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        default=default,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )


LICENCE, STAGES, SENTIMENT, OUTCOMES, VOICE, ENGAGEMENT = list(Measure)

# (green field, yellow field, what the yellow error names): a band starts at its field's
# value, so green must start above yellow or the yellow band would be empty.
THRESHOLD_PAIRS = (
    ("licence_use_green_from", "licence_use_yellow_from", "licence use"),
    ("stage_adoption_green_from", "stage_adoption_yellow_from", "stages adopted"),
    ("voice_nps_green_from", "voice_nps_yellow_from", "NPS"),
    ("voice_csat_green_from", "voice_csat_yellow_from", "CSAT"),
    ("band_green_from", "band_yellow_from", "score"),
)


class HealthScorecard(models.Model):
    """A scorecard: the default one (no segment) or a segment's own."""

    segment = models.ForeignKey(
        "segments.Segment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="health_scorecards",
        help_text="Empty: the default scorecard, for every segment without its own.",
    )
    band_green_from = _whole_threshold(
        "score green from", DEFAULT_SCORECARD.band_green_from, 0, 100
    )
    band_yellow_from = _whole_threshold(
        "score yellow from", DEFAULT_SCORECARD.band_yellow_from, 0, 100
    )

    licence_use_enabled = _enabled(LICENCE)
    licence_use_weight = _weight(LICENCE)
    licence_use_green_from = _percent_threshold(
        "licence use green from (% active)", DEFAULTS[LICENCE].green_from
    )
    licence_use_yellow_from = _percent_threshold(
        "licence use yellow from (% active)", DEFAULTS[LICENCE].yellow_from
    )
    licence_use_stale_after_days = _stale_after(LICENCE)

    stage_adoption_enabled = _enabled(STAGES)
    stage_adoption_weight = _weight(STAGES)
    stage_adoption_green_from = _whole_threshold(
        "stage adoption green from (stages)", DEFAULTS[STAGES].green_from, 0, MAX_STAGES
    )
    stage_adoption_yellow_from = _whole_threshold(
        "stage adoption yellow from (stages)", DEFAULTS[STAGES].yellow_from, 0, MAX_STAGES
    )

    tam_sentiment_enabled = _enabled(SENTIMENT)
    tam_sentiment_weight = _weight(SENTIMENT)
    tam_sentiment_stale_after_days = _stale_after(SENTIMENT)

    outcomes_enabled = _enabled(OUTCOMES)
    outcomes_weight = _weight(OUTCOMES)

    voice_enabled = _enabled(VOICE)
    voice_weight = _weight(VOICE)
    voice_nps_green_from = _whole_threshold("NPS green from", DEFAULTS[VOICE].green_from, 0, 10)
    voice_nps_yellow_from = _whole_threshold("NPS yellow from", DEFAULTS[VOICE].yellow_from, 0, 10)
    voice_csat_green_from = _whole_threshold(
        "CSAT green from", DEFAULTS[VOICE].csat_green_from, 1, 5
    )
    voice_csat_yellow_from = _whole_threshold(
        "CSAT yellow from", DEFAULTS[VOICE].csat_yellow_from, 1, 5
    )
    voice_stale_after_days = _stale_after(VOICE)

    engagement_enabled = _enabled(ENGAGEMENT)
    engagement_weight = _weight(ENGAGEMENT)

    class Meta:
        verbose_name = "health scorecard"
        ordering = [F("segment__position").asc(nulls_first=True)]
        constraints = [
            # One per segment and one default: NULL counts as a segment of its own here.
            models.UniqueConstraint(
                Coalesce("segment", Value(0)),
                name="health_one_scorecard_per_segment_and_one_default",
                violation_error_message="This segment has a scorecard already.",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{green}__gt": F(yellow)}),
                    name=f"health_{green.removesuffix('_green_from')}_green_above_yellow",
                )
                for green, yellow, _ in THRESHOLD_PAIRS
            ),
            models.CheckConstraint(
                condition=Q(band_green_from__lte=100), name="health_band_cut_offs_within_100"
            ),
            models.CheckConstraint(
                condition=Q(licence_use_green_from__lte=100, licence_use_yellow_from__gte=0),
                name="health_licence_use_within_0_100",
            ),
            models.CheckConstraint(
                condition=(
                    Q(licence_use_stale_after_days__isnull=True)
                    | Q(licence_use_stale_after_days__gte=1)
                )
                & (
                    Q(tam_sentiment_stale_after_days__isnull=True)
                    | Q(tam_sentiment_stale_after_days__gte=1)
                )
                & (Q(voice_stale_after_days__isnull=True) | Q(voice_stale_after_days__gte=1)),
                name="health_stale_after_at_least_a_day",
            ),
        ]

    def __str__(self):
        return f"{self.segment} scorecard" if self.segment_id else "Default scorecard"

    @property
    def is_default(self) -> bool:
        return self.segment_id is None

    def clean(self):
        errors = {}
        for green, yellow, what in THRESHOLD_PAIRS:
            green_from, yellow_from = getattr(self, green), getattr(self, yellow)
            if green_from is not None and yellow_from is not None and yellow_from >= green_from:
                errors[yellow] = (
                    f"Yellow must start below green: the {what} is green from {green_from}."
                )
        rules = {measure: self.rule(measure) for measure in Measure}
        if not any(rule.enabled and rule.weight for rule in rules.values()):
            first_on = next((m for m, rule in rules.items() if rule.enabled), None)
            if first_on is None:
                errors[f"{LICENCE}_enabled"] = "Put at least one measure on the scorecard."
            else:
                errors.setdefault(
                    f"{first_on}_weight",
                    "Give at least one measure on the scorecard a weight above 0: with every "
                    "weight at 0 there is no score to compute.",
                )
        if self.segment_id is None and self._another_default_exists():
            errors["segment"] = (
                "There is a default scorecard already: choose the segment this one is for."
            )
        if errors:
            raise ValidationError(errors)

    def _another_default_exists(self) -> bool:
        return HealthScorecard.objects.filter(segment=None).exclude(pk=self.pk).exists()

    def rule(self, measure: Measure) -> MeasureRule:
        """One measure's settings as the pure rules read them."""
        prefix = measure.value
        if measure is VOICE:
            thresholds = {
                "green_from": self.voice_nps_green_from,
                "yellow_from": self.voice_nps_yellow_from,
                "csat_green_from": self.voice_csat_green_from,
                "csat_yellow_from": self.voice_csat_yellow_from,
            }
        elif measure in (LICENCE, STAGES):
            thresholds = {
                "green_from": getattr(self, f"{prefix}_green_from"),
                "yellow_from": getattr(self, f"{prefix}_yellow_from"),
            }
        else:
            thresholds = {}
        return MeasureRule(
            weight=getattr(self, f"{prefix}_weight") or 0,
            enabled=getattr(self, f"{prefix}_enabled"),
            stale_after_days=getattr(self, f"{prefix}_stale_after_days", None),
            **thresholds,
        )

    def as_scorecard(self) -> Scorecard:
        return Scorecard(
            rules={measure: self.rule(measure) for measure in Measure},
            band_green_from=self.band_green_from,
            band_yellow_from=self.band_yellow_from,
        )


class JSONTextField(models.JSONField):
    """A JSONField kept as PostgreSQL `json` (the text as written, checked) rather than
    `jsonb` (parsed into a binary tree on the way in): the history's measures are written
    for every changed account by the nightly run, about 1 KB each, and read back only
    whole, a handful of rows at a time. Parsing them into jsonb was most of the history
    write (issue 13 point 9); nothing queries inside them. Other databases: as JSONField.
    """

    def db_type(self, connection):
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql" or value is None or hasattr(value, "as_sql"):
            return super().get_db_prep_value(value, connection, prepared)
        # Plain text: JSONField's adapter would cast it to jsonb first.
        return json.dumps(self.get_prep_value(value), cls=self.encoder)

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, str):
            return super().from_db_value(value, expression, connection)
        return value  # psycopg2 parses `json` itself


class HealthHistory(models.Model):
    """An account's health on the day it changed (DESIGN 11: "a history row is kept
    whenever an account's score or band changes"), with every measure as scored.

    At most one row per account and day: a day's later recompute (after an entry or a
    fact change) rewrites that day's row, so the trend shows one point a day and "what
    moved since 7 days ago" reads the row in force on that day.
    """

    # No index of its own: the (account, on) constraint's index leads with the account,
    # and the nightly run writes a row for every changed account (one index less to keep).
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="health_history", db_index=False
    )
    on = models.DateField()
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    band = models.CharField(max_length=7, blank=True)
    # Per measure: band, score, weight after sharing out, contribution, input, age.
    measures = JSONTextField(default=dict)

    class Meta:
        verbose_name_plural = "health history"
        ordering = ["account", "-on"]
        constraints = [
            models.UniqueConstraint(fields=["account", "on"], name="one_health_row_per_day"),
        ]

    def __str__(self):
        return f"{self.account_id} on {self.on}: {self.band or 'unknown'} {self.score}"
