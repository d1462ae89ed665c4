"""The health explained on the account page (DESIGN 11, issue 13 point 3): score, band,
every measure, the trend, what moved it since 7 and 90 days ago; constant queries.

The default scorecard (DESIGN 11): licence use 15, stage adoption 10, TAM sentiment 50,
outcomes 10, voice 5, engagement 10; green 100, yellow 50, red 0; score green >= 75,
yellow >= 50.
"""

import datetime
import html as html_entities
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ActivityKind, Stage, UsageSnapshot
from health.account_health import account_health
from health.explanation import measures_as_json, measures_from_json
from health.models import HealthHistory
from health.movement import what_moved
from health.scorecard import (
    DEFAULT_SCORECARD,
    HealthInputs,
    Measure,
    SentimentReading,
    SurveyReading,
    UsageReading,
    score_health,
)
from tests.factories import AccountFactory, ActivityFactory, StageAdoptionFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def page(client, account):
    return client.get(reverse("account_detail", args=[account.pk]))


def text_of(response) -> str:
    """The page's text without tags, whitespace collapsed."""
    html = response.content.decode()
    return html_entities.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def measure_row(response, label) -> list[str]:
    """The cells of one row of the measures table."""
    html = response.content.decode()
    table = html[html.index('id="health-measures"') :]
    table = table[: table.index("</table>")]
    row = re.search(rf"<tr><th scope=\"row\">{label}</th>(.*?)</tr>", table).group(1)
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def described_account(tam, *, sentiment="green", sentiment_days=20, plan="objectives"):
    """Licence use 31 of 50 (62%: yellow) 12 days old, three stages (green), the TAM's
    sentiment, success plan "objectives" (yellow), no survey (voice N/A), a cadence call
    10 days ago (green whether the account is Pr1, every 30 days, or Pr2, every 60)."""
    account = AccountFactory(
        tam=tam,
        tam_sentiment=sentiment,
        tam_sentiment_on=TODAY - sentiment_days * DAY,
        success_plan=plan,
    )
    UsageSnapshot.objects.create(
        account=account, taken_on=TODAY - 12 * DAY, licensed_users=50, active_users=31
    )
    for stage in Stage.objects.order_by("position")[:3]:
        StageAdoptionFactory(account=account, stage=stage, enabled_on=TODAY - 100 * DAY)
    ActivityFactory(account=account, kind=ActivityKind.CADENCE_CALL, occurred_on=TODAY - 10 * DAY)
    return account


def test_every_measure_with_its_weight_after_voice_is_shared_out(client, tam):
    # Voice (5) has no data: the pool is 95. Points: 15 x 50 + 10 x 100 + 50 x 100 +
    # 10 x 50 + 10 x 100 = 8,250; 8,250 / 95 = 86.84 -> 87, green.
    account = described_account(tam)
    client.force_login(tam)
    response = page(client, account)
    assert response.status_code == 200
    health = response.context["account_health"]
    assert (health.result.score, health.result.band) == (87, "green")
    assert "87 of 100: green." in text_of(response)
    assert measure_row(response, "Licence use") == [
        "31 of 50 users active (62%)",
        "yellow",
        "15.8% (set 15)",  # 15 / 95
        "7.89 points",  # 15 x 50 / 95
        "12 days old",
    ]
    assert measure_row(response, "Stage adoption")[:4] == [
        "3 stages adopted",
        "green",
        "10.5% (set 10)",
        "10.53 points",
    ]
    assert measure_row(response, "TAM sentiment") == [
        "the TAM says green",
        "green",
        "52.6% (set 50)",
        "52.63 points",
        "20 days old",
    ]
    assert measure_row(response, "Outcomes")[:4] == [
        "success plan: objectives and due date only",
        "yellow",
        "10.5% (set 10)",
        "5.26 points",
    ]
    assert measure_row(response, "Voice") == [
        "no data",
        "N/A",
        "0% (set 5, shared out over the others)",
        "0 points",
        "no data",
    ]
    assert measure_row(response, "Engagement")[1:5] == [
        "green",
        "10.5% (set 10)",
        "10.53 points",
        "10 days old",
    ]
    # The sentiment is set where the priority facts are, with a comment.
    assert 'href="#fact-tam-sentiment"' in response.content.decode()
    assert 'id="fact-tam-sentiment"' in response.content.decode()


def test_stale_sentiment_reads_stale_with_its_age_and_its_weight_goes_to_the_others(client, tam):
    # Sentiment 95 days old, stale after 90: N/A with voice; the pool is 45. Points:
    # 750 + 1,000 + 500 + 1,000 = 3,250; 3,250 / 45 = 72.2 -> 72, yellow.
    account = described_account(tam, sentiment_days=95)
    client.force_login(tam)
    response = page(client, account)
    assert measure_row(response, "TAM sentiment") == [
        "the TAM says green",
        "N/A",
        "0% (set 50, shared out over the others)",
        "0 points",
        "stale: 95 days old",
    ]
    assert measure_row(response, "Licence use")[2:4] == ["33.3% (set 15)", "16.67 points"]
    assert "72 of 100: yellow." in text_of(response)


def test_red_sentiment_makes_the_account_red_and_the_page_says_why(client, tam):
    # Sentiment red (0 of 50): 750 + 1,000 + 0 + 500 + 1,000 = 3,250 / 95 = 34.2 -> 34:
    # red by the score too, no override. With licence use and outcomes green the score
    # is 4,000 / 95 = 42 (red); so the override needs voice green as well and the score
    # at 50: 15 + 10 + 10 + 5 + 10 = 50 x 100 / 100 = 50, yellow by the score.
    account = described_account(tam, sentiment="red", sentiment_days=1, plan="green")
    UsageSnapshot.objects.filter(account=account).update(active_users=40)  # 80%: green
    ActivityFactory(
        account=account,
        kind=ActivityKind.SURVEY_RESPONSE,
        survey_kind="renewal",
        occurred_on=TODAY - 3 * DAY,
        nps=9,
    )
    client.force_login(tam)
    response = page(client, account)
    health = response.context["account_health"]
    assert (health.result.score, health.result.band) == (50, "red")
    assert health.result.red_sentiment_override
    assert (
        "50 of 100: red. Red because the TAM's sentiment is red: red sentiment makes the "
        "account red whatever the score."
    ) in text_of(response)


def test_every_measure_na_is_unknown_and_says_why(tam):
    account = AccountFactory(tam=tam)
    health = account_health(account, TODAY, inputs=HealthInputs(today=TODAY))
    assert health.result.band == "unknown"
    assert health.headline.startswith("Unknown: every measure is N/A")
    assert {row.band for row in health.rows} == {"N/A"}


def test_the_page_says_when_the_stored_band_is_not_what_the_facts_say_now(client, tam):
    account = described_account(tam)
    type(account).objects.filter(pk=account.pk).update(health="yellow", health_score=60)
    client.force_login(tam)
    assert (
        "The facts changed since the last recompute: the stored health is 60 (yellow); "
        "the next recompute writes 87 (green)."
    ) in text_of(page(client, account))


def history_row(account, days_ago, score, band, measures=None):
    return HealthHistory(
        account=account, on=TODAY - days_ago * DAY, score=score, band=band, measures=measures or {}
    )


def test_the_trend_table_lists_the_history_rows_of_the_last_365_days(client, tam):
    account = described_account(tam)
    HealthHistory.objects.bulk_create(
        [
            history_row(account, 400, 40, "red"),  # before the window: not listed
            history_row(account, 200, 55, "yellow"),
            history_row(account, 30, 80, "green"),
            history_row(account, 0, 87, "green"),
        ]
    )
    client.force_login(tam)
    response = page(client, account)
    html = response.content.decode()
    table = html[
        html.index('id="health-trend-table"') : html.index(
            "</table>", html.index('id="health-trend-table"')
        )
    ]
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td></tr>', table
    )
    day = lambda n: (TODAY - n * DAY).isoformat()  # noqa: E731
    assert rows == [(day(0), "87", "green"), (day(30), "80", "green"), (day(200), "55", "yellow")]
    # The chart draws the same: a point a day from 364 days ago, the score in force.
    chart = response.context["account_health"].chart
    assert chart["labels"][0] == day(364) and chart["labels"][-1] == day(0)
    assert chart["scores"][0] == 40 and chart["scores"][-1] == 87
    assert chart["scores"][chart["labels"].index(day(200))] == 55
    assert chart["scores"][chart["labels"].index(day(31))] == 55


def inputs(**overrides):
    """Every measure green: usage 40 of 50, 3 stages, sentiment green, plan green, NPS 9,
    a call 10 days ago every 30 days."""
    values = {
        "usage": UsageReading(40, 50, TODAY - 5 * DAY),
        "stages_adopted": 3,
        "sentiment": SentimentReading("green", TODAY - 5 * DAY),
        "success_plan": "green",
        "latest_nps": SurveyReading(9, TODAY - 5 * DAY),
        "cadence_interval_days": 30,
        "last_cadence_call": TODAY - 10 * DAY,
    }
    return HealthInputs(today=TODAY, **{**values, **overrides})


def test_what_moved_lists_exactly_the_measures_whose_contribution_changed(tam):
    account = AccountFactory(tam=tam)
    # 100 days ago: sentiment yellow. 8 days ago: all green except outcomes (objectives).
    # Now: all green except licence use (25 of 50, 50%: yellow).
    long_ago = score_health(DEFAULT_SCORECARD, inputs(sentiment=SentimentReading("yellow", TODAY)))
    last_week = score_health(DEFAULT_SCORECARD, inputs(success_plan="objectives"))
    HealthHistory.objects.bulk_create(
        [
            history_row(account, 100, long_ago.score, long_ago.band, measures_as_json(long_ago)),
            history_row(account, 8, last_week.score, last_week.band, measures_as_json(last_week)),
        ]
    )
    now = inputs(usage=UsageReading(25, 50, TODAY - 5 * DAY))
    health = account_health(account, TODAY, inputs=now)
    since_7, since_90 = health.moved
    assert (since_7.days, since_7.then.on) == (7, TODAY - 8 * DAY)
    # Every measure all the time: no weight moved, so only the two bands that changed.
    assert since_7.movements == [
        "Licence use: 15 points -> 7.5 points (green -> yellow)",
        "Outcomes: 5 points -> 10 points (yellow -> green)",
    ]
    assert since_7.score_change == "95 (green) -> 93 (green)"  # 92.5, half up
    assert (since_90.days, since_90.then.on) == (90, TODAY - 100 * DAY)
    assert since_90.movements == [
        "TAM sentiment: 25 points -> 50 points (yellow -> green)",
        "Licence use: 15 points -> 7.5 points (green -> yellow)",
    ]


def test_what_moved_without_history_that_old_says_so(tam):
    account = AccountFactory(tam=tam)
    HealthHistory.objects.create(account=account, on=TODAY - 3 * DAY, score=90, band="green")
    health = account_health(account, TODAY, inputs=inputs())
    assert [since.then for since in health.moved] == [None, None]


def test_the_history_json_reads_back_as_it_was_scored():
    result = score_health(
        DEFAULT_SCORECARD,
        inputs(latest_nps=None, cadence_interval_days=None, last_cadence_call=None),
    )
    back = measures_from_json(measures_as_json(result), result.score, result.band)
    assert what_moved(result, back) == []
    assert back.measures == result.measures
    assert back.measure(Measure.ENGAGEMENT).not_applicable == "no_cadence"


def test_a_tam_of_another_account_gets_404(client, tam, other_tam):
    account = described_account(tam)
    client.force_login(other_tam)
    assert page(client, account).status_code == 404


def test_the_page_queries_do_not_grow_with_the_history(client, tam):
    result = score_health(DEFAULT_SCORECARD, inputs())
    client.force_login(tam)
    counts = []
    # One row (100 days ago: in force 7 and 90 days ago), then one a day for a year.
    for days_ago in ([100], range(365)):
        account = described_account(tam)
        HealthHistory.objects.bulk_create(
            history_row(account, days, 90 - days % 7, "green", measures_as_json(result))
            for days in days_ago
        )
        page(client, account)  # warm the session and the per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = page(client, account)
        assert len(response.context["account_health"].trend) == len(days_ago)
        counts.append(len(queries))
    assert counts[0] == counts[1]
