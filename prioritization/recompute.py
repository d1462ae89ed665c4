"""Recompute segments, priorities and metrics for every account (DESIGN sections 3-5, 8).

One service for the nightly beat schedule, `manage.py recompute` and the on-demand runs
after an import or a threshold change. The rules are pure (`segments/assign.py`,
`prioritization/rules.py`); this module feeds them plain facts read in chunks and writes
back only what changed.

A run makes two passes over the accounts, in chunks of `CHUNK_SIZE` ordered by id:
1. segments: assign each account's segment and feed the two rankings that need the
   whole population: the commercial top-N by ARR per region
   (among TAM-assigned accounts) and the EMEA per-TAM top-N by parameter score. Both keep
   only their top N, so memory does not grow with the number of accounts.
2. priorities: decide every account's priority with those rankings, write the accounts
   whose segment or priority changed (one UPDATE per chunk for both), and upsert the
   quarter's PriorityAssessment.

Each chunk is read with a fixed number of queries and written inside its own
transaction, so a run that stops half-way leaves every account either fully updated or
untouched; the next run finishes the job (runs are idempotent). A chunk that meets a
transient database error (deadlock, dropped connection) is retried. Runs never overlap:
PostgreSQL holds a session advisory lock for the run, which the server releases if the
worker dies; SQLite, the embedded single-process default, checks for a running run.

Then the run fills first-value dates nobody entered from licence use and computes the
quarter's lifecycle metrics (`metrics/compute.py`).

A fiscal quarter is frozen once it has ended: a run dated in a past quarter only adds
assessments that are missing for it, and changes neither them nor the accounts.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import (
    Account,
    Initiative,
    InitiativeStatus,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Region,
    StageAdoption,
)
from lib.fiscal import FiscalQuarter, fiscal_quarter_of
from metrics.compute import compute_quarter, derive_first_value_dates
from segments.assign import SegmentThreshold, assign_segment
from segments.models import Segment
from tam_portal.bulk import copy_lines, for_each_range, id_ranges, insert_rows, update_rows

from . import rules
from .models import (
    PriorityAssessment,
    PriorityException,
    PriorityReview,
    RecomputeRun,
    ReviewStatus,
    RuleSetParameters,
    RunStatus,
)

logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000
ADVISORY_LOCK_KEY = 7_346_110_301  # any constant; names this job's lock in pg_locks
STALE_RUN_AFTER = timedelta(hours=2)
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
RETRIES = 3
SMALL_SELECTION = 200  # fewer accounts than this are a selection, not a chunk

ACCOUNT_COLUMNS = (
    "id", "region_id", "tam_id", "parent_id", "managed", "digital", "arr", "lam",
    "lam_confidence", "customer_since", "onboarded_on", "at_risk", "in_triage", "last_nps",
    "success_plan", "critical_project", "key_logo", "channel_engaged", "org_change",
    "weekly_engagement", "tam_handover", "licensed_users", "active_users", "segment_id",
    "segment_override_id", "priority", "priority_reasons",
)  # fmt: skip
# What the segment pass reads for every account; EMEA accounts are then read whole.
RANKING_COLUMNS = (
    "id", "region_id", "tam_id", "arr", "lam", "lam_confidence", "segment_id",
    "segment_override_id",
)  # fmt: skip


# --- configuration: the admin-editable tables, as plain data ---------------------------


@dataclass(frozen=True)
class RegionRules:
    rule_set: str
    digital_tam_trial: bool
    parameters: rules.RuleParameters


@dataclass
class Configuration:
    thresholds: list[SegmentThreshold]
    segment_id_of: dict[str, int]
    segment_code_of: dict[int, str]
    tam_assigned_codes: set[str]
    regions: dict[int, RegionRules]

    def effective_segment(self, computed: str | None, override_id: int | None) -> str | None:
        return self.segment_code_of.get(override_id) if override_id else computed


def rule_parameters_from(model: RuleSetParameters) -> rules.RuleParameters:
    return rules.RuleParameters(
        **{item.name: getattr(model, item.name) for item in fields(rules.RuleParameters)}
    )


def threshold_from(segment: Segment) -> SegmentThreshold:
    return SegmentThreshold(
        code=segment.code,
        min_arr=segment.min_arr,
        min_arr_inclusive=segment.min_arr_inclusive,
        lam_min_arr=segment.lam_min_arr,
        high_lam_usd=segment.high_lam_usd,
        tam_assigned=segment.tam_assigned,
    )


def load_configuration(
    *, segment: Segment | None = None, parameters: RuleSetParameters | None = None
) -> Configuration:
    """The stored tables, with `segment` or `parameters` (unsaved edits) in place of theirs."""
    segments = {row.pk or "new": row for row in Segment.objects.all()}
    if segment is not None:
        segments[segment.pk or "new"] = segment
    ordered = sorted(segments.values(), key=lambda row: row.position)
    stored_parameters = {row.region_id: row for row in RuleSetParameters.objects.all()}
    if parameters is not None:
        stored_parameters[parameters.region_id] = parameters
    regions = {}
    for region in Region.objects.all():
        row = stored_parameters.get(region.pk)
        regions[region.pk] = RegionRules(
            rule_set=region.rule_set,
            digital_tam_trial=region.digital_tam_trial,
            parameters=rule_parameters_from(row) if row else rules.RuleParameters(),
        )
    return Configuration(
        thresholds=[threshold_from(row) for row in ordered],
        segment_id_of={row.code: row.pk for row in ordered if row.pk},
        segment_code_of={row.pk: row.code for row in ordered if row.pk},
        tam_assigned_codes={row.code for row in ordered if row.tam_assigned},
        regions=regions,
    )


# --- reading chunks ----------------------------------------------------------------------


@dataclass
class RelatedFacts:
    """What the rules need from the tables around the accounts of one chunk."""

    uptier_dates: dict[int, list[date]] = field(default_factory=lambda: defaultdict(list))
    growth_dates: dict[int, list[date]] = field(default_factory=lambda: defaultdict(list))
    initiatives: dict[int, list[rules.InitiativeFact]] = field(
        default_factory=lambda: defaultdict(list)
    )
    stage_counts: dict[int, int] = field(default_factory=dict)
    exceptions: dict[int, tuple[int, int | None]] = field(default_factory=dict)
    reviews: dict[int, tuple[int, int | None]] = field(default_factory=dict)


def _in_chunk(rows: list[dict]) -> dict:
    """A filter for the related rows of `rows`: an id range for a chunk of consecutive
    accounts (cheap on the account_id index), the ids themselves for a handful."""
    if len(rows) <= SMALL_SELECTION:
        return {"account_id__any": [row["id"] for row in rows]}
    return {"account_id__gte": rows[0]["id"], "account_id__lte": rows[-1]["id"]}


def load_related(rows: list[dict], quarter: FiscalQuarter, as_of: date) -> RelatedFacts:
    related = RelatedFacts()
    span = _in_chunk(rows)
    opportunities = Opportunity.objects.filter(
        **span, status=OpportunityStatus.OPEN, close_date__gt=as_of
    ).values_list("account_id", "kind", "close_date")
    for account_id, kind, close_date in opportunities:
        target = related.uptier_dates if kind == OpportunityKind.TIER_UPGRADE else None
        (target if target is not None else related.growth_dates)[account_id].append(close_date)
    initiatives = Initiative.objects.filter(
        **span, status=InitiativeStatus.ACTIVE, starts_on__lte=quarter.end
    ).values_list("account_id", "kind", "tam_hours_per_week", "starts_on", "ends_on")
    for account_id, kind, hours, starts_on, ends_on in initiatives:
        related.initiatives[account_id].append(
            rules.InitiativeFact(kind, hours, starts_on, ends_on)
        )
    related.stage_counts = dict(
        StageAdoption.objects.filter(**span)
        .values("account_id")
        .annotate(stages=Count("id"))
        .values_list("account_id", "stages")
    )
    # Latest approval wins when several exceptions are in force.
    for account_id, priority, reviewer in (
        PriorityException.objects.filter(
            **span, status=ReviewStatus.APPROVED, expires_on__gte=as_of
        )
        .order_by("reviewed_at", "id")
        .values_list("account_id", "requested_priority", "reviewed_by_id")
    ):
        related.exceptions[account_id] = (priority, reviewer)
    related.reviews = {
        account_id: (priority, decider)
        for account_id, priority, decider in PriorityReview.objects.filter(
            **span, status=ReviewStatus.APPROVED, fiscal_quarter=quarter.label
        ).values_list("account_id", "decided_priority", "decided_by_id")
    }
    return related


def account_facts(
    row: dict, segment: str | None, config: Configuration, related: RelatedFacts
) -> rules.AccountFacts:
    account_id = row["id"]
    region = config.regions[row["region_id"]]
    exception = related.exceptions.get(account_id)
    review = related.reviews.get(account_id)
    return rules.AccountFacts(
        account_id=account_id,
        rule_set=region.rule_set,
        segment=segment,
        tam_assigned=segment in config.tam_assigned_codes,
        tam_id=row["tam_id"],
        digital_tam_trial=region.digital_tam_trial,
        is_child=row["parent_id"] is not None,
        managed=row["managed"],
        digital=row["digital"],
        customer_since=row["customer_since"],
        onboarded_on=row["onboarded_on"],
        arr=row["arr"],
        lam=row["lam"],
        lam_confidence=row["lam_confidence"],
        at_risk=row["at_risk"],
        in_triage=row["in_triage"],
        last_nps=row["last_nps"],
        success_plan=row["success_plan"],
        critical_project=row["critical_project"],
        key_logo=row["key_logo"],
        channel_engaged=row["channel_engaged"],
        org_change=row["org_change"],
        weekly_engagement=row["weekly_engagement"],
        tam_handover=row["tam_handover"],
        licensed_users=row["licensed_users"],
        active_users=row["active_users"],
        stages_adopted=related.stage_counts.get(account_id, 0),
        uptier_close_dates=tuple(related.uptier_dates.get(account_id, ())),
        growth_close_dates=tuple(related.growth_dates.get(account_id, ())),
        initiatives=tuple(related.initiatives.get(account_id, ())),
        exception_priority=exception[0] if exception else None,
        review_priority=review[0] if review else None,
    )


def portfolio_context(as_of: date, **rankings) -> rules.PortfolioContext:
    quarter = fiscal_quarter_of(as_of, settings.FISCAL_YEAR_START_MONTH)
    return rules.PortfolioContext(
        as_of=as_of,
        quarter_label=quarter.label,
        quarter_start=quarter.start,
        quarter_end=quarter.end,
        **rankings,
    )


# --- the two passes ----------------------------------------------------------------------


@dataclass
class PassResult:
    accounts: int = 0
    segments_changed: int = 0
    priorities_changed: int = 0
    assessments_created: int = 0
    assessments_updated: int = 0
    segment_moves: Counter = field(default_factory=Counter)
    priority_moves: Counter = field(default_factory=Counter)
    chunks: int = 0
    max_queries_per_chunk: int = 0
    details: dict = field(default_factory=dict)

    def add(self, part: PassResult) -> None:
        """Fold one chunk's counts into the run's."""
        for name in (
            "accounts", "segments_changed", "priorities_changed", "assessments_created",
            "assessments_updated",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(part, name))
        self.segment_moves.update(part.segment_moves)
        self.priority_moves.update(part.priority_moves)


def _with_retries(work: Callable[[], None]) -> None:
    for attempt in range(1, RETRIES + 1):
        try:
            with transaction.atomic():
                work()
            return
        except TRANSIENT_ERRORS:
            if attempt == RETRIES or connection.in_atomic_block:
                raise
            logger.warning("recompute chunk failed (attempt %s), retrying", attempt, exc_info=True)
            connection.close_if_unusable_or_obsolete()
            time.sleep(0.5 * attempt)


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class Recomputation:
    """The passes of one run; `write=False` computes the same moves without writing.

    Chunks go to `workers` threads, each with its own database connection: while one
    thread's chunk waits on PostgreSQL (psycopg2 lets go of the GIL), another computes,
    so the rules and the database work at the same time. Each chunk fills a `PassResult`
    of its own and merges it under a lock; the rankings only ever take a chunk's top
    entries, so the order in which chunks finish changes nothing.
    """

    def __init__(
        self, config: Configuration, as_of: date, *, write: bool, chunk_size: int, workers=1
    ):
        self.config = config
        self.as_of = as_of
        self.quarter = fiscal_quarter_of(as_of, settings.FISCAL_YEAR_START_MONTH)
        self.frozen = self.quarter.end < timezone.localdate()
        self.write = write
        self.chunk_size = chunk_size
        self.workers = workers
        self.result = PassResult()
        self.top_arr = rules.TopArrRanking()
        self.emea = rules.EmeaRanking()
        self.decisions: dict[int, rules.Decision] = {}
        self.keep_decisions = False  # a full run would hold one per account
        self._merging = threading.Lock()

    def run(self) -> PassResult:
        context = self._segment_pass()
        self._priority_pass(context)
        return self.result

    def _chunks(self, handle: Callable[[list[dict]], None], accounts, columns) -> None:
        def chunk(first: int, last: int | None) -> None:
            span = {"id__gte": first} if last is None else {"id__range": (first, last)}
            rows = list(accounts.filter(**span).order_by("id").values(*columns))
            counter = _QueryCounter()
            with connection.execute_wrapper(counter):
                _with_retries(lambda: handle(rows))
            with self._merging:
                self.result.chunks += 1
                self.result.max_queries_per_chunk = max(
                    self.result.max_queries_per_chunk, counter.count
                )

        for_each_range(id_ranges(accounts, self.chunk_size), chunk, workers=self.workers)

    def _merge(self, part: PassResult) -> None:
        with self._merging:
            self.result.add(part)

    # pass 1 -----------------------------------------------------------------------------

    def _segment_pass(self) -> rules.PortfolioContext:
        """Only the regions whose rules rank accounts against each other need this pass."""
        ranked_regions = [
            region_id
            for region_id, region in self.config.regions.items()
            if region.rule_set in (rules.COMMERCIAL, rules.EMEA_ENTERPRISE)
        ]
        if ranked_regions:
            self._chunks(
                self._rank_chunk,
                Account.objects.filter(region_id__any=ranked_regions),
                RANKING_COLUMNS,
            )
        return portfolio_context(
            self.as_of, arr_ranks=self.top_arr.ranks(), emea_pr1_ids=self.emea.pr1_ids()
        )

    def _computed_segment(self, row: dict) -> str | None:
        return assign_segment(row["arr"], row["lam"], row["lam_confidence"], self.config.thresholds)

    def _rank_chunk(self, rows: list[dict]) -> None:
        """Feed the chunk's accounts to the commercial and EMEA rankings."""
        commercial, emea_rows = [], []
        for row in rows:
            effective = self.config.effective_segment(
                self._computed_segment(row), row["segment_override_id"]
            )
            region = self.config.regions[row["region_id"]]
            if region.rule_set == rules.COMMERCIAL and effective in self.config.tam_assigned_codes:
                commercial.append(
                    (row["id"], row["region_id"], row["arr"], region.parameters.top_arr_rank)
                )
            elif region.rule_set == rules.EMEA_ENTERPRISE:
                emea_rows.append((row, effective))
        scored = self._emea_scores(emea_rows)
        with self._merging:
            for entry in commercial:
                self.top_arr.add(*entry)
            for entry in scored:
                self.emea.add(*entry)

    def _emea_scores(self, emea_rows: list) -> list[tuple]:
        if not emea_rows:
            return []
        if "managed" not in emea_rows[0][0]:  # read with RANKING_COLUMNS: read them whole
            whole = {
                row["id"]: row
                for row in Account.objects.filter(
                    id__any=[row["id"] for row, _ in emea_rows]
                ).values(*ACCOUNT_COLUMNS)
            }
            emea_rows = [(whole[row["id"]], effective) for row, effective in emea_rows]
        rows = [row for row, _ in emea_rows]
        related = load_related(rows, self.quarter, self.as_of)
        context = portfolio_context(self.as_of)
        scored = []
        for row, effective in emea_rows:
            facts = account_facts(row, effective, self.config, related)
            if rules.reaches_rule_set(facts):
                params = self.config.regions[row["region_id"]].parameters
                score = rules.emea_score(facts, params, context)
                scored.append((row["id"], row["tam_id"], score, row["arr"], params.pr1_cap_per_tam))
        return scored

    # pass 2 -----------------------------------------------------------------------------

    def _priority_pass(self, context: rules.PortfolioContext) -> None:
        self.context = context
        self._chunks(self._priority_chunk, Account.objects.all(), ACCOUNT_COLUMNS)

    def _priority_chunk(self, rows: list[dict]) -> None:
        related = load_related(rows, self.quarter, self.as_of)
        part = PassResult(accounts=len(rows))
        decisions = {}
        account_updates = []
        count_moves = not self.write  # only the impact preview reports moves
        for row in rows:
            # Assigned again rather than remembered from pass 1: cheaper than holding a
            # segment per account in memory.
            computed = self._computed_segment(row)
            segment_id = self.config.segment_id_of.get(computed) if computed else None
            effective = self.config.effective_segment(computed, row["segment_override_id"])
            facts = account_facts(row, effective, self.config, related)
            region = self.config.regions[row["region_id"]]
            decision = rules.decide(facts, region.parameters, self.context)
            reasons = decision.reasons_text
            decisions[row["id"]] = (decision, reasons, self._decider(decision, row["id"], related))
            if count_moves:
                before = self.config.effective_segment(
                    self.config.segment_code_of.get(row["segment_id"]), row["segment_override_id"]
                )
                part.segment_moves[(before, effective)] += 1
                part.priority_moves[(row["priority"], decision.priority)] += 1
            self._count_changes(row, segment_id, decision.priority, reasons, account_updates, part)
        if self.write:
            if not self.frozen:
                # One UPDATE per changed account, segment and priority together.
                update_rows(Account, ["segment", "priority", "priority_reasons"], account_updates)
            self._write_assessments(rows, decisions, part)
        self._merge(part)
        if self.keep_decisions:
            with self._merging:
                self.decisions.update((key, value[0]) for key, value in decisions.items())

    @staticmethod
    def _count_changes(row, segment_id, priority, reasons, account_updates, part) -> None:
        segment_changed = segment_id != row["segment_id"]
        priority_changed = (row["priority"], row["priority_reasons"]) != (priority, reasons)
        part.segments_changed += segment_changed
        part.priorities_changed += priority_changed
        if segment_changed or priority_changed:
            account_updates.append((row["id"], segment_id, priority, reasons))

    @staticmethod
    def _decider(decision: rules.Decision, account_id: int, related: RelatedFacts) -> int | None:
        if decision.source == "exception":
            return related.exceptions[account_id][1]
        if decision.source == "review":
            return related.reviews[account_id][1]
        return None

    def _write_assessments(self, rows: list[dict], decisions: dict, part: PassResult) -> None:
        existing = {
            values[0]: values[1:]
            for values in PriorityAssessment.objects.filter(
                **_in_chunk(rows), fiscal_quarter=self.quarter.label
            ).values_list(
                "account_id", "id", "computed_priority", "reasons", "effective_priority",
                "source", "decided_by_id",
            )
        }  # fmt: skip
        to_create, to_update = [], []
        now = timezone.now()
        for account_id, (decision, reasons, decider) in decisions.items():
            wanted = (
                decision.computed_priority,
                reasons,
                decision.priority,
                decision.source,
                decider,
            )
            current = existing.get(account_id)
            if current is None:
                to_create.append((account_id, *wanted))
            elif not self.frozen and tuple(current[1:]) != wanted:
                to_update.append((current[0], *wanted, now))
        _insert_assessments(to_create, self.quarter.label, now)
        update_rows(
            PriorityAssessment,
            ["computed_priority", "reasons", "effective_priority", "source", "decided_by",
             "updated_at"],
            to_update,
        )  # fmt: skip
        part.assessments_created += len(to_create)
        part.assessments_updated += len(to_update)

    # a few accounts -----------------------------------------------------------------

    def run_for(self, account_ids: list[int]) -> dict[int, rules.Decision]:
        """Segments and priorities of a few accounts, ranked against their populations.

        Used after an exception or review decision, so the account shows its new priority
        at once instead of after the nightly run.
        """
        rows = list(
            Account.objects.filter(id__any=account_ids).order_by("id").values(*ACCOUNT_COLUMNS)
        )
        if not rows:
            return {}
        self.keep_decisions = True
        self.context = portfolio_context(
            self.as_of,
            arr_ranks=self._commercial_ranks(rows),
            emea_pr1_ids=self._emea_books(rows),
        )
        _with_retries(lambda: self._priority_chunk(rows))
        return self.decisions

    def _commercial_ranks(self, rows: list[dict]) -> dict[int, int]:
        """Rank among the region's TAM-assigned accounts, by ARR then older account first."""
        ranks = {}
        tam_assigned = Q(segment_override__tam_assigned=True) | Q(
            segment_override__isnull=True, segment__tam_assigned=True
        )
        for row in rows:
            region = self.config.regions[row["region_id"]]
            if region.rule_set != rules.COMMERCIAL or row["arr"] is None:
                continue
            above = Account.objects.filter(tam_assigned, region_id=row["region_id"]).filter(
                Q(arr__gt=row["arr"]) | Q(arr=row["arr"], id__lt=row["id"])
            )
            ranks[row["id"]] = above.count() + 1
        return ranks

    def _emea_books(self, rows: list[dict]) -> frozenset[int]:
        """The EMEA ranking, run over the whole book of every TAM among `rows`."""
        tams = {
            row["tam_id"]
            for row in rows
            if self.config.regions[row["region_id"]].rule_set == rules.EMEA_ENTERPRISE
        }
        if not tams:
            return frozenset()
        self.emea = rules.EmeaRanking()  # the books below include `rows` themselves
        emea_regions = [
            pk for pk, region in self.config.regions.items()
            if region.rule_set == rules.EMEA_ENTERPRISE
        ]  # fmt: skip
        books = Account.objects.filter(region_id__in=emea_regions)
        book_filter = Q(tam_id__in=[tam for tam in tams if tam is not None])
        if None in tams:
            book_filter |= Q(tam_id__isnull=True)
        for chunk_rows in _chunked(
            list(books.filter(book_filter).order_by("id").values(*ACCOUNT_COLUMNS))
        ):
            self._rank_chunk(chunk_rows)
        return self.emea.pr1_ids()

    def explain_for(self, account_id: int) -> rules.Assessment | None:
        """Every rule evaluated for one account, with the facts it looked at: the same
        facts and rankings the nightly run uses, read now."""
        rows = list(Account.objects.filter(id=account_id).values(*ACCOUNT_COLUMNS))
        if not rows:
            return None
        row = rows[0]
        context = portfolio_context(
            self.as_of,
            arr_ranks=self._commercial_ranks(rows),
            emea_pr1_ids=self._emea_books(rows),
        )
        effective = self.config.effective_segment(
            self._computed_segment(row), row["segment_override_id"]
        )
        related = load_related(rows, self.quarter, self.as_of)
        facts = account_facts(row, effective, self.config, related)
        return rules.assess(facts, self.config.regions[row["region_id"]].parameters, context)


def explain_account(account_id: int, *, as_of: date | None = None) -> rules.Assessment | None:
    recomputation = Recomputation(
        load_configuration(), as_of or timezone.localdate(), write=False, chunk_size=CHUNK_SIZE
    )
    return recomputation.explain_for(account_id)


def _chunked(rows: list[dict], size: int = CHUNK_SIZE) -> Iterator[list[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def recompute_accounts(account_ids: list[int], *, as_of: date | None = None) -> dict:
    """Bring a few accounts' segment, priority and assessment up to date now."""
    recomputation = Recomputation(
        load_configuration(), as_of or timezone.localdate(), write=True, chunk_size=CHUNK_SIZE
    )
    return recomputation.run_for(account_ids)


def _insert_assessments(rows: list[tuple], quarter: str, now) -> None:
    """New assessments, `(account_id, computed, reasons, effective, source, decider)` each.

    On PostgreSQL each row is one f-string of COPY text: every value is a number, a
    quarter label or a word from the rules' fixed vocabulary, so nothing needs escaping,
    and a first run writes one row per account.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        insert_rows(
            PriorityAssessment,
            [
                {
                    "account_id": account_id,
                    "fiscal_quarter": quarter,
                    "computed_priority": computed,
                    "reasons": reasons,
                    "effective_priority": effective,
                    "source": source,
                    "decided_by_id": decider,
                    "updated_at": now,
                }
                for account_id, computed, reasons, effective, source, decider in rows
            ],
        )
        return
    stamp = now.isoformat()
    copy_null = "\\N"  # f-strings on Python 3.11 take no backslash in an expression
    copy_lines(
        PriorityAssessment,
        ["account_id", "fiscal_quarter", "computed_priority", "reasons", "effective_priority",
         "source", "decided_by_id", "updated_at"],
        (
            f"{account_id}\t{quarter}\t{computed}\t{reasons}\t{effective}\t{source}\t"
            f"{copy_null if decider is None else decider}\t{stamp}\n"
            for account_id, computed, reasons, effective, source, decider in rows
        ),
    )  # fmt: skip


# --- runs: one at a time, each recorded ---------------------------------------------------

_process_lock = threading.Lock()


@contextmanager
def _exclusive_run() -> Iterator[bool]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
            acquired = cursor.fetchone()[0]
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
        return
    acquired = _process_lock.acquire(blocking=False)
    try:
        running_elsewhere = RecomputeRun.objects.filter(
            status=RunStatus.RUNNING, started_at__gte=timezone.now() - STALE_RUN_AFTER
        ).exists()
        yield acquired and not running_elsewhere
    finally:
        if acquired:
            _process_lock.release()


def _abandon_leftover_runs() -> None:
    """Runs still marked running while we hold the lock belong to workers that died."""
    leftovers = RecomputeRun.objects.filter(status=RunStatus.RUNNING)
    if connection.vendor != "postgresql":
        leftovers = leftovers.filter(started_at__lt=timezone.now() - STALE_RUN_AFTER)
    leftovers.update(
        status=RunStatus.ABANDONED,
        finished_at=timezone.now(),
        error="The worker stopped before the run finished.",
    )


def recompute(
    *, as_of: date | None = None, trigger: str = "manual", chunk_size: int = CHUNK_SIZE
) -> RecomputeRun:
    """Recompute segments and priorities as of `as_of` (default today); returns the run."""
    as_of = as_of or timezone.localdate()
    with _exclusive_run() as acquired:
        if not acquired:
            return RecomputeRun.objects.create(
                trigger=trigger,
                as_of=as_of,
                status=RunStatus.SKIPPED,
                finished_at=timezone.now(),
            )
        _abandon_leftover_runs()
        run = RecomputeRun.objects.create(trigger=trigger, as_of=as_of)
        try:
            started = time.monotonic()
            derived = derive_first_value_dates()
            result = Recomputation(
                load_configuration(),
                as_of,
                write=True,
                chunk_size=chunk_size,
                workers=settings.RECOMPUTE_WORKERS,
            ).run()
            priorities_done = time.monotonic()
            quarter = fiscal_quarter_of(as_of, settings.FISCAL_YEAR_START_MONTH)
            metrics = compute_quarter(quarter, today=as_of, chunk_size=chunk_size)
            metrics_done = time.monotonic()
        except Exception:
            _finish(run, RunStatus.FAILED, error=traceback.format_exc())
            raise
        result.details = {
            "segments_and_priorities_seconds": round(priorities_done - started, 1),
            "metrics_seconds": round(metrics_done - priorities_done, 1),
            "first_value_dates_derived": derived,
            "metrics_quarter": metrics.quarter,
            "metric_results_created": metrics.results_created,
            "metric_results_updated": metrics.results_updated,
            "metric_results_deleted": metrics.results_deleted,
        }
        _finish(run, RunStatus.SUCCEEDED, result=result)
        return run


def _finish(run: RecomputeRun, status: str, *, result: PassResult | None = None, error=""):
    run.status = status
    run.finished_at = timezone.now()
    run.error = error
    if result is not None:
        run.accounts = result.accounts
        run.segments_changed = result.segments_changed
        run.priorities_changed = result.priorities_changed
        run.assessments_created = result.assessments_created
        run.assessments_updated = result.assessments_updated
        run.details = {
            "chunks": result.chunks,
            "max_queries_per_chunk": result.max_queries_per_chunk,
            **result.details,
        }
    run.save()


# --- impact preview ----------------------------------------------------------------------


@dataclass
class Impact:
    accounts: int
    segment_moves: list[tuple[str | None, str | None, int]]
    priority_moves: list[tuple[int | None, int, int]]
    last_run: RecomputeRun | None

    @property
    def segments_moving(self) -> int:
        return sum(count for _, _, count in self.segment_moves)

    @property
    def priorities_moving(self) -> int:
        return sum(count for _, _, count in self.priority_moves)


def preview_impact(
    *,
    segment: Segment | None = None,
    parameters: RuleSetParameters | None = None,
    as_of: date | None = None,
) -> Impact:
    """What saving an edited segment or rule-parameter row would move, without writing.

    Compared with what the accounts show now (the last recompute), so moves include any
    fact that changed since then as well as the edit itself.
    """
    config = load_configuration(segment=segment, parameters=parameters)
    result = Recomputation(
        config,
        as_of or timezone.localdate(),
        write=False,
        chunk_size=CHUNK_SIZE,
        workers=settings.RECOMPUTE_WORKERS,
    ).run()
    return Impact(
        accounts=result.accounts,
        segment_moves=_moves(result.segment_moves),
        priority_moves=_moves(result.priority_moves),
        last_run=RecomputeRun.objects.filter(status=RunStatus.SUCCEEDED).first(),
    )


def _moves(counter: Counter) -> list[tuple]:
    moves = [(before, after, count) for (before, after), count in counter.items()]
    return sorted(
        (move for move in moves if move[0] != move[1]),
        key=lambda move: (-move[2], str(move[0]), str(move[1])),
    )
