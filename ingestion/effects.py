"""What imported facts do to their accounts, as the same facts logged on the page do.

- an onboarding milestone sets the account's date, never moving one already earlier
  (`timeline_rules.milestone_problem`); a first value derived from usage gives way;
- a survey's NPS becomes the last NPS unless a later answer holds it
  (`timeline_rules.becomes_last_nps`);
- a success-plan change sets the plan's state unless a later change is recorded;
- usage snapshots: the account's licensed / active users are its latest snapshot's.

Only records created or changed by this import have effects, so a re-import changes
nothing. Account rows are read and written in bulk.

A file is written a chunk at a time (`service.py`), but its activities' effects are applied
at the end (`ActivityEffects`), a batch of accounts at a time; between chunks only what can
still win is kept: the earliest date of each milestone and the latest answer and plan
change of each account. Before a large file's batches, PostgreSQL is told to ANALYZE the
activities: the import's own rows are not committed yet, the statistics still describe
the table before it, and the "is a recorded answer newer?" queries planned on them took a
50 MB file's import from 20 s to 40 s (measured with `bench/run import-memory`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import connection
from django.db.models import F, Max, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts import timeline_rules
from accounts.activity_log import MILESTONE_FIELDS
from accounts.models import Account, Activity, ActivityKind, UsageSnapshot
from core.bulk import update_rows

# The activity kinds whose newest entry sets an account fact, with the detail it sets.
LATEST_WINS = {
    ActivityKind.SURVEY_RESPONSE: "nps",
    ActivityKind.SUCCESS_PLAN_CHANGE: "success_plan",
}


class ActivityEffects:
    """The written activities that can still have an effect, gathered chunk by chunk; the
    same effects as applying them all at once, in far less memory than the rows: a
    candidate is kept as (date, detail) under (account, kind[, milestone])."""

    APPLY_BATCH = 20_000  # candidates applied at a time: three queries each

    def __init__(self):
        self._candidates: dict[tuple, tuple] = {}

    def add(self, written: list[dict]) -> None:
        for values in written:
            kind, occurred_on = values["kind"], values["occurred_on"]
            if kind == ActivityKind.ONBOARDING_MILESTONE:
                key = (values["account_id"], kind, values["milestone"])
                best = self._candidates.get(key)
                if best is None or occurred_on < best[0]:
                    self._candidates[key] = (occurred_on, None)
            elif kind in LATEST_WINS and values.get(LATEST_WINS[kind]) not in (None, ""):
                key = (values["account_id"], kind)
                best = self._candidates.get(key)
                # Ties go to the later row, as in `_latest_wins`.
                if best is None or occurred_on >= best[0]:
                    self._candidates[key] = (occurred_on, values[LATEST_WINS[kind]])

    def apply(self) -> set[int]:
        """Apply the effects; the ids of the accounts whose facts changed. A batch reads
        its accounts afresh, and the facts of one account set by two batches are different
        fields (milestone dates, last NPS, plan), so batches do not undo each other."""
        keys = sorted(self._candidates)
        changed: set[int] = set()
        if len(keys) > self.APPLY_BATCH and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Activity._meta.db_table}")
        for start in range(0, len(keys), self.APPLY_BATCH):
            written = [self._as_written(key) for key in keys[start : start + self.APPLY_BATCH]]
            changed |= apply_activity_effects(written)
        return changed

    def _as_written(self, key: tuple) -> dict:
        occurred_on, detail = self._candidates[key]
        account_id, kind, *milestone = key
        values = {"account_id": account_id, "kind": kind, "occurred_on": occurred_on}
        if milestone:
            values["milestone"] = milestone[0]
        else:
            values[LATEST_WINS[kind]] = detail
        return values


_ACCOUNT_FIELDS = (
    "first_engaged_on",
    "first_value_on",
    "first_value_derived",
    "onboarded_on",
    "last_nps",
    "success_plan",
    "success_plan_green_on",
    "licensed_users",
    "active_users",
)


def apply_activity_effects(written: list[dict]) -> set[int]:
    """The effects of the written activities (account_id, kind, occurred_on, and the
    milestone or the detail of its kind); the ids of the accounts whose facts changed."""
    changes: dict[int, dict[str, object]] = defaultdict(dict)
    accounts = _accounts({values["account_id"] for values in written})
    _milestones(written, accounts, changes)
    for kind, detail in LATEST_WINS.items():
        _latest_wins(written, accounts, changes, kind=kind, detail=detail)
    return _write(accounts, changes)


def _accounts(ids: set[int]) -> dict[int, dict]:
    return {
        values["id"]: values
        for values in Account.objects.filter(pk__any=sorted(ids)).values("id", *_ACCOUNT_FIELDS)
    }


def _milestones(written, accounts, changes) -> None:
    earliest: dict[tuple[int, str], date] = {}
    for values in written:
        if values["kind"] != ActivityKind.ONBOARDING_MILESTONE:
            continue
        key = (values["account_id"], MILESTONE_FIELDS[values["milestone"]])
        earliest[key] = min(values["occurred_on"], earliest.get(key, values["occurred_on"]))
    for (account_id, field), occurred_on in earliest.items():
        account = accounts[account_id]
        derived = field == "first_value_on" and account["first_value_derived"]
        if timeline_rules.milestone_problem(
            recorded_on=account[field], recorded_derived=derived, logged_on=occurred_on
        ):
            continue
        changes[account_id][field] = occurred_on
        if field == "first_value_on":
            changes[account_id]["first_value_derived"] = False


def _latest_wins(written, accounts, changes, *, kind: str, detail: str) -> None:
    """The newest imported entry of `kind` sets the account's fact, unless an entry already
    recorded is newer (the rule of `timeline_rules.becomes_last_nps`, for both facts)."""
    latest: dict[int, dict] = {}
    for values in written:
        if values["kind"] != kind or values.get(detail) in (None, ""):
            continue
        best = latest.get(values["account_id"])
        if best is None or values["occurred_on"] >= best["occurred_on"]:
            latest[values["account_id"]] = values
    if not latest:
        return
    # The imported entries are among these: the newest of them wins when nothing recorded
    # is newer, which is `becomes_last_nps` with ties going to the import.
    recorded = Activity.objects.filter(account_id__any=sorted(latest), kind=kind)
    if detail == "nps":
        recorded = recorded.filter(nps__isnull=False)
    else:
        recorded = recorded.exclude(success_plan="")
    newest = dict(recorded.values_list("account_id").annotate(newest=Max("occurred_on")).order_by())
    fact = "last_nps" if detail == "nps" else "success_plan"
    for account_id, values in latest.items():
        if not timeline_rules.becomes_last_nps(
            answered_on=values["occurred_on"], latest_other_answer=newest.get(account_id)
        ):
            continue
        changes[account_id][fact] = values[detail]
        if fact == "success_plan" and values[detail] == "green":
            changes[account_id]["success_plan_green_on"] = values["occurred_on"]


def apply_usage_effects(account_ids: set[int]) -> set[int]:
    """The account's licensed and active users become those of its latest snapshot."""
    accounts = _accounts(account_ids)
    latest = (
        UsageSnapshot.objects.filter(account_id__any=sorted(account_ids))
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("account_id")], order_by=F("taken_on").desc())
        )
        .filter(rank=1)
        .values_list("account_id", "licensed_users", "active_users")
    )
    changes: dict[int, dict[str, object]] = defaultdict(dict)
    for account_id, licensed, active in latest:
        account = accounts[account_id]
        if (account["licensed_users"], account["active_users"]) != (licensed, active):
            changes[account_id].update(licensed_users=licensed, active_users=active)
    return _write(accounts, changes)


def _write(accounts: dict[int, dict], changes: dict[int, dict[str, object]]) -> set[int]:
    """One update statement per set of changed fields, with the unchanged values kept."""
    changed = {
        account_id: {
            name: value for name, value in fields.items() if accounts[account_id][name] != value
        }
        for account_id, fields in changes.items()
    }
    changed = {account_id: fields for account_id, fields in changed.items() if fields}
    by_fields: dict[tuple[str, ...], list] = defaultdict(list)
    now = timezone.now()
    for account_id, fields in changed.items():
        names = tuple(sorted(fields))
        by_fields[names].append((account_id, *[fields[name] for name in names], now))
    for names, rows in by_fields.items():
        update_rows(Account, [*names, "updated_at"], rows)
    return set(changed)
