"""Compute and keep the lifecycle metrics of a fiscal quarter (DESIGN sections 5 and 8).

The formulas are pure (`metrics/formulas/`). The work over accounts is cut into id
ranges, each computed on its own (`quarter_chunk`): it reads its accounts with their
activities, surveys, playbooks, stage adoption, usage and ARR snapshots in a fixed
number of queries (`chunk_reading.py`) and adds every account's contributions once,
into the accumulator of its place (TAM, team, region, segment), giving a
`MetricsPartial`. Partials merge in any order and travel as JSON, so the ranges can run
on threads here or on other processes; `write_quarter` folds the merged places into the
scopes (TAM, team, region, segment, team x segment, company) and writes one MetricResult
per metric and scope, only where it changed (`result_writing.py`). A scope with accounts
but no population for a metric gets a result with no value: "no data", never 0%.

Accounts are counted in their current segment, TAM and team: the portal keeps no
history of those, so a past quarter recomputed later uses today's book.

A formula that raises for one account leaves that account out of every metric (all its
parts are computed before any is added) and is recorded in the run's `failures`
(`lib.failures`); every other account is counted (issue 11).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import Account, Region, UsageSnapshot
from core.bulk import for_each_range, id_ranges
from lib.failures import METRICS, account_failure
from lib.fiscal import FiscalQuarter
from people.models import Team, User
from segments.assign import SegmentThreshold, assign_segment
from segments.models import Segment

from . import formulas
from .chunk_reading import read_accounts, read_related
from .models import MetricDefinition, MetricTarget, ScopeType, team_segment_scope
from .partials import COMPANY, MetricsPartial, merged
from .result_writing import write_results

__all__ = [
    "CHUNK_SIZE",
    "COMPANY",
    "MetricsPartial",
    "MetricsRun",
    "QuarterSetup",
    "compute_quarter",
    "derive_first_value_dates",
    "prepare_quarter",
    "quarter_chunk",
    "quarter_window",
    "scope_names",
    "write_quarter",
]

logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000


def quarter_window(quarter: FiscalQuarter, today: date | None = None) -> formulas.QuarterWindow:
    today = today or timezone.localdate()
    return formulas.QuarterWindow(
        quarter.label, quarter.start, quarter.end, min(quarter.end, today), observed_on=today
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
    # What the caller timed, by part (a run's: `orchestration.runs.compute_metrics`).
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class QuarterSetup:
    """What every chunk of a quarter reads once; `prepare_quarter` rebuilds it anywhere
    from the quarter and the day."""

    quarter: FiscalQuarter
    today: date
    window: formulas.QuarterWindow
    running: bool  # the quarter has not ended: its end ARR is today's
    segment_code: dict[int, str]
    thresholds: list[SegmentThreshold]
    defaults: dict[str, Decimal | None]  # metric key -> its default target
    by_segment: dict[tuple[str, str], Decimal]  # (metric key, segment code) -> target
    # segment code (or None) -> the metrics an account in it counts in, and their targets
    per_segment: dict[str | None, tuple] = field(default_factory=dict)

    def for_segment(self, segment: str | None) -> tuple:
        found = self.per_segment.get(segment)
        if found is None:
            targets = {
                key: self.by_segment.get((key, segment), value)
                for key, value in self.defaults.items()
            }
            found = self.per_segment[segment] = (formulas.metrics_for(segment), targets)
        return found


def prepare_quarter(quarter: FiscalQuarter, *, today: date | None = None) -> QuarterSetup:
    today = today or timezone.localdate()
    segments = list(Segment.objects.order_by("position"))
    setup = QuarterSetup(
        quarter=quarter,
        today=today,
        window=quarter_window(quarter, today),
        running=quarter.end >= today,
        segment_code={row.id: row.code for row in segments},
        thresholds=[
            SegmentThreshold(
                row.code, row.min_arr, row.min_arr_inclusive, row.lam_min_arr, row.high_lam_usd
            )
            for row in segments
        ],
        defaults=dict(MetricDefinition.objects.values_list("key", "default_target")),
        by_segment={
            (key, segment): target
            for key, segment, target in MetricTarget.objects.values_list(
                "metric__key", "segment__code", "target"
            )
        },
    )
    # Filled here, so threads sharing the setup only read it.
    for segment in [None, *setup.segment_code.values()]:
        setup.for_segment(segment)
    return setup


def quarter_chunk(
    setup: QuarterSetup,
    first_id: int,
    last_id: int | None,
    into: MetricsPartial | None = None,
) -> MetricsPartial:
    """The partial sums of the accounts with first_id <= id <= last_id (None: no end),
    added into `into` if given (cheaper than merging: a chunk's places are nearly as
    many as its accounts, so a merge costs about what the adding did)."""
    partial = MetricsPartial() if into is None else into
    rows = read_accounts(first_id, last_id)
    if not rows:
        return partial
    related = read_related(first_id, last_id, setup.window, setup.quarter)
    partial.accounts += len(rows)
    _add_accounts(setup, rows, related, partial)
    return partial


def _add_accounts(setup: QuarterSetup, rows, related, partial: MetricsPartial) -> None:
    # The hot loop: one pass per account, its parts added once, into its place's sums.
    window, running = setup.window, setup.running
    segment_code, thresholds, for_segment = setup.segment_code, setup.thresholds, setup.for_segment
    ebrs, attendances, surveys = related.ebrs, related.attendances, related.surveys
    stages, playbooks, license_flags = related.stages, related.playbooks, related.license_flags
    green_days, priorities = related.green_days, related.priorities
    arr_starts, arr_ends, increases = related.arr_start, related.arr_end, related.first_increases
    places, sums, failures = partial.places, partial.sums, partial.failures
    MetricAccount, empty = formulas.MetricAccount, ()
    for row in rows:
        (account_id, tam_id, team_id, region_id, segment_id, override_id, priority,
         customer_since, first_engaged_on, first_value_on, onboarded_on, success_plan,
         success_plan_green_on, management_qualified, arr, lam, lam_confidence) = row  # fmt: skip
        segment = segment_code.get(override_id or segment_id)
        metrics, targets = for_segment(segment)
        try:
            arr_start = arr_starts.get(account_id)
            arr_end = arr_ends.get(account_id)
            if arr_end is None and running:
                arr_end = arr  # the quarter is running: its end is now
            account = MetricAccount(
                account_id=account_id,
                segment=segment,
                priority=priorities.get(account_id, priority),
                customer_since=customer_since,
                first_engaged_on=first_engaged_on,
                first_value_on=first_value_on,
                onboarded_on=onboarded_on,
                success_plan=success_plan,
                success_plan_green_on=success_plan_green_on,
                management_qualified=management_qualified,
                ebr_dates=tuple(ebrs.get(account_id, empty)),
                attendances=tuple(attendances.get(account_id, empty)),
                surveys=tuple(surveys.get(account_id, empty)),
                stages=tuple(stages.get(account_id, empty)),
                playbooks=tuple(playbooks.get(account_id, empty)),
                license_flags=tuple(license_flags.get(account_id, empty)),
                green_health_days=tuple(green_days.get(account_id, empty)),
                arr_start=arr_start,
                arr_end=arr_end,
                first_arr_increase_on=increases.get(account_id),
            )
            if arr_start is not None:
                # The segment its start ARR put it in, its admin pin winning.
                account.segment_at_start = (
                    segment_code.get(override_id)
                    if override_id
                    else assign_segment(arr_start, lam, lam_confidence, thresholds)
                )
            parts = list(formulas.contributions(account, window, targets, metrics))
        except Exception as error:  # this account's alone: see the module docstring
            logger.warning("metrics: account %s failed", account_id, exc_info=error)
            failures.append(account_failure(account_id, METRICS, error))
            continue
        place = (tam_id, team_id, region_id, segment)
        places.add(place)
        start = account.segment_at_start or segment
        # ARR metrics count in the segment the quarter started in (churn shows).
        start_place = place if start == segment else (tam_id, team_id, region_id, start)
        for metric, part in parts:
            if metric.by_start_segment:
                where = start_place
                places.add(start_place)
            else:
                where = place
            by_place = sums.get(metric.key)
            if by_place is None:
                by_place = sums[metric.key] = {}
            accumulator = by_place.get(where)
            if accumulator is None:
                accumulator = by_place[where] = formulas.Accumulator()
            accumulator.add(part, metric.kind)


def write_quarter(setup: QuarterSetup, partial: MetricsPartial) -> MetricsRun:
    """Finish the merged sums into results and write them where they changed."""
    run = MetricsRun(setup.quarter.label, accounts=partial.accounts, failures=partial.failures)
    write_results(setup.quarter, partial, setup.defaults, setup.by_segment, run)
    return run


class ChunkSums:
    """The quarter's sums gathered chunk by chunk, by `compute_quarter` and by the run's
    conductor (`orchestration.runs.compute_metrics`, whose helpers' chunks come back as
    partials): one partial per thread that adds chunks here (a chunk adds straight into
    its thread's: merging a partial per chunk costs about what adding did, as a chunk's
    places are nearly as many as its accounts), a chunk added at most once per thread (a
    chunk retried after a transient error while it is recorded is not counted twice),
    and the failures listed in chunk order, so in account id order. A helper's chunk is
    merged in as it comes back, so what is held grows with the places, not with the
    number of chunks (issue 14: memory flat in the number of accounts)."""

    def __init__(self, setup: QuarterSetup, ranges: list[tuple[int, int | None]]):
        self.setup = setup
        self._number = {first: number for number, (first, _) in enumerate(ranges)}
        self._by_thread: dict[int, tuple[MetricsPartial, set[int]]] = {}
        self._from_elsewhere = MetricsPartial()
        self._failures: dict[int, list[dict]] = {}  # by chunk number

    def add_chunk(self, first_id: int, last_id: int | None) -> None:
        partial, added = self._by_thread.setdefault(
            threading.get_ident(), (MetricsPartial(), set())
        )
        if first_id not in added:
            quarter_chunk(self.setup, first_id, last_id, into=partial)
            self._failures[self._number[first_id]], partial.failures = partial.failures, []
            added.add(first_id)

    def add_partial(self, number: int, partial: MetricsPartial) -> None:
        """Chunk `number`'s sums, added elsewhere (a helper worker)."""
        self._failures[number], partial.failures = partial.failures, []
        self._from_elsewhere.merge(partial)

    def total(self) -> MetricsPartial:
        partials = [partial for partial, _ in self._by_thread.values()] + [self._from_elsewhere]
        total = merged(partials)
        total.failures = [
            failure for number in sorted(self._failures) for failure in self._failures[number]
        ]
        return total


def compute_quarter(
    quarter: FiscalQuarter,
    *,
    today: date | None = None,
    chunk_size: int = CHUNK_SIZE,
    workers: int = 1,
) -> MetricsRun:
    """Every metric for every scope in `quarter`, written where it changed: the id ranges
    on `workers` threads (each with its own connection), summed by `ChunkSums`, then
    written."""
    setup = prepare_quarter(quarter, today=today)
    ranges = id_ranges(Account.objects.all(), chunk_size)
    sums = ChunkSums(setup, ranges)
    for_each_range(ranges, sums.add_chunk, workers=workers)
    return write_quarter(setup, sums.total())


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
