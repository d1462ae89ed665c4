"""Compute and keep the lifecycle metrics of a fiscal quarter (DESIGN sections 5 and 8).

The formulas are pure (`metrics/formulas/`); this module reads each chunk of accounts
with its activities, surveys, playbooks, stage adoption, usage and ARR snapshots in a
fixed number of queries, adds every account's contributions up per TAM, team, region,
segment, team x segment and company, and writes one MetricResult per metric and scope
for the quarter, only where it changed. A scope with accounts but no population for a
metric gets a result with no value: "no data", never 0%.

Accounts are counted in their current segment, TAM and team: the portal keeps no
history of those, so a past quarter recomputed later uses today's book.

A formula that raises for one account leaves that account out of every metric (all its
parts are computed before any is added) and is recorded in the run's `failures`
(`lib.failures`); every other account is counted (issue 11).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import (
    Account,
    Activity,
    ActivityKind,
    ArrSnapshot,
    Region,
    StageAdoption,
    UsageSnapshot,
)
from core.bulk import insert_rows, keyset_chunks, update_rows
from lib.dates import add_months, shift
from lib.failures import METRICS, account_failure
from lib.fiscal import FiscalQuarter, parse_quarter_label
from people.models import Team, User
from prioritization.models import PriorityAssessment
from segments.assign import SegmentThreshold, assign_segment
from segments.models import Segment

from . import formulas
from .models import (
    MetricDefinition,
    MetricResult,
    MetricTarget,
    ScopeType,
    segment_of_team_segment,
    team_segment_scope,
)

logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000
COMPANY = "all"

ACCOUNT_COLUMNS = (
    "id", "tam_id", "tam__team_id", "region_id", "segment_id", "segment_override_id",
    "priority", "customer_since", "first_engaged_on", "first_value_on", "onboarded_on",
    "success_plan", "success_plan_green_on", "success_plan_management_qualified", "arr",
    "lam", "lam_confidence",
)  # fmt: skip


def quarter_window(quarter: FiscalQuarter, today: date | None = None) -> formulas.QuarterWindow:
    today = today or timezone.localdate()
    return formulas.QuarterWindow(
        quarter.label, quarter.start, quarter.end, min(quarter.end, today), observed_on=today
    )


# --- reading ------------------------------------------------------------------------------


@dataclass
class _Related:
    ebrs: dict
    attendances: dict
    surveys: dict
    playbooks: dict
    license_flags: dict
    stages: dict
    green_days: dict
    arr: dict
    priorities: dict


def _span(rows):
    return {"account_id__gte": rows[0]["id"], "account_id__lte": rows[-1]["id"]}


def _load_activities(rows, window, related: _Related) -> None:
    """One query for every timeline entry the metrics read, back 18 months at most."""
    since = add_months(window.start, -18)
    activities = (
        Activity.objects.filter(
            **_span(rows), occurred_on__gte=since, occurred_on__lte=window.as_of
        )
        .filter(
            kind__in=[
                ActivityKind.EBR,
                ActivityKind.WEBINAR_ATTENDANCE,
                ActivityKind.SURVEY_RESPONSE,
                ActivityKind.PLAYBOOK,
                ActivityKind.LICENSE_SAVE,
            ]
        )
        .values_list(
            "account_id",
            "kind",
            "occurred_on",
            "webinar_id",
            "webinar__held_on",
            "webinar__onboarding",
            "stayed_whole_session",
            "feedback_score",
            "survey_kind",
            "nps",
            "csat",
            "playbook_kind",
            "stage__name",
            "started_on",
            "completed_on",
            "outcome",
            "saved",
        )
    )
    for row in activities:
        _file_activity(row, related)


def _file_activity(row, related: _Related) -> None:
    (account_id, kind, occurred_on, webinar_id, held_on, onboarding, stayed, feedback,
     survey_kind, nps, csat, playbook_kind, stage, started_on, completed_on, outcome,
     saved) = row  # fmt: skip
    if kind == ActivityKind.EBR:
        related.ebrs[account_id].append(occurred_on)
    elif kind == ActivityKind.WEBINAR_ATTENDANCE:
        related.attendances[account_id].append(
            formulas.Attendance(webinar_id, held_on or occurred_on, onboarding, stayed, feedback)
        )
    elif kind == ActivityKind.SURVEY_RESPONSE:
        related.surveys[account_id].append(formulas.Survey(survey_kind, occurred_on, nps, csat))
    elif kind == ActivityKind.PLAYBOOK:
        related.playbooks[account_id].append(
            formulas.Playbook(
                playbook_kind, stage, started_on or occurred_on, completed_on, outcome or "open"
            )
        )
    else:
        related.license_flags[account_id].append(formulas.LicenseFlag(occurred_on, saved))


def _load_related(rows, window: formulas.QuarterWindow, quarter: FiscalQuarter) -> _Related:
    related = _Related(*(defaultdict(list) for _ in range(7)), arr={}, priorities={})
    _load_activities(rows, window, related)
    for account_id, enabled_on, initial_on, broad_on in StageAdoption.objects.filter(
        **_span(rows), enabled_on__lte=window.as_of
    ).values_list("account_id", "enabled_on", "initial_adoption_on", "broad_adoption_on"):
        related.stages[account_id].append(
            formulas.StageEnablement(enabled_on, initial_on, broad_on)
        )
    for account_id, taken_on in UsageSnapshot.objects.filter(
        **_span(rows),
        health="green",
        taken_on__gte=shift(window.start, -91),
        taken_on__lte=window.as_of,
    ).values_list("account_id", "taken_on"):
        related.green_days[account_id].append(taken_on)
    labels = [quarter.label, quarter.shifted(1).label]
    for account_id, label, arr in ArrSnapshot.objects.filter(
        **_span(rows), fiscal_quarter__in=labels
    ).values_list("account_id", "fiscal_quarter", "arr"):
        related.arr[(account_id, label)] = arr
    related.priorities = dict(
        PriorityAssessment.objects.filter(**_span(rows), fiscal_quarter=quarter.label).values_list(
            "account_id", "effective_priority"
        )
    )
    return related


def _first_increases(rows) -> dict[int, date]:
    """The start of the first quarter whose ARR snapshot is above the account's first one."""
    first: dict[int, tuple[str, Decimal]] = {}
    increases: dict[int, date] = {}
    snapshots = (
        ArrSnapshot.objects.filter(**_span(rows))
        .order_by("account_id", "fiscal_quarter")
        .values_list("account_id", "fiscal_quarter", "arr")
    )
    for account_id, label, arr in snapshots:
        if account_id not in first:
            first[account_id] = (label, arr)
        elif account_id not in increases and arr > first[account_id][1]:
            increases[account_id] = parse_quarter_label(
                label, settings.FISCAL_YEAR_START_MONTH
            ).start
    return increases


# --- computing ----------------------------------------------------------------------------


class _Scopes:
    """Each account counts in six scopes: its TAM, team, region, segment, its team's share
    of that segment, and the company (fewer where it has no TAM or segment)."""

    def __init__(self):
        self.segment_code = dict(Segment.objects.values_list("id", "code"))
        self.thresholds = [
            SegmentThreshold(
                row.code, row.min_arr, row.min_arr_inclusive, row.lam_min_arr, row.high_lam_usd
            )
            for row in Segment.objects.order_by("position")
        ]

    def segment_at(self, row, arr: Decimal | None) -> str | None:
        """The segment an ARR figure puts the account in, its admin pin winning."""
        if row["segment_override_id"]:
            return self.segment_code.get(row["segment_override_id"])
        return assign_segment(arr, row["lam"], row["lam_confidence"], self.thresholds)

    def effective_segment(self, row) -> str | None:
        return self.segment_code.get(row["segment_override_id"] or row["segment_id"])

    @staticmethod
    def of(tam_id, team_id, region_id, segment: str | None) -> list[tuple[str, str]]:
        keys = [(ScopeType.COMPANY, COMPANY), (ScopeType.REGION, str(region_id))]
        if tam_id:
            keys.append((ScopeType.TAM, str(tam_id)))
        if team_id:
            keys.append((ScopeType.TEAM, str(team_id)))
        if segment:
            keys.append((ScopeType.SEGMENT, segment))
            if team_id:
                keys.append((ScopeType.TEAM_SEGMENT, team_segment_scope(team_id, segment)))
        return keys


def _targets() -> tuple[dict[str, Decimal | None], dict[tuple[str, str], Decimal]]:
    defaults = dict(MetricDefinition.objects.values_list("key", "default_target"))
    by_segment = {
        (key, segment): target
        for key, segment, target in MetricTarget.objects.values_list(
            "metric__key", "segment__code", "target"
        )
    }
    return defaults, by_segment


def _metric_account(
    row, segment, related: _Related, increases, quarter, running: bool
) -> formulas.MetricAccount:
    account_id = row["id"]
    arr_end = related.arr.get((account_id, quarter.shifted(1).label))
    if arr_end is None and running:
        arr_end = row["arr"]  # the quarter is running: its end is now
    return formulas.MetricAccount(
        account_id=account_id,
        segment=segment,
        priority=related.priorities.get(account_id, row["priority"]),
        customer_since=row["customer_since"],
        first_engaged_on=row["first_engaged_on"],
        first_value_on=row["first_value_on"],
        onboarded_on=row["onboarded_on"],
        success_plan=row["success_plan"],
        success_plan_green_on=row["success_plan_green_on"],
        management_qualified=row["success_plan_management_qualified"],
        ebr_dates=tuple(related.ebrs.get(account_id, ())),
        attendances=tuple(related.attendances.get(account_id, ())),
        surveys=tuple(related.surveys.get(account_id, ())),
        stages=tuple(related.stages.get(account_id, ())),
        playbooks=tuple(related.playbooks.get(account_id, ())),
        license_flags=tuple(related.license_flags.get(account_id, ())),
        green_health_days=tuple(related.green_days.get(account_id, ())),
        arr_start=related.arr.get((account_id, quarter.label)),
        arr_end=arr_end,
        first_arr_increase_on=increases.get(account_id),
    )


@dataclass
class MetricsRun:
    quarter: str
    accounts: int = 0
    results_created: int = 0
    results_updated: int = 0
    results_deleted: int = 0
    # Accounts a formula failed on (`lib.failures.account_failure`), left out of every metric.
    failures: list[dict] = field(default_factory=list)


Scopes = list[tuple[str, str]]
Parts = list[tuple[formulas.Metric, formulas.Contribution]]


def _account_parts(
    row, segment, metrics, targets, related, increases, quarter, window, running, scopes
) -> tuple[Scopes, Scopes, Parts]:
    """The account's scopes, those of the segment it started the quarter in, and every
    part it adds to a metric; adds nothing anywhere, so a failure leaves no trace."""
    account = _metric_account(row, segment, related, increases, quarter, running)
    if account.arr_start is not None:
        account.segment_at_start = scopes.segment_at(row, account.arr_start)
    place = (row["tam_id"], row["tam__team_id"], row["region_id"])
    keys = _Scopes.of(*place, segment)
    start = account.segment_at_start or segment
    start_keys = keys if start == segment else _Scopes.of(*place, start)
    return keys, start_keys, list(formulas.contributions(account, window, targets, metrics))


def compute_quarter(
    quarter: FiscalQuarter, *, today: date | None = None, chunk_size: int = CHUNK_SIZE
) -> MetricsRun:
    """Every metric for every scope in `quarter`, written where it changed.

    Each contribution is added to the scopes of its account (`_Scopes.of`); results are finished
    and written one metric at a time.
    """
    window = quarter_window(quarter, today)
    running = quarter.end >= (today or timezone.localdate())
    scopes = _Scopes()
    defaults, by_segment = _targets()
    per_segment: dict[str | None, tuple] = {}
    # metric key -> scope -> running sums; memory grows with the number of scopes
    # (TAMs, teams x segments, ...), not with the number of accounts.
    accumulators: dict[str, dict[tuple[str, str], formulas.Accumulator]] = defaultdict(dict)
    seen_scopes: set[tuple[str, str]] = set()
    run = MetricsRun(quarter.label)
    for rows in keyset_chunks(Account.objects.all(), ACCOUNT_COLUMNS, chunk_size=chunk_size):
        related = _load_related(rows, window, quarter)
        increases = _first_increases(rows)
        around = (related, increases, quarter, window, running, scopes)
        for row in rows:
            segment = scopes.effective_segment(row)
            if segment not in per_segment:
                per_segment[segment] = (
                    formulas.metrics_for(segment),
                    {key: by_segment.get((key, segment), value) for key, value in defaults.items()},
                )
            try:
                scoped = _account_parts(row, segment, *per_segment[segment], *around)
            except Exception as error:  # this account's alone: see the module docstring
                logger.warning("metrics: account %s failed", row["id"], exc_info=error)
                run.failures.append(account_failure(row["id"], METRICS, error))
                continue
            _add_parts(*scoped, accumulators, seen_scopes)
        run.accounts += len(rows)
    metric_ids = dict(MetricDefinition.objects.values_list("key", "id"))
    # One metric at a time, so only one metric's results are in memory.
    with transaction.atomic():
        for metric in formulas.METRICS:
            values = _finish(
                quarter, metric, accumulators.pop(metric.key, {}), seen_scopes, defaults, by_segment
            )
            _write(quarter.label, metric, metric_ids[metric.key], values, run)
    return run


def _add_parts(keys: Scopes, start_keys: Scopes, parts: Parts, accumulators, seen_scopes) -> None:
    seen_scopes.update(keys)
    for metric, part in parts:
        # ARR metrics count in the segment the quarter started in (churn shows).
        if metric.by_start_segment:
            seen_scopes.update(start_keys)
        by_scope = accumulators[metric.key]
        for scope in start_keys if metric.by_start_segment else keys:
            accumulator = by_scope.get(scope)
            if accumulator is None:
                accumulator = by_scope[scope] = formulas.Accumulator()
            accumulator.add(part, metric.kind)


def _previous_values(quarter: FiscalQuarter, metric: formulas.Metric) -> dict:
    # Time to IACV growth compares with the prior fiscal year's cohort (page 000).
    shift = -4 if metric.key == "time_to_iacv_growth" else -1
    return {
        (scope_type, scope): value
        for scope_type, scope, value in MetricResult.objects.filter(
            metric__key=metric.key,
            fiscal_quarter=quarter.shifted(shift).label,
            value__isnull=False,
        ).values_list("scope_type", "scope", "value")
    }


def _finish(quarter, metric, accumulators, seen_scopes, defaults, by_segment) -> dict:
    previous = _previous_values(quarter, metric)
    values = {}
    for scope_type, scope in seen_scopes:
        target = defaults.get(metric.key)
        if scope_type == ScopeType.SEGMENT:
            target = by_segment.get((metric.key, scope), target)
        elif scope_type == ScopeType.TEAM_SEGMENT:
            target = by_segment.get((metric.key, segment_of_team_segment(scope)), target)
        targets = formulas.Targets(target, previous.get((scope_type, scope)))
        values[(scope_type, scope)] = formulas.finish(
            metric, accumulators.get((scope_type, scope)), targets
        )
    return values


_FIELDS = ("numerator", "denominator", "value", "target", "attained", "details")


def _stored(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.0001"))


def _write(label: str, metric, metric_id: int, values: dict, run: MetricsRun) -> None:
    existing = {
        (scope_type, scope): (pk, *rest)
        for pk, scope_type, scope, *rest in MetricResult.objects.filter(
            fiscal_quarter=label, metric_id=metric_id
        ).values_list("id", "scope_type", "scope", *_FIELDS)
    }
    now = timezone.now()
    to_create, to_update = [], []
    for (scope_type, scope), value in values.items():
        wanted = (
            _stored(value.numerator), _stored(value.denominator), _stored(value.value),
            _stored(value.target), value.attained, value.details,
        )  # fmt: skip
        current = existing.pop((scope_type, scope), None)
        if current is None:
            to_create.append(
                {"metric_id": metric_id, "scope_type": scope_type, "scope": scope,
                 "fiscal_quarter": label, "computed_at": now,
                 **dict(zip(_FIELDS, wanted, strict=True))}
            )  # fmt: skip
        elif tuple(current[1:]) != wanted:
            to_update.append((current[0], *wanted, now))
    insert_rows(MetricResult, to_create)
    update_rows(MetricResult, [*_FIELDS, "computed_at"], to_update)
    stale = [pk for pk, *_ in existing.values()]
    for start in range(0, len(stale), CHUNK_SIZE):
        MetricResult.objects.filter(pk__in=stale[start : start + CHUNK_SIZE]).delete()
    run.results_created += len(to_create)
    run.results_updated += len(to_update)
    run.results_deleted += len(stale)


# --- scope names for people and files -----------------------------------------------------


def scope_names() -> dict[tuple[str, str], str]:
    """How each scope is called in exports and on pages (ids are what results store)."""
    teams = list(Team.objects.values_list("id", "name"))
    codes = list(Segment.objects.values_list("code", flat=True))
    names = {(ScopeType.COMPANY, COMPANY): "whole company"}
    names.update(
        ((ScopeType.TAM, str(pk)), email or username)
        for pk, email, username in User.objects.values_list("id", "email", "username")
    )
    names.update(((ScopeType.TEAM, str(pk)), name) for pk, name in teams)
    names.update(
        ((ScopeType.REGION, str(pk)), code) for pk, code in Region.objects.values_list("id", "code")
    )
    names.update(((ScopeType.SEGMENT, code), code) for code in codes)
    names.update(
        ((ScopeType.TEAM_SEGMENT, team_segment_scope(pk, code)), f"{name} / {code}")
        for pk, name in teams
        for code in codes
    )
    return names


def derive_first_value_dates() -> int:
    """Fill first value where it was not entered: the first day licence use reached 10%
    (page 000, "Time to 1st Value"), on or after the customer-since date."""
    first_day = (
        UsageSnapshot.objects.filter(
            account_id=OuterRef("pk"),
            licensed_users__gt=0,
            taken_on__gte=OuterRef("customer_since"),
        )
        .filter(Q(active_users__gte=F("licensed_users") * Decimal("0.1")))
        .order_by("taken_on")
        .values("taken_on")[:1]
    )
    candidates = Account.objects.filter(
        first_value_on__isnull=True, customer_since__isnull=False
    ).annotate(derived=Subquery(first_day))
    return candidates.filter(derived__isnull=False).update(
        first_value_on=Subquery(first_day), first_value_derived=True
    )
