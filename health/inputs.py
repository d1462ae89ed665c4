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

Speed (issue 13 point 9): on PostgreSQL a chunk is one query (`CHUNK_SQL`): each of the
latest readings is a LATERAL probe of its (account, date) index, one row each, so the
cost does not grow with an account's history. Other databases have no LATERAL and take
the portable queries above (`portable=True` forces them; a test holds the two paths to
the same answers). It relies on JIT compiling being off (the app's connections turn it
off, `tam_portal/settings.py`): at a chunk's size the planner expects enough work to
compile for, but the compiling (tens of ms) costs more than it saves on a few thousand
index probes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import connection
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
    account_ids: Iterable[int],
    today: date,
    priorities: Mapping[int, int | None] | None = None,
    *,
    portable: bool = False,
) -> dict[int, HealthInputs]:
    """Every account's inputs on `today`, by id; ids of no account are left out."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    rules = rhythm_rules()
    rule_sets = dict(Region.objects.values_list("id", "rule_set"))
    read_rows = _rows_postgresql if connection.vendor == "postgresql" and not portable else _rows
    intervals = _Intervals(rules, rule_sets)
    inputs: dict[int, HealthInputs] = {}
    for start in range(0, len(ids), CHUNK_SIZE):
        rows = read_rows(ids[start : start + CHUNK_SIZE], today)
        inputs.update(_inputs(rows, today, priorities or {}, intervals))
    return inputs


class _Intervals(dict):
    """`rhythm.cadence.cadence_interval_days` by (priority, region id), each worked out
    once: there are a handful of pairs and a chunk has thousands of accounts."""

    def __init__(self, rules: RhythmRules, rule_sets: dict[int, str]):
        super().__init__()
        self.rules, self.rule_sets = rules, rule_sets

    def __missing__(self, key: tuple[int | None, int]) -> int | None:
        priority, region_id = key
        interval = cadence_interval_days(self.rules, priority, self.rule_sets[region_id])
        self[key] = interval
        return interval


def _latest_id(model, date_field: str, today: date, **conditions) -> Subquery:
    """The id of the account's latest `model` row dated on or before today."""
    return Subquery(
        model.objects.filter(account=OuterRef("pk"), **{f"{date_field}__lte": today}, **conditions)
        .order_by(f"-{date_field}", "-id")
        .values("id")[:1]
    )


# A row per account: (id, region id, stored priority, sentiment, its date, success plan,
# stages adopted, usage (active, licensed, taken on), NPS (score, day), CSAT (score, day),
# last cadence call); None where there is no reading.
Row = tuple


def _rows(ids: list[int], today: date) -> list[Row]:
    """The portable reading: four queries."""
    survey = ActivityKind.SURVEY_RESPONSE
    accounts = list(
        Account.objects.filter(id__any=ids)
        .order_by()
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
        return []
    stages = dict(
        StageAdoption.objects.filter(account_id__any=ids, enabled_on__lte=today)
        .values("account_id")
        .annotate(stages=Count("id"))
        .values_list("account_id", "stages")
    )
    usage = {
        snapshot_id: (active, licensed, taken_on)
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
    rows = []
    for *account, usage_id, nps_id, csat_id, last_call in accounts:
        active, licensed, taken_on = usage.get(usage_id, (None, None, None))
        nps = surveys.get(nps_id, (None, None, None))
        csat = surveys.get(csat_id, (None, None, None))
        rows.append(
            (*account, stages.get(account[0], 0), active, licensed, taken_on,
             nps[0], nps[2], csat[1], csat[2], last_call)
        )  # fmt: skip
    return rows


_STAGES, _ACTIVITIES = StageAdoption._meta.db_table, Activity._meta.db_table
_ACCOUNTS, _USAGE = Account._meta.db_table, UsageSnapshot._meta.db_table
# One usage snapshot a day (a unique constraint): no tie to break by id.
CHUNK_SQL = f"""
SELECT a.id, a.region_id, a.priority, a.tam_sentiment, a.tam_sentiment_on, a.success_plan,
    (SELECT count(*) FROM {_STAGES} s WHERE s.account_id = a.id AND s.enabled_on <= %(today)s),
    u.active_users, u.licensed_users, u.taken_on, n.nps, n.occurred_on, c.csat, c.occurred_on,
    (SELECT max(x.occurred_on) FROM {_ACTIVITIES} x
     WHERE x.account_id = a.id AND x.kind = %(call)s AND x.occurred_on <= %(today)s)
FROM {_ACCOUNTS} a
LEFT JOIN LATERAL (
    SELECT active_users, licensed_users, taken_on FROM {_USAGE}
    WHERE account_id = a.id AND taken_on <= %(today)s ORDER BY taken_on DESC LIMIT 1
) u ON true
LEFT JOIN LATERAL (
    SELECT nps, occurred_on FROM {_ACTIVITIES}
    WHERE account_id = a.id AND kind = %(survey)s AND nps IS NOT NULL AND occurred_on <= %(today)s
    ORDER BY occurred_on DESC, id DESC LIMIT 1
) n ON true
LEFT JOIN LATERAL (
    SELECT csat, occurred_on FROM {_ACTIVITIES}
    WHERE account_id = a.id AND kind = %(survey)s AND csat IS NOT NULL AND occurred_on <= %(today)s
    ORDER BY occurred_on DESC, id DESC LIMIT 1
) c ON true
WHERE a.id = ANY(%(ids)s::bigint[])
"""


def array_literal(ids: Iterable[int]) -> str:
    """Integers as one PostgreSQL array literal, "{1,2,3}"."""
    return "{" + ",".join(map(str, ids)) + "}"


def _rows_postgresql(ids: list[int], today: date) -> list[Row]:
    """The same rows as `_rows`, in one query (see the module docstring)."""
    parameters = {
        "today": today,
        # One array literal: psycopg2 would write ARRAY[...] with thousands of constants
        # for the server to parse one by one (3 ms of a chunk's 30).
        "ids": array_literal(ids),
        "call": ActivityKind.CADENCE_CALL.value,
        "survey": ActivityKind.SURVEY_RESPONSE.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(CHUNK_SQL, parameters)
        return cursor.fetchall()


def _inputs(
    rows: list[Row], today: date, priorities: Mapping[int, int | None], intervals: _Intervals
) -> dict[int, HealthInputs]:
    inputs = {}
    for (
        account_id, region_id, stored_priority, sentiment, sentiment_on, success_plan,
        stages, active, licensed, taken_on, nps, nps_on, csat, csat_on, last_call,
    ) in rows:  # fmt: skip
        priority = priorities.get(account_id, stored_priority)
        inputs[account_id] = HealthInputs(
            today=today,
            usage=UsageReading(active, licensed, taken_on) if taken_on is not None else None,
            # No stage enabled is a reading (0, red), not a missing one: the account has
            # adopted none.
            stages_adopted=stages,
            sentiment=_sentiment(sentiment, sentiment_on, today),
            success_plan=success_plan or None,
            latest_nps=SurveyReading(nps, nps_on) if nps_on is not None else None,
            latest_csat=SurveyReading(csat, csat_on) if csat_on is not None else None,
            cadence_interval_days=intervals[priority, region_id],
            last_cadence_call=last_call,
        )
    return inputs


def _sentiment(band: str, set_on: date | None, today: date) -> SentimentReading | None:
    """The TAM's judgement; without its date it cannot be judged fresh, so it is no data,
    and one dated after today has not been given yet."""
    if not band or set_on is None or set_on > today:
        return None
    return SentimentReading(band, set_on)
