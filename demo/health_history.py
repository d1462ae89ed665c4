"""A year of health history for the demo (DESIGN 11, issue 13 point 3): the account page's
trend and its "what moved since 7 and 90 days ago" need rows older than the seeding run's.

`write_health_history(as_of)` scores every account as of past days (`history_days`: daily
over the last two weeks, weekly over the last 13, four-weekly over the year) from its dated
inputs (`health.inputs.read_health_inputs` reads the latest on or before each day) with
the account's segment scorecard and priority, and keeps the nightly run's rule: a
`HealthHistory` row only when the score or the band changed from the account's previous
row, none while an account stays unknown.

It runs after the seeding recompute, because segments and priorities (the scorecard and
the engagement measure's cadence interval) exist only once that run has decided them.
The run has written today's row of every account that has a health; the chain here
ends with today too, so that row stays only where today differs from the last past row,
and an account that turned unknown today gets its row, as the run would have written
them after a year of nightly runs.

Sentiment before the TAM's current one: the account keeps only its latest sentiment and
day, so earlier days read the health the demo recorded with each usage snapshot (every
four weeks, `demo.usage`) as the TAM's sentiment given that day. An account without
usage had no sentiment before its current one (N/A: its weight goes to the others).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from accounts.models import Account, UsageSnapshot
from core.bulk import CHUNK_SIZE
from health.explanation import measures_json_text
from health.inputs import read_health_inputs
from health.models import HealthHistory
from health.scorecard import Band, HealthInputs, HealthResult, SentimentReading, score_health
from health.selectors import scorecards

from .writing import insert_plain_rows

HISTORY_DAYS = 365
DAILY_DAYS = 14
WEEKLY_DAYS = 91  # weekly back to here, so "since 90 days ago" reads a row of that week
# Beyond, the usage snapshots' cadence (`demo.usage`): what moves the score in between is
# mostly the cadence calls, and every day scored costs the seeding a tenth of a second.
MONTHLY_EVERY_DAYS = 28
# The sentiment of the first day scored may have been given up to its stale-after before.
SENTIMENT_LOOKBACK_DAYS = 90

# (band as `Account.health` keeps it: blank is unknown, score)
Health = tuple[str, int | None]
NO_HEALTH: Health = ("", None)


def history_days(as_of: date) -> list[date]:
    """The past days scored, oldest first: every day of the last two weeks, every week
    back to 91 days ago and every four weeks back past a year ago, so "since 7 days ago"
    and "since 90 days ago" have a row of their week and the year's trend has a point in
    force on its first day."""
    back = {
        *range(1, DAILY_DAYS + 1),
        *range(DAILY_DAYS, WEEKLY_DAYS + 1, 7),
        *range(WEEKLY_DAYS, HISTORY_DAYS + MONTHLY_EVERY_DAYS, MONTHLY_EVERY_DAYS),
    }
    return sorted(as_of - timedelta(days=days) for days in back)


def write_health_history(as_of: date) -> int:
    """Write the demo's past health rows and settle today's; returns the rows the history
    holds then."""
    accounts = list(
        Account.objects.order_by("id").values_list(
            "id", "priority", "segment_override_id", "segment_id", "tam_sentiment_on"
        )
    )
    ids = [account_id for account_id, *_ in accounts]
    priorities = {account_id: priority for account_id, priority, *_ in accounts}
    cards = scorecards()
    scorecard_of = {
        account_id: cards.for_segment(override_id or segment_id)
        for account_id, _, override_id, segment_id, _ in accounts
    }
    sentiment_given_on = {account_id: given_on for account_id, *_, given_on in accounts}
    days = history_days(as_of)
    earlier = _earlier_sentiments(days[0] - timedelta(days=SENTIMENT_LOOKBACK_DAYS))

    last: dict[int, Health] = {}
    past_rows: list[dict] = []
    today_changed: dict[int, HealthResult] = {}
    for day in [*days, as_of]:
        for account_id, inputs in read_health_inputs(ids, day, priorities).items():
            if inputs.sentiment is None:
                _use_earlier_sentiment(inputs, sentiment_given_on[account_id], earlier, account_id)
            result = score_health(scorecard_of[account_id], inputs)
            health = ("" if result.band is Band.UNKNOWN else result.band.value, result.score)
            if health == last.get(account_id, NO_HEALTH):
                continue
            last[account_id] = health
            if day == as_of:
                today_changed[account_id] = result
            else:
                past_rows.append(_row(account_id, day, result))
    with transaction.atomic():
        insert_plain_rows(HealthHistory, past_rows)
        _settle_today(as_of, today_changed)
    return HealthHistory.objects.count()


def _earlier_sentiments(since: date) -> dict[int, list[tuple[date, str]]]:
    """Each account's health as recorded with its usage snapshots since `since`, oldest
    first: one query (the demo's accounts are all the accounts)."""
    earlier: dict[int, list[tuple[date, str]]] = {}
    rows = (
        UsageSnapshot.objects.filter(taken_on__gte=since)
        .exclude(health="")
        .order_by("account_id", "taken_on")
        .values_list("account_id", "taken_on", "health")
    )
    for account_id, taken_on, health in rows:
        earlier.setdefault(account_id, []).append((taken_on, health))
    return earlier


def _use_earlier_sentiment(
    inputs: HealthInputs,
    given_on: date | None,
    earlier: dict[int, list[tuple[date, str]]],
    account_id: int,
) -> None:
    """Before the current sentiment was given, the latest recorded before it was in force
    (an account without a current sentiment has no earlier one either)."""
    if given_on is None or given_on <= inputs.today:
        return
    in_force = None
    for taken_on, health in earlier.get(account_id, ()):
        if taken_on > inputs.today:
            break
        in_force = (taken_on, health)
    if in_force is not None:
        inputs.sentiment = SentimentReading(in_force[1], in_force[0])


def _row(account_id: int, day: date, result: HealthResult) -> dict:
    return {
        "account_id": account_id,
        "on": day,
        "band": "" if result.band is Band.UNKNOWN else result.band.value,
        "score": result.score,
        # JSON text, which both databases' JSON columns take as written: the quickest
        # way in for a year of rows.
        "measures": measures_json_text(result),
    }


def _settle_today(as_of: date, changed: dict[int, HealthResult]) -> None:
    """The run's row of today stays where today changed from the last past row and goes
    where it did not; an account whose change today the run did not write (it turned
    unknown) gets its row."""
    today = HealthHistory.objects.filter(on=as_of)
    written = set(today.values_list("account_id", flat=True))
    unchanged = sorted(written - set(changed))
    for start in range(0, len(unchanged), CHUNK_SIZE):
        today.filter(account_id__any=unchanged[start : start + CHUNK_SIZE]).delete()
    missing = [
        _row(account_id, as_of, result)
        for account_id, result in changed.items()
        if account_id not in written
    ]
    insert_plain_rows(HealthHistory, missing)
