"""The health score's rules (DESIGN 11), pure: every measure at and on both sides of each
band boundary, staleness at the day, the weight of N/A measures shared out in proportion,
the red-sentiment override, unknown when nothing is known, and what moved a score."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from health.movement import what_moved
from health.scorecard import (
    DEFAULT_RULES,
    DEFAULT_SCORECARD,
    Band,
    HealthInputs,
    Measure,
    MeasureRule,
    Scorecard,
    SentimentReading,
    SurveyReading,
    UsageReading,
    WhyNotApplicable,
    score_health,
)

TODAY = date(2026, 12, 1)
LICENCE, STAGES, SENTIMENT, OUTCOMES, VOICE, ENGAGEMENT = list(Measure)


def days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def inputs(**values) -> HealthInputs:
    return HealthInputs(today=TODAY, **values)


def all_green(**changes) -> HealthInputs:
    """Every measure green and fresh, with `changes` applied."""
    values = {
        "usage": UsageReading(80, 100, days_ago(7)),
        "stages_adopted": 4,
        "sentiment": SentimentReading("green", days_ago(10)),
        "success_plan": "green",
        "latest_nps": SurveyReading(10, days_ago(30)),
        "cadence_interval_days": 30,
        "last_cadence_call": days_ago(5),
    }
    return inputs(**values | changes)


def band_of(measure: Measure, account: HealthInputs, scorecard=DEFAULT_SCORECARD) -> Band:
    return score_health(scorecard, account).measure(measure).band


def scorecard_with(band_green_from=75, band_yellow_from=50, **rules: MeasureRule) -> Scorecard:
    return Scorecard(
        {measure: rules.get(measure.value, rule) for measure, rule in DEFAULT_RULES.items()},
        band_green_from,
        band_yellow_from,
    )


# --- every measure at and on both sides of each boundary ---------------------------------


@pytest.mark.parametrize(
    ("active", "licensed", "expected"),
    [
        (7001, 10000, Band.GREEN),  # 70.01%
        (70, 100, Band.GREEN),  # 70%: green from 70% (">= 70%")
        (6999, 10000, Band.YELLOW),  # 69.99%
        (4001, 10000, Band.YELLOW),
        (40, 100, Band.YELLOW),  # 40%: yellow from 40%
        (3999, 10000, Band.RED),  # 39.99%
        (0, 100, Band.RED),
        (120, 100, Band.GREEN),  # more active than licensed is still green
    ],
)
def test_licence_use_bands(active, licensed, expected):
    account = inputs(usage=UsageReading(active, licensed, days_ago(1)))

    assert band_of(LICENCE, account) is expected


def test_licence_use_with_no_licences_is_no_data():
    result = score_health(DEFAULT_SCORECARD, inputs(usage=UsageReading(5, 0, days_ago(1))))

    assert result.measure(LICENCE).band is Band.NOT_APPLICABLE
    assert result.measure(LICENCE).not_applicable is WhyNotApplicable.NO_DATA


@pytest.mark.parametrize(
    ("stages", "expected"),
    [(4, Band.GREEN), (3, Band.GREEN), (2, Band.YELLOW), (1, Band.RED), (0, Band.RED)],
)
def test_stage_adoption_bands(stages, expected):
    assert band_of(STAGES, inputs(stages_adopted=stages)) is expected


@pytest.mark.parametrize(
    ("nps", "expected"),
    [(10, Band.GREEN), (9, Band.GREEN), (8, Band.YELLOW), (7, Band.YELLOW), (6, Band.RED)],
)
def test_voice_nps_bands(nps, expected):
    assert band_of(VOICE, inputs(latest_nps=SurveyReading(nps, days_ago(3)))) is expected


@pytest.mark.parametrize(
    ("csat", "expected"),
    [(5, Band.GREEN), (4, Band.GREEN), (3, Band.YELLOW), (2, Band.RED), (1, Band.RED)],
)
def test_voice_csat_bands_when_there_is_no_nps(csat, expected):
    assert band_of(VOICE, inputs(latest_csat=SurveyReading(csat, days_ago(3)))) is expected


def test_voice_reads_the_nps_even_when_a_csat_is_more_recent():
    account = inputs(
        latest_nps=SurveyReading(6, days_ago(200)), latest_csat=SurveyReading(5, days_ago(2))
    )

    measure = score_health(DEFAULT_SCORECARD, account).measure(VOICE)

    assert (measure.band, measure.value, measure.input_age_days) == (Band.RED, ("nps", 6), 200)


@pytest.mark.parametrize(
    ("sentiment", "expected"),
    [("green", Band.GREEN), ("yellow", Band.YELLOW), ("red", Band.RED)],
)
def test_tam_sentiment_bands(sentiment, expected):
    account = inputs(sentiment=SentimentReading(sentiment, days_ago(1)))

    assert band_of(SENTIMENT, account) is expected


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("green", Band.GREEN),
        ("objectives", Band.YELLOW),
        ("none", Band.RED),
        ("unclear", Band.RED),
    ],
)
def test_outcomes_bands(state, expected):
    assert band_of(OUTCOMES, inputs(success_plan=state)) is expected


@pytest.mark.parametrize(
    ("days_since_call", "expected"),
    [
        (29, Band.GREEN),
        (30, Band.GREEN),  # the interval's own day: due today, not overdue (rhythm.cadence)
        (31, Band.YELLOW),
        (60, Band.YELLOW),  # twice the interval
        (61, Band.RED),
    ],
)
def test_engagement_against_a_30_day_interval(days_since_call, expected):
    account = inputs(cadence_interval_days=30, last_cadence_call=days_ago(days_since_call))

    measure = score_health(DEFAULT_SCORECARD, account).measure(ENGAGEMENT)

    assert (measure.band, measure.input_age_days) == (expected, days_since_call)


@pytest.mark.parametrize(
    ("days_since_call", "expected"),
    [(90, Band.GREEN), (91, Band.YELLOW), (180, Band.YELLOW), (181, Band.RED)],
)
def test_engagement_against_a_90_day_interval(days_since_call, expected):
    account = inputs(cadence_interval_days=90, last_cadence_call=days_ago(days_since_call))

    assert band_of(ENGAGEMENT, account) is expected


def test_engagement_never_called_is_red_like_an_overdue_call():
    assert band_of(ENGAGEMENT, inputs(cadence_interval_days=60)) is Band.RED


def test_engagement_without_cadence_calls_is_not_applicable():
    """Pr3 / Pr4: `rhythm.cadence.cadence_interval_days` gives no interval."""
    measure = score_health(DEFAULT_SCORECARD, all_green(cadence_interval_days=None)).measure(
        ENGAGEMENT
    )

    assert measure.band is Band.NOT_APPLICABLE
    assert measure.not_applicable is WhyNotApplicable.NO_CADENCE
    assert measure.effective_weight == 0


# --- staleness at the day ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "measure"),
    [
        (lambda age: inputs(usage=UsageReading(80, 100, days_ago(age))), LICENCE),
        (lambda age: inputs(sentiment=SentimentReading("green", days_ago(age))), SENTIMENT),
        (lambda age: inputs(latest_nps=SurveyReading(10, days_ago(age))), VOICE),
        (lambda age: inputs(latest_csat=SurveyReading(5, days_ago(age))), VOICE),
    ],
    ids=["licence use", "TAM sentiment", "voice NPS", "voice CSAT"],
)
def test_an_input_is_fresh_on_its_last_day_and_stale_the_day_after(account, measure):
    stale_after = DEFAULT_RULES[measure].stale_after_days  # 45, 90, 365

    fresh = score_health(DEFAULT_SCORECARD, account(stale_after)).measure(measure)
    stale = score_health(DEFAULT_SCORECARD, account(stale_after + 1)).measure(measure)

    assert (fresh.band, fresh.not_applicable, fresh.input_age_days) == (
        Band.GREEN,
        None,
        stale_after,
    )
    assert (stale.band, stale.not_applicable, stale.input_age_days) == (
        Band.NOT_APPLICABLE,
        WhyNotApplicable.STALE,
        stale_after + 1,
    )
    assert stale.effective_weight == stale.contribution == 0


def test_the_default_stale_after_days_are_design_11s():
    assert [DEFAULT_RULES[m].stale_after_days for m in Measure] == [45, None, 90, None, 365, None]


def test_a_stale_nps_gives_way_to_a_fresh_csat():
    account = inputs(
        latest_nps=SurveyReading(10, days_ago(366)), latest_csat=SurveyReading(3, days_ago(365))
    )

    measure = score_health(DEFAULT_SCORECARD, account).measure(VOICE)

    assert (measure.band, measure.value) == (Band.YELLOW, ("csat", 3))


def test_an_empty_stale_after_never_goes_stale():
    scorecard = scorecard_with(licence_use=replace(DEFAULT_RULES[LICENCE], stale_after_days=None))
    account = inputs(usage=UsageReading(80, 100, days_ago(3000)))

    assert band_of(LICENCE, account, scorecard) is Band.GREEN


def test_an_input_dated_after_today_is_refused():
    with pytest.raises(ValueError, match="after 2026-12-01"):
        score_health(DEFAULT_SCORECARD, inputs(usage=UsageReading(1, 2, TODAY + timedelta(1))))


# --- the score and the weights shared out ------------------------------------------------


def _weights_and_contributions(result):
    return {
        m.measure: (m.band, m.effective_weight, m.contribution)
        for m in result.measures
        if m.band is not Band.NOT_APPLICABLE
    }


def test_with_every_measure_known_the_score_is_the_weighted_mean():
    # 15*100 + 10*100 + 50*50 + 10*0 + 5*50 + 10*100 = 6250 over 100: 62.5, half up 63.
    account = all_green(
        sentiment=SentimentReading("yellow", days_ago(1)),
        success_plan="none",
        latest_nps=SurveyReading(8, days_ago(1)),
    )

    result = score_health(DEFAULT_SCORECARD, account)

    assert (result.score, result.band) == (63, Band.YELLOW)
    assert [m.effective_weight for m in result.measures] == [15, 10, 50, 10, 5, 10]
    assert [m.contribution for m in result.measures] == [
        Decimal("15.00"),
        Decimal("10.00"),
        Decimal("25.00"),
        Decimal("0.00"),
        Decimal("2.50"),
        Decimal("10.00"),
    ]


def test_one_measure_not_applicable_shares_its_weight_in_proportion():
    # Sentiment N/A: 50 of 100 left; each weight doubles (15 -> 30, 10 -> 20, 5 -> 10).
    # 30*100 + 20*50 + 20*0 + 10*100 + 20*50 = 6000 / 100: 60.
    account = all_green(
        sentiment=None,
        stages_adopted=2,
        success_plan="unclear",
        cadence_interval_days=30,
        last_cadence_call=days_ago(45),
    )

    result = score_health(DEFAULT_SCORECARD, account)

    assert (result.score, result.band) == (60, Band.YELLOW)
    assert result.measure(SENTIMENT).not_applicable is WhyNotApplicable.NO_DATA
    assert _weights_and_contributions(result) == {
        LICENCE: (Band.GREEN, Decimal("30.00"), Decimal("30.00")),
        STAGES: (Band.YELLOW, Decimal("20.00"), Decimal("10.00")),
        OUTCOMES: (Band.RED, Decimal("20.00"), Decimal("0.00")),
        VOICE: (Band.GREEN, Decimal("10.00"), Decimal("10.00")),
        ENGAGEMENT: (Band.YELLOW, Decimal("20.00"), Decimal("10.00")),
    }


def test_two_measures_not_applicable_share_their_weight_in_proportion():
    # Sentiment stale, voice missing: 45 left. Licence 15/45 = 33.33%, the others 10/45 =
    # 22.22%. Points 15*100 + 10*50 + 10*0 + 10*50 = 2500; 2500 / 45 = 55.56, rounded 56.
    account = all_green(
        sentiment=SentimentReading("green", days_ago(91)),
        latest_nps=None,
        stages_adopted=2,
        success_plan="none",
        last_cadence_call=days_ago(31),
    )

    result = score_health(DEFAULT_SCORECARD, account)

    assert (result.score, result.band) == (56, Band.YELLOW)
    assert result.measure(SENTIMENT).not_applicable is WhyNotApplicable.STALE
    assert result.measure(VOICE).not_applicable is WhyNotApplicable.NO_DATA
    assert _weights_and_contributions(result) == {
        LICENCE: (Band.GREEN, Decimal("33.33"), Decimal("33.33")),
        STAGES: (Band.YELLOW, Decimal("22.22"), Decimal("11.11")),
        OUTCOMES: (Band.RED, Decimal("22.22"), Decimal("0.00")),
        ENGAGEMENT: (Band.YELLOW, Decimal("22.22"), Decimal("11.11")),
    }


def test_the_score_is_rounded_half_up_and_banded_as_rounded():
    # Only licence use (15, yellow) and voice (5, green) known: (750 + 500) / 20 = 62.5 -> 63.
    account = inputs(
        usage=UsageReading(50, 100, days_ago(1)), latest_nps=SurveyReading(9, days_ago(1))
    )

    result = score_health(DEFAULT_SCORECARD, account)

    assert result.score == 63
    assert [m.effective_weight for m in result.measures if m.score is not None] == [75, 25]


def test_a_score_of_74_point_5_rounds_to_75_and_is_green():
    # Outcomes green with weight 149, stages red with weight 51: 14900 / 200 = 74.5 -> 75.
    scorecard = scorecard_with(
        outcomes=MeasureRule(149), stage_adoption=replace(DEFAULT_RULES[STAGES], weight=51)
    )

    result = score_health(scorecard, inputs(success_plan="green", stages_adopted=0))

    assert (result.score, result.band) == (75, Band.GREEN)


def test_every_measure_not_applicable_is_unknown_with_no_score():
    result = score_health(DEFAULT_SCORECARD, inputs())

    assert (result.score, result.band) == (None, Band.UNKNOWN)
    assert {m.band for m in result.measures} == {Band.NOT_APPLICABLE}
    assert all(m.contribution == 0 for m in result.measures)


def test_only_weightless_measures_known_is_unknown():
    scorecard = scorecard_with(outcomes=MeasureRule(0))

    result = score_health(scorecard, inputs(success_plan="green"))

    assert (result.score, result.band) == (None, Band.UNKNOWN)
    assert result.measure(OUTCOMES).band is Band.GREEN


def test_a_disabled_measure_is_left_off_the_scorecard():
    scorecard = scorecard_with(voice=replace(DEFAULT_RULES[VOICE], enabled=False))
    # Without voice: 95 of weight; the red NPS would have cost 5 points.
    result = score_health(scorecard, all_green(latest_nps=SurveyReading(0, days_ago(1))))

    assert result.measure(VOICE) is None
    assert (result.score, result.band) == (100, Band.GREEN)


@pytest.mark.parametrize(
    ("score_points", "expected"),
    [(75, Band.GREEN), (74, Band.YELLOW), (50, Band.YELLOW), (49, Band.RED)],
)
def test_the_band_cut_offs(score_points, expected):
    # Outcomes green with weight `score_points`, stages red with the rest of 100.
    scorecard = scorecard_with(
        outcomes=MeasureRule(score_points),
        stage_adoption=replace(DEFAULT_RULES[STAGES], weight=100 - score_points),
    )

    result = score_health(scorecard, inputs(success_plan="green", stages_adopted=0))

    assert (result.score, result.band) == (score_points, expected)


# --- red sentiment ---------------------------------------------------------------------


def test_red_sentiment_makes_a_green_score_red():
    # Sentiment weighs 10 here: 10 * 0 + 90 * 100 = 9000 / 100 = 90, band green by score.
    scorecard = scorecard_with(tam_sentiment=replace(DEFAULT_RULES[SENTIMENT], weight=10))
    scorecard = replace(
        scorecard,
        rules={**scorecard.rules, LICENCE: replace(DEFAULT_RULES[LICENCE], weight=55)},
    )

    result = score_health(scorecard, all_green(sentiment=SentimentReading("red", days_ago(1))))

    assert result.score == 90
    assert (result.band, result.red_sentiment_override) == (Band.RED, True)


def test_red_sentiment_with_the_default_weights_turns_yellow_red():
    # 50 of 100 weight red, the rest green: 50, yellow by score.
    result = score_health(
        DEFAULT_SCORECARD, all_green(sentiment=SentimentReading("red", days_ago(90)))
    )

    assert (result.score, result.band, result.red_sentiment_override) == (50, Band.RED, True)


def test_stale_red_sentiment_does_not_override():
    result = score_health(
        DEFAULT_SCORECARD, all_green(sentiment=SentimentReading("red", days_ago(91)))
    )

    assert (result.score, result.band, result.red_sentiment_override) == (100, Band.GREEN, False)


def test_red_sentiment_on_a_red_score_is_not_an_override():
    account = inputs(sentiment=SentimentReading("red", days_ago(1)), success_plan="none")

    result = score_health(DEFAULT_SCORECARD, account)

    assert (result.score, result.band, result.red_sentiment_override) == (0, Band.RED, False)


# --- the explanation ---------------------------------------------------------------------


def test_every_measure_says_what_it_read_and_how_old_it_is():
    account = all_green(usage=UsageReading(7, 10, days_ago(12)), last_cadence_call=days_ago(5))

    result = score_health(DEFAULT_SCORECARD, account)

    assert [(m.input_text, m.input_age_days) for m in result.measures] == [
        ("7 of 10 licensed users active (70.00%)", 12),
        ("4 stages adopted", None),
        ("green", 10),
        ("green", None),
        ("NPS 10", 30),
        ("last cadence call 5 days ago (every 30 days)", 5),
    ]


# --- what moved it -------------------------------------------------------------------------


def test_what_moved_lists_the_changed_contributions_biggest_first():
    then = score_health(DEFAULT_SCORECARD, all_green())
    # Now: sentiment yellow, licence use stale. 85 of weight left: stages, outcomes and
    # engagement 10/85 = 11.76, voice 5/85 = 5.88, sentiment 50/85 * 50% = 29.41.
    now = score_health(
        DEFAULT_SCORECARD,
        all_green(
            sentiment=SentimentReading("yellow", days_ago(1)),
            usage=UsageReading(80, 100, days_ago(46)),
        ),
    )

    moved = what_moved(now, then)

    assert [(m.measure, m.before, m.after, m.change) for m in moved] == [
        (SENTIMENT, Decimal("50.00"), Decimal("29.41"), Decimal("-20.59")),
        (LICENCE, Decimal("15.00"), Decimal("0.00"), Decimal("-15.00")),
        (STAGES, Decimal("10.00"), Decimal("11.76"), Decimal("1.76")),
        (OUTCOMES, Decimal("10.00"), Decimal("11.76"), Decimal("1.76")),
        (ENGAGEMENT, Decimal("10.00"), Decimal("11.76"), Decimal("1.76")),
        (VOICE, Decimal("5.00"), Decimal("5.88"), Decimal("0.88")),
    ]
    assert (moved[0].band_before, moved[0].band_after) == (Band.GREEN, Band.YELLOW)
    assert (moved[1].band_before, moved[1].band_after) == (Band.GREEN, Band.NOT_APPLICABLE)


def test_nothing_moved_when_the_contributions_are_the_same():
    # Different inputs, same bands: 80% and 90% licence use are both green.
    then = score_health(DEFAULT_SCORECARD, all_green())
    now = score_health(DEFAULT_SCORECARD, all_green(usage=UsageReading(90, 100, days_ago(1))))

    assert what_moved(now, then) == []


def test_what_moved_from_unknown():
    then = score_health(DEFAULT_SCORECARD, inputs())
    now = score_health(DEFAULT_SCORECARD, inputs(success_plan="objectives"))

    [moved] = what_moved(now, then)

    assert (moved.measure, moved.before, moved.after) == (OUTCOMES, Decimal(0), Decimal(50))
