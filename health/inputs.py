"""What the health score reads (DESIGN 11), for any number of accounts, set-based.

`read_health_inputs(account_ids, today)` returns each account's `HealthInputs` for the pure
scorecard (`health.scorecard.score_health`). The accounts are read `CHUNK_SIZE` at a time,
four queries a chunk whatever its size (plus two for the settings): the accounts with the
ids of their latest usage snapshot, NPS and CSAT response and the day of their last
cadence call (correlated subqueries, each one probe of an index on (account, date)), the
stages adopted, and the snapshots and survey responses by id.

Only what has happened counts ("future-dated entries don't count", DESIGN 13): every
reading is the latest dated on or before `today`, so the scorecard never sees a date
after it. The last cadence call and the cadence interval come from their one home in
`rhythm` (`rhythm.selectors.last_held_subquery`, `rhythm.cadence.cadence_interval_days`
with the admin's setting). Surveys are passed whatever their age: the voice measure's
window (its stale-after) is the scorecard's, per segment, and an old survey shows as
stale rather than as no data. A stage counts once it is enabled on or before today.

`priorities` (account id -> priority) overrides the accounts' stored priority: the
recompute passes the priorities it has just decided, before or without writing them, so
the engagement measure reads the new cadence interval.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.db.models import Count, OuterRef, Subquery

from accounts.models import (
    Account,
    Activity,
    ActivityKind,
    Region,
    StageAdoption,
    UsageSnapshot,
)
from core.bulk import CHUNK_SIZE
from rhythm.cadence import RhythmRules, cadence_interval_days
from rhythm.selectors import last_held_subquery, rhythm_rules

from .scorecard import HealthInputs, SentimentReading, SurveyReading, UsageReading


def read_health_inputs(
    account_ids: Iterable[int], today: date, priorities: Mapping[int, int | None] | None = None
) -> dict[int, HealthInputs]:
    """Every account's inputs on `today`, by id; ids of no account are left out."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    rules = rhythm_rules()
    rule_sets = dict(Region.objects.values_list("id", "rule_set"))
    inputs: dict[int, HealthInputs] = {}
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        inputs.update(_read_chunk(chunk, today, priorities or {}, rules, rule_sets))
    return inputs


def _latest_id(model, date_field: str, today: date, **conditions) -> Subquery:
    """The id of the account's latest `model` row dated on or before today."""
    return Subquery(
        model.objects.filter(account=OuterRef("pk"), **{f"{date_field}__lte": today}, **conditions)
        .order_by(f"-{date_field}", "-id")
        .values("id")[:1]
    )


def _read_chunk(
    ids: list[int],
    today: date,
    priorities: Mapping[int, int | None],
    rules: RhythmRules,
    rule_sets: dict[int, str],
) -> dict[int, HealthInputs]:
    survey = ActivityKind.SURVEY_RESPONSE
    accounts = list(
        Account.objects.filter(id__any=ids)
        .annotate(
            usage_id=_latest_id(UsageSnapshot, "taken_on", today),
            nps_id=_latest_id(Activity, "occurred_on", today, kind=survey, nps__isnull=False),
            csat_id=_latest_id(Activity, "occurred_on", today, kind=survey, csat__isnull=False),
            last_call=last_held_subquery(ActivityKind.CADENCE_CALL, today),
        )
        .values_list(
            "id", "region_id", "priority", "tam_sentiment", "tam_sentiment_on",
            "success_plan", "usage_id", "nps_id", "csat_id", "last_call",
        )
    )  # fmt: skip
    if not accounts:
        return {}
    stages = dict(
        StageAdoption.objects.filter(account_id__any=ids, enabled_on__lte=today)
        .values("account_id")
        .annotate(stages=Count("id"))
        .values_list("account_id", "stages")
    )
    usage = {
        snapshot_id: UsageReading(active, licensed, taken_on)
        for snapshot_id, active, licensed, taken_on in UsageSnapshot.objects.filter(
            id__any=[row[6] for row in accounts if row[6] is not None]
        ).values_list("id", "active_users", "licensed_users", "taken_on")
    }
    survey_ids = [survey_id for row in accounts for survey_id in row[7:9] if survey_id is not None]
    surveys = {
        activity_id: (nps, csat, occurred_on)
        for activity_id, nps, csat, occurred_on in Activity.objects.filter(
            id__any=survey_ids
        ).values_list("id", "nps", "csat", "occurred_on")
    }
    inputs = {}
    for (
        account_id, region_id, stored_priority, sentiment, sentiment_on, success_plan,
        usage_id, nps_id, csat_id, last_call,
    ) in accounts:  # fmt: skip
        priority = priorities.get(account_id, stored_priority)
        nps = surveys.get(nps_id)
        csat = surveys.get(csat_id)
        inputs[account_id] = HealthInputs(
            today=today,
            usage=usage.get(usage_id),
            # No stage enabled is a reading (0, red), not a missing one: the account has
            # adopted none.
            stages_adopted=stages.get(account_id, 0),
            sentiment=_sentiment(sentiment, sentiment_on, today),
            success_plan=success_plan or None,
            latest_nps=SurveyReading(nps[0], nps[2]) if nps else None,
            latest_csat=SurveyReading(csat[1], csat[2]) if csat else None,
            cadence_interval_days=cadence_interval_days(rules, priority, rule_sets[region_id]),
            last_cadence_call=last_call,
        )
    return inputs


def _sentiment(band: str, set_on: date | None, today: date) -> SentimentReading | None:
    """The TAM's judgement; without its date it cannot be judged fresh, so it is no data,
    and one dated after today has not been given yet."""
    if not band or set_on is None or set_on > today:
        return None
    return SentimentReading(band, set_on)
