"""The health score (DESIGN 11): pure, no Django, explained measure by measure.

`score_health()` takes a scorecard and one account's inputs and returns the score, the
band and every measure with its input, band, weight after redistribution, contribution
and input's age. `health.movement.what_moved()` compares two results (now and then).

The rules (defaults in `DEFAULT_SCORECARD`, all admin-editable per segment):

| measure | reads | green | yellow | red | weight | stale after |
| licence use | latest usage snapshot: active / licensed | >= 70% | >= 40% | below | 15 | 45 days |
| stage adoption | stages adopted | >= 3 | >= 2 | 0-1 | 10 | never |
| TAM sentiment | the TAM's judgement and its date | green | yellow | red | 50 | 90 days |
| outcomes | success-plan state | green | objectives | none / unclear | 10 | never |
| voice | latest NPS, else CSAT | NPS >= 9, CSAT >= 4 | NPS >= 7, CSAT >= 3 | below | 5 | 365 |
| engagement | days since the last cadence call | within the interval | within twice | beyond | 10 |

A measure scores 100 / 50 / 0 for green / yellow / red. With no data, or stale, it is N/A
and its weight is shared out over the others in proportion (a weight is relative: the
weights need not add up to 100). Score = the weighted mean, 0-100; band green >= 75,
yellow >= 50, red below; red TAM sentiment makes the band red whatever the score; every
measure N/A (or only weightless ones left): unknown, no score.

Decisions
---------
- Staleness at the day: "stale after 45 days" means an input 45 days old still counts and
  one 46 days old is stale (N/A). Likewise 90/91 for sentiment and 365/366 for voice. An
  empty stale-after is never stale.
- Rounding: the score is the exact weighted mean rounded half up to a whole number
  (74.5 -> 75), and the band is read from that whole number, so the score shown and its
  band never disagree and a history row is not written for a change in the decimals.
  The weights after redistribution and the contributions are shown to 0.01 (half up);
  they are for reading, the score is computed from the exact fractions.
- Voice: "the latest survey in 12 months, NPS else CSAT": the 12 months are the voice
  measure's stale-after (365 days). The latest NPS counts when it is fresh; else the
  latest CSAT when it is fresh; else the measure is N/A (stale if there was a survey).
- Engagement uses the cadence rule of `rhythm.cadence` (its one home): green while the
  call is not overdue (the interval's day itself still counts, as on the book), yellow
  while it is within twice the interval (same boundary), red beyond. A Pr1/Pr2 account
  never called is red (the book has it overdue); Pr3/Pr4 and accounts without a
  priority have no cadence calls: N/A. The interval comes in as plain data from the
  admin setting (`rhythm.cadence.cadence_interval_days`).
- Red TAM sentiment overrides only while it is fresh: stale sentiment is N/A everywhere.
- A disabled measure is left off the scorecard: not shown, no weight.
- Inputs dated after `today` are the caller's mistake and refused: only what has happened
  counts (the "future-dated entries don't count" rule), so callers pass the latest
  reading on or before today.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from rhythm.cadence import call_overdue_before


class Measure(StrEnum):
    LICENCE_USE = "licence_use"
    STAGE_ADOPTION = "stage_adoption"
    TAM_SENTIMENT = "tam_sentiment"
    OUTCOMES = "outcomes"
    VOICE = "voice"
    ENGAGEMENT = "engagement"

    @property
    def label(self) -> str:
        return MEASURE_LABELS[self]


MEASURE_LABELS = {
    Measure.LICENCE_USE: "Licence use",
    Measure.STAGE_ADOPTION: "Stage adoption",
    Measure.TAM_SENTIMENT: "TAM sentiment",
    Measure.OUTCOMES: "Outcomes",
    Measure.VOICE: "Voice",
    Measure.ENGAGEMENT: "Engagement",
}


class Band(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NOT_APPLICABLE = "n/a"  # a measure's, never an account's
    UNKNOWN = "unknown"  # an account's, when no measure with a weight has data


class WhyNotApplicable(StrEnum):
    NO_DATA = "no_data"
    STALE = "stale"
    NO_CADENCE = "no_cadence"  # Pr3, Pr4, no priority: no cadence calls to judge

    @property
    def label(self) -> str:
        return {
            WhyNotApplicable.NO_DATA: "no data",
            WhyNotApplicable.STALE: "stale",
            WhyNotApplicable.NO_CADENCE: "no cadence calls for this priority",
        }[self]


MEASURE_SCORE = {Band.GREEN: 100, Band.YELLOW: 50, Band.RED: 0}

# `accounts.models.SuccessPlanState` and `accounts.models.Health` values; a test holds the
# two lists together.
OUTCOME_BANDS = {
    "green": Band.GREEN,
    "objectives": Band.YELLOW,
    "none": Band.RED,
    "unclear": Band.RED,
}
SENTIMENT_BANDS = {"green": Band.GREEN, "yellow": Band.YELLOW, "red": Band.RED}

CENT = Decimal("0.01")


# --- the scorecard --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeasureRule:
    """One measure's settings. `green_from` / `yellow_from` are the lowest values that
    reach the band (licence use in percent, stages as a count, voice as NPS); voice adds
    the CSAT pair. Sentiment, outcomes and engagement have fixed bands."""

    weight: int
    enabled: bool = True
    stale_after_days: int | None = None
    green_from: Decimal | int | None = None
    yellow_from: Decimal | int | None = None
    csat_green_from: int | None = None
    csat_yellow_from: int | None = None


DEFAULT_RULES: dict[Measure, MeasureRule] = {
    Measure.LICENCE_USE: MeasureRule(
        15, stale_after_days=45, green_from=Decimal(70), yellow_from=Decimal(40)
    ),
    Measure.STAGE_ADOPTION: MeasureRule(10, green_from=3, yellow_from=2),
    Measure.TAM_SENTIMENT: MeasureRule(50, stale_after_days=90),
    Measure.OUTCOMES: MeasureRule(10),
    Measure.VOICE: MeasureRule(
        5, stale_after_days=365, green_from=9, yellow_from=7, csat_green_from=4, csat_yellow_from=3
    ),
    Measure.ENGAGEMENT: MeasureRule(10),
}


_CACHES: dict[tuple, dict] = {}


@dataclass(frozen=True)
class Scorecard:
    """Every measure's rule, in `Measure` order, and the account band cut-offs."""

    rules: Mapping[Measure, MeasureRule] = field(default_factory=lambda: dict(DEFAULT_RULES))
    band_green_from: int = 75
    band_yellow_from: int = 50
    # What `score_health` works out once ("enabled", and the verdict per tuple of bands),
    # shared by equal scorecards (a run reads them again for every chunk).
    _cache: dict = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        key = (tuple(self.rules.items()), self.band_green_from, self.band_yellow_from)
        if len(_CACHES) > 100:  # scorecards edited many times in one process
            _CACHES.clear()
        object.__setattr__(self, "_cache", _CACHES.setdefault(key, {}))

    def enabled(self) -> list[tuple[Measure, MeasureRule, Callable]]:
        """The enabled measures in scorecard order, each with its rule and reader."""
        if "enabled" not in self._cache:
            rules = self.rules.items()
            self._cache["enabled"] = [(m, rule, READERS[m]) for m, rule in rules if rule.enabled]
        return self._cache["enabled"]


DEFAULT_SCORECARD = Scorecard()


# --- one account's inputs -------------------------------------------------------------

# Not frozen: a frozen dataclass's __init__ (one object.__setattr__ per field) cost a
# third of the nightly scoring time. Nothing changes them after they are made.


@dataclass(slots=True)
class UsageReading:
    active_users: int
    licensed_users: int
    taken_on: date


@dataclass(slots=True)
class SentimentReading:
    band: str  # green / yellow / red (`accounts.models.Health`)
    set_on: date


@dataclass(slots=True)
class SurveyReading:
    score: int  # NPS 0-10 or CSAT 1-5
    answered_on: date


@dataclass(slots=True)
class HealthInputs:
    """What the score reads for one account on `today`; None: no data."""

    today: date
    usage: UsageReading | None = None  # the latest snapshot on or before today
    stages_adopted: int | None = None
    sentiment: SentimentReading | None = None
    success_plan: str | None = None  # `accounts.models.SuccessPlanState`
    latest_nps: SurveyReading | None = None
    latest_csat: SurveyReading | None = None
    cadence_interval_days: int | None = None  # None: no cadence calls (Pr3, Pr4, none)
    last_cadence_call: date | None = None  # the latest held on or before today


# --- the result -----------------------------------------------------------------------


@dataclass(slots=True)
class MeasureResult:
    """One measure, explained. `value` is the input as read (licence use: (active,
    licensed); voice: ("nps" or "csat", score); engagement: (days since the last call or
    None when never called, interval)); `weight_pool` is the weight of every measure
    that counted, which this one's weight is a share of."""

    measure: Measure
    band: Band
    not_applicable: WhyNotApplicable | None
    value: object
    input_on: date | None
    input_age_days: int | None
    weight: int
    weight_pool: int

    @property
    def score(self) -> int | None:
        return MEASURE_SCORE.get(self.band)

    @property
    def effective_weight(self) -> Decimal:
        """The weight after redistribution, in percent of the score (0 when N/A)."""
        if self.score is None or not self.weight_pool:
            return Decimal(0).quantize(CENT)
        return _to_cents(Decimal(self.weight * 100) / self.weight_pool)

    @property
    def contribution(self) -> Decimal:
        """The points this measure adds to the score (0-100 in all)."""
        if self.score is None or not self.weight_pool:
            return Decimal(0).quantize(CENT)
        return _to_cents(Decimal(self.weight * self.score) / self.weight_pool)

    @property
    def input_text(self) -> str:
        return describe_input(self.measure, self.value)


# A measure as `score_health` reads it: (measure, band (N/A when it does not count),
# why not applicable, value, input date, age in days, weight).
MeasureReading = tuple


@dataclass(slots=True, eq=False)
class HealthResult:
    """The score and band (unknown: no score), every measure explained. The nightly run
    explains only the accounts whose result changed, so `measures` is built from the
    readings (and the weight pool) that `score_health` leaves, on first use."""

    score: int | None
    band: Band
    _measures: tuple[MeasureResult, ...] | None = None
    red_sentiment_override: bool = False  # red by the sentiment, the score says otherwise
    readings: list[MeasureReading] | None = None
    pool: int = 0

    @property
    def measures(self) -> tuple[MeasureResult, ...]:
        if self._measures is None:
            self._measures = tuple(MeasureResult(*read, self.pool) for read in self.readings or ())
        return self._measures

    def measure(self, measure: Measure) -> MeasureResult | None:
        return next((m for m in self.measures if m.measure == measure), None)

    def __eq__(self, other: object) -> bool:
        shown = ("score", "band", "measures", "red_sentiment_override")
        return isinstance(other, HealthResult) and all(
            getattr(self, name) == getattr(other, name) for name in shown
        )


def _to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def describe_input(measure: Measure, value: object) -> str:
    """The input in words, for the account page and the history."""
    if value is None:
        return "-"
    if measure is Measure.LICENCE_USE:
        active, licensed = value
        share = f" ({_to_cents(Decimal(active * 100) / licensed)}%)" if licensed else ""
        return f"{active} of {licensed} licensed users active{share}"
    if measure is Measure.STAGE_ADOPTION:
        return f"{value} stage{'s' if value != 1 else ''} adopted"
    if measure is Measure.VOICE:
        kind, score = value
        return f"{kind.upper()} {score}"
    if measure is Measure.ENGAGEMENT:
        days, interval = value
        if interval is None:
            return "no cadence calls"
        last = "never called" if days is None else f"last cadence call {days} days ago"
        return f"{last} (every {interval} days)"
    return str(value)


# --- reading each measure -------------------------------------------------------------

# (band or None for no data, value, input date); staleness is judged afterwards.
Reading = tuple[Band | None, object, date | None]


def _at_least(value, green_from, yellow_from) -> Band:
    if value >= green_from:
        return Band.GREEN
    return Band.YELLOW if value >= yellow_from else Band.RED


def _licence_use(rule: MeasureRule, inputs: HealthInputs) -> Reading:
    usage = inputs.usage
    if usage is None:
        return None, None, None
    value = (usage.active_users, usage.licensed_users)
    if usage.licensed_users <= 0:
        return None, value, usage.taken_on  # no licences: no share to judge
    # Compared without dividing: active/licensed >= 70% <=> active * 100 >= 70 * licensed.
    band = _at_least(
        usage.active_users * 100,
        rule.green_from * usage.licensed_users,
        rule.yellow_from * usage.licensed_users,
    )
    return band, value, usage.taken_on


def _stage_adoption(rule: MeasureRule, inputs: HealthInputs) -> Reading:
    stages = inputs.stages_adopted
    if stages is None:
        return None, None, None
    return _at_least(stages, rule.green_from, rule.yellow_from), stages, None


def _tam_sentiment(rule: MeasureRule, inputs: HealthInputs) -> Reading:
    sentiment = inputs.sentiment
    if sentiment is None:
        return None, None, None
    return SENTIMENT_BANDS[sentiment.band], sentiment.band, sentiment.set_on


def _outcomes(rule: MeasureRule, inputs: HealthInputs) -> Reading:
    state = inputs.success_plan
    if state is None:
        return None, None, None
    return OUTCOME_BANDS[state], state, None


def _voice(rule: MeasureRule, inputs: HealthInputs) -> Reading:
    nps, csat = inputs.latest_nps, inputs.latest_csat
    if nps is not None and not _stale(rule, (inputs.today - nps.answered_on).days):
        band = _at_least(nps.score, rule.green_from, rule.yellow_from)
        return band, ("nps", nps.score), nps.answered_on
    if csat is not None and not _stale(rule, (inputs.today - csat.answered_on).days):
        band = _at_least(csat.score, rule.csat_green_from, rule.csat_yellow_from)
        return band, ("csat", csat.score), csat.answered_on
    if nps is None and csat is None:
        return None, None, None
    # Both stale or missing: show the latest survey, judged stale below.
    latest = max(
        (("nps", nps), ("csat", csat)),
        key=lambda pair: pair[1].answered_on if pair[1] else date.min,
    )
    kind, survey = latest
    if survey is None:
        return None, None, None
    return None, (kind, survey.score), survey.answered_on


def _engagement(rule: MeasureRule, inputs: HealthInputs) -> Reading:
    interval, last_call, today = (
        inputs.cadence_interval_days,
        inputs.last_cadence_call,
        inputs.today,
    )
    if interval is None:
        return None, (None, None), None
    if last_call is None:
        return Band.RED, (None, interval), None  # due and never held: overdue, like the book
    value = ((today - last_call).days, interval)
    if last_call >= call_overdue_before(today, interval):
        return Band.GREEN, value, last_call
    if last_call >= call_overdue_before(today, 2 * interval):
        return Band.YELLOW, value, last_call
    return Band.RED, value, last_call


READERS = {
    Measure.LICENCE_USE: _licence_use,
    Measure.STAGE_ADOPTION: _stage_adoption,
    Measure.TAM_SENTIMENT: _tam_sentiment,
    Measure.OUTCOMES: _outcomes,
    Measure.VOICE: _voice,
    Measure.ENGAGEMENT: _engagement,
}


def _stale(rule: MeasureRule, age_days: int) -> bool:
    """Stale after N days: N days old still counts, N + 1 does not."""
    return rule.stale_after_days is not None and age_days > rule.stale_after_days


def _why_not_applicable(measure: Measure, value: object) -> WhyNotApplicable:
    """Why a measure read no band."""
    if measure is Measure.ENGAGEMENT and value == (None, None):
        return WhyNotApplicable.NO_CADENCE
    if measure is Measure.VOICE and value is not None:
        return WhyNotApplicable.STALE  # a survey, but none inside the window
    return WhyNotApplicable.NO_DATA


# --- the score ------------------------------------------------------------------------


def score_health(scorecard: Scorecard, inputs: HealthInputs) -> HealthResult:
    """The account's score and band on `inputs.today`, every measure explained.

    Speed: the score and band depend only on the band (or N/A) of each measure, so what a
    combination makes (`_verdict`) is worked out once per scorecard and looked up after.
    """
    readings = read_measures(scorecard, inputs)
    bands = tuple([reading[1] for reading in readings])
    verdict = scorecard._cache.get(bands)
    if verdict is None:
        verdict = scorecard._cache[bands] = _verdict(scorecard, bands)
    score, band, override, pool = verdict
    return HealthResult(score, band, None, override, readings=readings, pool=pool)


def read_measures(scorecard: Scorecard, inputs: HealthInputs) -> list[MeasureReading]:
    """Every enabled measure as read on `inputs.today`, in scorecard order: N/A with its
    reason when there is no data or the input is stale."""
    today = inputs.today
    read = []
    for measure, rule, reader in scorecard.enabled():
        band, value, input_on = reader(rule, inputs)
        age = None if input_on is None else (today - input_on).days
        if age is not None and age < 0:
            raise ValueError(f"{measure.label}: dated {input_on}, after {today}")
        why = None
        if band is None:
            # No value is no data whatever the measure (the common case, looked up no further).
            why = WhyNotApplicable.NO_DATA if value is None else _why_not_applicable(measure, value)
        elif age is not None and _stale(rule, age):
            why = WhyNotApplicable.STALE
        if why is not None:
            band = Band.NOT_APPLICABLE
        read.append((measure, band, why, value, input_on, age, rule.weight))
    return read


def _verdict(scorecard: Scorecard, bands: tuple[Band, ...]) -> tuple:
    """(score, band, red-sentiment override, weight pool) for the enabled measures reading
    `bands`: the weighted mean over those that count (N/A's weight shared out)."""
    pool = points = 0
    red_sentiment = False
    for (measure, rule, _reader), band in zip(scorecard.enabled(), bands, strict=True):
        if band is Band.NOT_APPLICABLE:
            continue
        pool += rule.weight
        points += rule.weight * MEASURE_SCORE[band]
        red_sentiment |= measure is Measure.TAM_SENTIMENT and band is Band.RED
    # Half up in whole numbers: points / pool rounded is (2 * points + pool) // (2 * pool).
    score = (2 * points + pool) // (2 * pool) if pool else None
    by_score = _band_of_score(scorecard, score)
    band = Band.RED if red_sentiment else by_score
    return score, band, band != by_score, pool


def _band_of_score(scorecard: Scorecard, score: int | None) -> Band:
    if score is None:
        return Band.UNKNOWN
    if score >= scorecard.band_green_from:
        return Band.GREEN
    return Band.YELLOW if score >= scorecard.band_yellow_from else Band.RED
