"""The nightly run's quick paths give exactly what the explained reference gives (issue 13
point 9): the score and band looked up per combination of measure bands, the history's
JSON written as text, and the inputs read in one PostgreSQL query.

Property-style: hand-seeded random inputs around every boundary of DESIGN 11 (licence use
40% / 70%, stages 2 / 3, NPS 7 / 9, CSAT 3 / 4, staleness at 45 / 90 / 365 days, the
cadence interval and twice it), on the default scorecard and on random ones (weights of
0, disabled measures, other cut-offs).
"""

import json
import random
from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction

import pytest
from django.db import connection

from accounts.models import Activity, ActivityKind, StageAdoption, UsageSnapshot
from health.explanation import measures_as_json, measures_json_text
from health.inputs import read_health_inputs
from health.scorecard import (
    _CACHES,
    DEFAULT_RULES,
    MEASURE_SCORE,
    Band,
    HealthInputs,
    Measure,
    Scorecard,
    SentimentReading,
    SurveyReading,
    UsageReading,
    score_health,
)
from tests.factories import AccountFactory, stage

TODAY = date(2026, 11, 20)


def days_ago(days):
    return TODAY - timedelta(days=days)


def random_inputs(rng: random.Random) -> HealthInputs:
    licensed = rng.choice((0, 1, 10, 100, 250))
    boundary = rng.choice((40, 70, 0, 100))  # percent
    active = max(0, licensed * boundary // 100 + rng.choice((-1, 0, 1)))
    fresh_or_stale = (0, 1, 44, 45, 46, 89, 90, 91, 364, 365, 366, 400)
    interval = rng.choice((None, 30, 60, 90))
    call_ages = [0, 1, 500] + ([interval - 1, interval, interval + 1, 2 * interval - 1,
                               2 * interval, 2 * interval + 1] if interval else [])  # fmt: skip
    return HealthInputs(
        today=TODAY,
        usage=rng.choice((None, UsageReading(active, licensed, days_ago(rng.choice(fresh_or_stale))))),
        stages_adopted=rng.choice((None, 0, 1, 2, 3, 4)),
        sentiment=rng.choice(
            (None, SentimentReading(rng.choice(("green", "yellow", "red")), days_ago(rng.choice(fresh_or_stale))))
        ),
        success_plan=rng.choice((None, "green", "objectives", "none", "unclear")),
        latest_nps=rng.choice(
            (None, SurveyReading(rng.choice((0, 6, 7, 8, 9, 10)), days_ago(rng.choice(fresh_or_stale))))
        ),
        latest_csat=rng.choice(
            (None, SurveyReading(rng.choice((1, 2, 3, 4, 5)), days_ago(rng.choice(fresh_or_stale))))
        ),
        cadence_interval_days=interval,
        last_cadence_call=rng.choice((None, days_ago(rng.choice(call_ages)))),
    )  # fmt: skip


def random_scorecard(rng: random.Random) -> Scorecard:
    rules = {
        measure: replace(
            rule,
            weight=rng.choice((0, 1, 5, 10, 15, 50, 99)),
            enabled=rng.random() > 0.15,
            stale_after_days=rng.choice((rule.stale_after_days, None, 45)),
        )
        for measure, rule in DEFAULT_RULES.items()
    }
    yellow = rng.randint(0, 99)
    return Scorecard(rules, band_green_from=rng.randint(yellow, 100), band_yellow_from=yellow)


def reference(scorecard: Scorecard, result) -> tuple:
    """DESIGN 11 from the explained measures: the weighted mean of the measures that
    count, half up; the band by the cut-offs; fresh red sentiment makes it red."""
    counted = [m for m in result.measures if m.band is not Band.NOT_APPLICABLE]
    pool = sum(m.weight for m in counted)
    score = None
    by_score = Band.UNKNOWN
    if pool:
        mean = Fraction(sum(m.weight * MEASURE_SCORE[m.band] for m in counted), pool)
        score = int(mean + Fraction(1, 2))  # half up: 74.5 -> 75
        if score >= scorecard.band_green_from:
            by_score = Band.GREEN
        else:
            by_score = Band.YELLOW if score >= scorecard.band_yellow_from else Band.RED
    # As `score_health` has it: fresh red sentiment makes the band red even when its
    # weight is 0 and nothing else counts (red, no score).
    red = any(m.measure is Measure.TAM_SENTIMENT and m.band is Band.RED for m in counted)
    band = Band.RED if red else by_score
    return score, band, band != by_score


@pytest.mark.parametrize("seed", range(6))
def test_the_looked_up_verdict_is_the_weighted_mean_for_every_combination(seed):
    rng = random.Random(seed)
    scorecards = [Scorecard(), *(random_scorecard(rng) for _ in range(8))]
    for _ in range(3000):
        scorecard = rng.choice(scorecards)
        inputs = random_inputs(rng)
        result = score_health(scorecard, inputs)
        assert (result.score, result.band, result.red_sentiment_override) == reference(
            scorecard, result
        ), inputs


def test_a_cold_cache_and_a_warm_one_give_the_same_result():
    rng = random.Random(42)
    cases = [(random_scorecard(rng), random_inputs(rng)) for _ in range(2000)]
    warm = [score_health(scorecard, inputs) for scorecard, inputs in cases]
    for (scorecard, inputs), expected in zip(cases, warm, strict=True):
        _CACHES.clear()
        cold = score_health(replace(scorecard), inputs)
        assert cold == expected
        assert (cold.score, cold.band) == (expected.score, expected.band)


def test_every_boundary_band_is_reached():
    """The generator reaches every measure band and both N/A reasons, so the comparisons
    above cover the boundaries rather than one side of them."""
    rng = random.Random(7)
    seen = set()
    for _ in range(3000):
        for measure in score_health(Scorecard(), random_inputs(rng)).measures:
            seen.add((measure.measure, measure.band, measure.not_applicable))
    for measure in Measure:
        for band in (Band.GREEN, Band.YELLOW, Band.RED, Band.NOT_APPLICABLE):
            assert any(m == measure and b == band for m, b, _ in seen), (measure, band)


@pytest.mark.parametrize("seed", range(3))
def test_the_history_json_text_is_the_reference_json(seed):
    rng = random.Random(100 + seed)
    for _ in range(2000):
        scorecard = rng.choice((Scorecard(), random_scorecard(rng)))
        result = score_health(scorecard, random_inputs(rng))
        assert json.loads(measures_json_text(result)) == measures_as_json(result)


def test_a_result_without_readings_writes_its_json_from_the_measures():
    result = score_health(Scorecard(), random_inputs(random.Random(3)))
    explained = type(result)(result.score, result.band, result.measures)
    assert json.loads(measures_json_text(explained)) == measures_as_json(result)


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: compares its one-query reading with the portable one",
)
def test_the_one_query_reading_gives_the_portable_readings(tam):
    """Random histories with ties on a day, future-dated entries (which do not count),
    NPS-only and CSAT-only surveys, stages enabled later, accounts with nothing."""
    rng = random.Random(11)
    stages = [stage(name) for name in ("Create", "Plan", "Verify", "Package")]
    accounts = [
        AccountFactory(
            tam=tam,
            priority=rng.choice((None, 1, 2, 3, 4)),
            tam_sentiment=rng.choice(("", "green", "yellow", "red")),
            tam_sentiment_on=rng.choice((None, days_ago(rng.randint(-5, 120)))),
            success_plan=rng.choice(("", "green", "objectives", "none", "unclear")),
        )
        for _ in range(40)
    ]
    usage, activities, adoptions = [], [], []
    for account in accounts:
        for day in rng.sample(range(-10, 400), rng.randint(0, 6)):
            licensed = rng.randint(0, 50)
            usage.append(UsageSnapshot(account=account, taken_on=days_ago(day),
                                       licensed_users=licensed, active_users=rng.randint(0, 60)))  # fmt: skip
        for _ in range(rng.randint(0, 6)):
            day = days_ago(rng.choice((-3, 0, 0, 5, 5, 30, 400)))  # repeats: ties on a day
            kind = rng.choice((ActivityKind.SURVEY_RESPONSE, ActivityKind.CADENCE_CALL))
            survey = kind == ActivityKind.SURVEY_RESPONSE
            activities.append(Activity(
                account=account, kind=kind, occurred_on=day,
                survey_kind="renewal" if survey else "",
                nps=rng.choice((None, rng.randint(0, 10))) if survey else None,
                csat=rng.choice((None, rng.randint(1, 5))) if survey else None,
            ))  # fmt: skip
        for adopted in rng.sample(stages, rng.randint(0, len(stages))):
            adoptions.append(StageAdoption(account=account, stage=adopted,
                                           enabled_on=days_ago(rng.randint(-5, 100))))  # fmt: skip
    UsageSnapshot.objects.bulk_create(usage)
    Activity.objects.bulk_create(activities)
    StageAdoption.objects.bulk_create(adoptions)
    ids = [account.id for account in accounts]
    priorities = {ids[0]: 1, ids[1]: None}

    quick = read_health_inputs(ids, TODAY, priorities)
    portable = read_health_inputs(ids, TODAY, priorities, portable=True)

    assert quick == portable
    assert len(quick) == len(accounts)
    assert any(inputs.latest_nps for inputs in quick.values())
    assert any(inputs.usage for inputs in quick.values())
