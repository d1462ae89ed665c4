"""The health score explained in words (DESIGN 11, issue 13 point 3): pure, no Django.

Two jobs:

- The history's `measures` JSON (`HealthHistory.measures`): `measures_as_json(result)`
  writes a `score_health()` result's measures as plain JSON and `measures_from_json()`
  reads them back into a `HealthResult` that `health.movement.what_moved()` compares,
  so "what moved since 90 days ago" reads the row in force then exactly as it was
  scored. The recompute writes the rows through the first, the account page reads them
  through the second: one format, one home.
- The account page's words: the headline (score, band, why unknown, the red-sentiment
  override), one row per measure (input, band, weight after sharing out, contribution,
  how old its input is) and each movement. Numbers and dates go through `lib.words`.

The JSON, per measure code (`Measure` value), is:
`{"band", "why" (WhyNotApplicable value or null), "value" (the input as read; tuples as
lists), "input_on" (ISO date or null), "age" (days or null), "weight" (as set),
"pool" (the weights that counted)}`, in scorecard order. The weight after sharing out
and the contribution are not kept: they follow from band, weight and pool, and
`measures_from_json` works them out (`MeasureResult`), as the account page shows them.
Rows written before December 2026 carry them too, as text; they are read past. Keeping
them made every row a third longer, and the nightly run writes a row for every changed
account (issue 13 point 9: the first run's history write).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from lib.words import days_text, number_text, percent_number_text, percent_text

from .movement import Movement
from .scorecard import (
    Band,
    HealthResult,
    Measure,
    MeasureResult,
    WhyNotApplicable,
)

# Measures whose `value` is a pair (JSON keeps it as a list).
PAIR_VALUES = {Measure.LICENCE_USE, Measure.VOICE, Measure.ENGAGEMENT}


# --- the history's JSON ---------------------------------------------------------------


def measures_as_json(result: HealthResult) -> dict:
    """The result's measures as JSON-ready data (the `HealthHistory.measures` column)."""
    return {
        measure.measure.value: {
            "band": measure.band.value,
            "why": measure.not_applicable.value if measure.not_applicable else None,
            "value": list(measure.value) if isinstance(measure.value, tuple) else measure.value,
            "input_on": measure.input_on.isoformat() if measure.input_on else None,
            "age": measure.input_age_days,
            "weight": measure.weight,
            "pool": measure.weight_pool,
        }
        for measure in result.measures
    }


def measures_json_text(result: HealthResult) -> str:
    """`measures_as_json(result)` as compact JSON text, written straight from the readings
    of a `score_health()` result: the nightly run writes a history row for every account
    on its first run, and this is several times quicker than building the dicts. The
    parts that repeat are formatted once: a measure's band and reason, and a whole
    undated measure (no data, stages, outcomes, never called), which takes few values.
    A result without readings (read back from JSON) takes the dicts."""
    if result.readings is None:
        return json.dumps(measures_as_json(result), separators=(",", ":"))
    pool = result.pool
    parts = []
    for reading in result.readings:
        if reading[4] is None:  # undated: no input date, no age
            part = _UNDATED.get((reading, pool))
            if part is None:
                if len(_UNDATED) > _UNDATED_KEPT:
                    _UNDATED.clear()
                part = _UNDATED[(reading, pool)] = _measure_text(reading, pool)
            parts.append(part)
        else:
            parts.append(_measure_text(reading, pool))
    return "{" + ",".join(parts) + "}"


_HEADS: dict[tuple, str] = {}
_UNDATED: dict[tuple, str] = {}
_UNDATED_KEPT = 10_000


def _measure_text(reading: tuple, pool: int) -> str:
    measure, band, why, value, input_on, age, weight = reading
    head = _HEADS.get((measure, band, why))
    if head is None:
        head = _HEADS[(measure, band, why)] = _head(measure, band, why)
    on = "null" if input_on is None else f'"{input_on.isoformat()}"'
    return (
        f'{head}{_value_text(value)},"input_on":{on},"age":{"null" if age is None else age},'
        f'"weight":{weight},"pool":{pool}}}'
    )


def _head(measure: Measure, band: Band, why: WhyNotApplicable | None) -> str:
    return (
        f'{json.dumps(measure.value)}:{{"band":{json.dumps(band.value)},'
        f'"why":{json.dumps(why.value if why else None)},"value":'
    )


def _value_text(value) -> str:
    """A measure's value (None, a number, a word, or a pair of them) as JSON."""
    if value is None:
        return "null"
    if type(value) is int:
        return str(value)
    if type(value) is tuple:
        return "[" + ",".join([_value_text(item) for item in value]) + "]"
    return json.dumps(value)


def measures_from_json(data: Mapping, score: int | None = None, band: str = "") -> HealthResult:
    """A history row back as a result (`score` and `band` are the row's own columns).
    A measure code this version does not know (a measure since removed) is skipped."""
    measures = []
    for code, item in (data or {}).items():
        if code not in Measure._value2member_map_:
            continue
        measure = Measure(code)
        value = item.get("value")
        if measure in PAIR_VALUES and isinstance(value, list):
            value = tuple(value)
        input_on = item.get("input_on")
        measures.append(
            MeasureResult(
                measure=measure,
                band=Band(item["band"]),
                not_applicable=WhyNotApplicable(item["why"]) if item.get("why") else None,
                value=value,
                input_on=date.fromisoformat(input_on) if input_on else None,
                input_age_days=item.get("age"),
                weight=item.get("weight", 0),
                weight_pool=item.get("pool", 0),
            )
        )
    return HealthResult(score, Band(band) if band else Band.UNKNOWN, tuple(measures))


# --- words ----------------------------------------------------------------------------

BAND_WORDS = {
    Band.GREEN: "green",
    Band.YELLOW: "yellow",
    Band.RED: "red",
    Band.NOT_APPLICABLE: "N/A",
    Band.UNKNOWN: "unknown",
}


def band_words(band: Band | str | None) -> str:
    if not band:
        return "unknown"
    return BAND_WORDS.get(Band(band), str(band))


def headline(result: HealthResult) -> str:
    """Score and band in one sentence, with why when it is unknown or overridden."""
    if result.band is Band.UNKNOWN:
        return (
            "Unknown: every measure is N/A (no data, or its input is stale), so there is no score."
        )
    text = f"{result.score} of 100: {band_words(result.band)}."
    if result.red_sentiment_override:
        text += (
            " Red because the TAM's sentiment is red: red sentiment makes the account red "
            "whatever the score."
        )
    return text


def _engagement_words(value, outcome_labels) -> str:
    days, interval = value if isinstance(value, tuple) else (None, None)
    if interval is None:
        return "no cadence calls for this priority"
    every = f"a cadence call every {days_text(interval)}"
    if days is None:
        return f"never called ({every})"
    return f"last cadence call {days_text(days)} ago ({every})"


def _licence_use_words(value, outcome_labels) -> str:
    active, licensed = value
    if not licensed:
        return f"{number_text(active)} users active, no licensed users"
    share = percent_text(active / licensed)
    return f"{number_text(active)} of {number_text(licensed)} users active ({share})"


def _voice_words(value, outcome_labels) -> str:
    survey, score = value
    return f"NPS {score} of 10" if survey == "nps" else f"CSAT {score} of 5"


INPUT_WORDS = {
    Measure.LICENCE_USE: _licence_use_words,
    Measure.STAGE_ADOPTION: lambda value, _: f"{value} stage{'' if value == 1 else 's'} adopted",
    Measure.TAM_SENTIMENT: lambda value, _: f"the TAM says {band_words(value)}",
    Measure.OUTCOMES: lambda value, labels: f"success plan: {labels.get(value, value)}",
    Measure.VOICE: _voice_words,
}


def input_words(measure: MeasureResult, outcome_labels: Mapping[str, str]) -> str:
    """The measure's input as people read it: "31 of 50 users active (62%)"."""
    if measure.measure is Measure.ENGAGEMENT:
        return _engagement_words(measure.value, outcome_labels)
    if measure.value is None:
        return "no data"
    return INPUT_WORDS[measure.measure](measure.value, outcome_labels)


def age_words(measure: MeasureResult) -> str:
    """How old the input is: "12 days old", "stale: 95 days old", "no data"."""
    why = measure.not_applicable
    age = measure.input_age_days
    if why is WhyNotApplicable.NO_CADENCE:
        return "no cadence calls"
    if why is WhyNotApplicable.STALE:
        return f"stale: {days_text(age)} old" if age is not None else "stale"
    if measure.value is None:
        return "no data"
    if age is None:
        if measure.measure is Measure.ENGAGEMENT:
            return "never called"
        return "current (not dated)"
    return "today" if age == 0 else f"{days_text(age)} old"


def weight_words(measure: MeasureResult) -> str:
    """The weight after sharing out, with the weight as set."""
    if measure.band is Band.NOT_APPLICABLE:
        return f"0% (set {measure.weight}, shared out over the others)"
    return f"{percent_number_text(measure.effective_weight)} (set {measure.weight})"


@dataclass(frozen=True, slots=True)
class MeasureRow:
    """One measure as the account page's table shows it."""

    measure: str
    input: str
    band: str
    band_code: str  # for the cell's class only
    weight: str
    contribution: str
    age: str
    stale: bool


def measure_rows(result: HealthResult, outcome_labels: Mapping[str, str]) -> list[MeasureRow]:
    return [
        MeasureRow(
            measure=measure.measure.label,
            input=input_words(measure, outcome_labels),
            band=band_words(measure.band),
            band_code=measure.band.value.replace("/", ""),
            weight=weight_words(measure),
            contribution=f"{number_text(measure.contribution)} points",
            age=age_words(measure),
            stale=measure.not_applicable is WhyNotApplicable.STALE,
        )
        for measure in result.measures
    ]


def movement_words(movement: Movement) -> str:
    """ "Licence use: 15.79 -> 7.89 points (green -> yellow)"."""

    def points(value):
        return "not on the scorecard" if value is None else f"{number_text(value)} points"

    bands = ""
    if movement.band_before != movement.band_after:
        bands = f" ({band_words(movement.band_before)} -> {band_words(movement.band_after)})"
    return f"{movement.measure.label}: {points(movement.before)} -> {points(movement.after)}{bands}"


def score_change_words(then_score: int | None, then_band: str, now: HealthResult) -> str:
    """ "81 (green) -> 68 (yellow)"; unknown reads "unknown"."""

    def side(score, band):
        return "unknown" if score is None else f"{score} ({band_words(band)})"

    return f"{side(then_score, then_band)} -> {side(now.score, now.band)}"
