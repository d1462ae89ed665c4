"""The two passes of a recompute over every account, in chunks (DESIGN 3, 4 and 8).

1. rank: assign each account of a ranked region its segment and feed the two rankings
   that need the whole population: the commercial top-N by ARR per region (among
   TAM-assigned accounts) and the EMEA per-TAM top-N by parameter score. Both keep only
   their top N, so memory does not grow with the number of accounts.
2. decide: every account's segment and priority with those rankings; with `write`, the
   accounts whose segment or priority changed and the quarter's assessments.

Everything a pass needs is passed in (`Plan`, the rankings' `PortfolioContext`) and
everything it finds comes back (`PassResult`): no phase leaves state behind for the next.
Chunks go to `plan.workers` threads, each with its own database connection: while one
thread's chunk waits on PostgreSQL (psycopg2 lets go of the GIL) another computes.
Results are merged under a lock; the rankings keep only each chunk's top entries, so the
order in which chunks finish changes nothing.

The one retry layer of the recompute is here: a chunk that meets a transient database
error (`TRANSIENT_ERRORS`: a deadlock, a dropped connection) is rolled back and retried
on a fresh connection; any other error in a chunk's reads or writes ends the run. An
error in one account's pure rules (its segment, its facts, its priority) is that
account's alone (issue 11): the account is left out whole, recorded in the result's
`failures` (`lib.failures`), and every other account of the chunk is decided and written.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Account
from core.bulk import for_each_range, id_ranges
from health.selectors import scorecards
from lib.failures import PRIORITIES, SEGMENTS, account_failure
from lib.fiscal import FiscalQuarter, fiscal_quarter_of
from lib.rule_sets import RuleSet
from prioritization import rules
from segments.assign import assign_segment

from .configuration import Configuration
from .health_step import compute_health
from .models import FAILURES_KEPT
from .reading import (
    ACCOUNT_COLUMNS,
    RANKING_COLUMNS,
    RelatedFacts,
    account_facts,
    load_related,
    portfolio_context,
)
from .writing import Decisions, write_accounts, write_assessments

logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
RETRIES = 3


@dataclass(frozen=True)
class Plan:
    """What one recompute is asked to do; built once, read by every chunk."""

    config: Configuration
    as_of: date
    write: bool
    chunk_size: int = CHUNK_SIZE
    workers: int = 1
    # Called before every chunk, on the chunk's thread: the run renews its lock here.
    heartbeat: Callable[[], None] | None = None

    @property
    def quarter(self) -> FiscalQuarter:
        return fiscal_quarter_of(self.as_of, settings.FISCAL_YEAR_START_MONTH)

    @property
    def frozen(self) -> bool:
        """A quarter that has ended only gains missing assessments; nothing else moves."""
        return self.quarter.end < timezone.localdate()

    def computed_segment(self, row: dict) -> str | None:
        return assign_segment(row["arr"], row["lam"], row["lam_confidence"], self.config.thresholds)


@dataclass
class PassResult:
    accounts: int = 0
    segments_changed: int = 0
    priorities_changed: int = 0
    assessments_created: int = 0
    assessments_updated: int = 0
    segment_moves: Counter = field(default_factory=Counter)
    priority_moves: Counter = field(default_factory=Counter)
    # The health step (written runs only): accounts whose health, band changed; history
    # rows written; the step's seconds, summed over chunks (threads' time, not wall time).
    health_changed: int = 0
    bands_changed: int = 0
    health_history_written: int = 0
    health_seconds: float = 0.0
    chunks: int = 0
    max_queries_per_chunk: int = 0
    details: dict = field(default_factory=dict)
    # Accounts a rule or a metric failed on: {"account_id", "account", "step", "error"}
    failures: list[dict] = field(default_factory=list)

    def add(self, part: PassResult) -> None:
        """Fold one chunk's counts into the run's."""
        for name in (
            "accounts", "segments_changed", "priorities_changed", "assessments_created",
            "assessments_updated", "health_changed", "bands_changed", "health_history_written",
            "health_seconds",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(part, name))
        self.segment_moves.update(part.segment_moves)
        self.priority_moves.update(part.priority_moves)
        self.chunks += part.chunks
        self.failures.extend(part.failures)
        self.max_queries_per_chunk = max(self.max_queries_per_chunk, part.max_queries_per_chunk)


class Rankings:
    """The two portfolio-wide rankings, fed chunk by chunk from several threads."""

    def __init__(self):
        self.top_arr = rules.TopArrRanking()
        self.emea = rules.EmeaRanking()
        self._lock = threading.Lock()

    def add(self, commercial: list[tuple], emea: list[tuple]) -> None:
        with self._lock:
            for entry in commercial:
                self.top_arr.add(*entry)
            for entry in emea:
                self.emea.add(*entry)

    def context(self, as_of: date) -> rules.PortfolioContext:
        return portfolio_context(
            as_of, arr_ranks=self.top_arr.ranks(), emea_pr1_ids=self.emea.pr1_ids()
        )


def _failed(account_id: int, step: str, error: Exception) -> dict:
    """The account's failure; a transient database error is the chunk's, for its retry."""
    if isinstance(error, TRANSIENT_ERRORS):
        raise error
    logger.warning("recompute: account %s failed at %s", account_id, step, exc_info=error)
    return account_failure(account_id, step, error)


def merge_failures(first: list[dict], then: list[dict]) -> list[dict]:
    """`first`, then the failures of `then` on accounts not already in it. An account is
    listed once, at the first step that failed on it (ranking, deciding, metrics, in the
    run's order): a later step usually fails on it for the same reason."""
    seen = {failure["account_id"] for failure in first}
    return first + [failure for failure in then if failure["account_id"] not in seen]


def name_failures(failures: list[dict]) -> list[dict]:
    """The failures by account id, the first `FAILURES_KEPT` (those a run keeps) with their
    account's name, read in one query."""
    failures = sorted(failures, key=lambda failure: failure["account_id"])
    kept = failures[:FAILURES_KEPT]
    if not kept:
        return failures
    names = dict(
        Account.objects.filter(id__any=[failure["account_id"] for failure in kept]).values_list(
            "id", "name"
        )
    )
    for failure in kept:
        failure["account"] = names.get(failure["account_id"], "")
    return failures


# --- running chunks ------------------------------------------------------------------------


def in_transaction_with_retries(work: Callable[[], None]) -> None:
    """Run `work` in its own transaction, again on a transient error (up to RETRIES)."""
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


def for_each_chunk(
    plan: Plan, accounts: QuerySet, columns, handle: Callable[[list[dict]], PassResult | None]
) -> PassResult:
    """Call `handle` on every chunk of `accounts` (one transaction each); the chunks'
    results, folded together."""
    total = PassResult()
    merging = threading.Lock()

    def chunk(first: int, last: int | None) -> None:
        if plan.heartbeat is not None:
            plan.heartbeat()  # outside the chunk's transaction, so it commits at once
        span = {"id__gte": first} if last is None else {"id__range": (first, last)}
        rows = list(accounts.filter(**span).order_by("id").values(*columns))
        counter = _QueryCounter()
        outcome: list[PassResult | None] = []  # a retried attempt raised before appending
        with connection.execute_wrapper(counter):
            in_transaction_with_retries(lambda: outcome.append(handle(rows)))
        part = outcome[-1] or PassResult()
        part.chunks, part.max_queries_per_chunk = 1, counter.count
        with merging:
            total.add(part)

    for_each_range(id_ranges(accounts, plan.chunk_size), chunk, workers=plan.workers)
    return total


# --- pass 1: the rankings ------------------------------------------------------------------


def rank_portfolio(plan: Plan) -> tuple[rules.PortfolioContext, PassResult]:
    """The rankings, and the pass's chunk counts. Only the regions whose rules rank
    accounts against each other need this pass."""
    rankings = Rankings()
    ranked_regions = plan.config.regions_following(
        RuleSet.COMMERCIAL
    ) + plan.config.regions_following(RuleSet.EMEA_ENTERPRISE)
    counts = PassResult()

    def rank_chunk(rows: list[dict]) -> PassResult:
        part = PassResult()
        rankings.add(*ranking_entries(plan, rows, part.failures))
        return part

    if ranked_regions:
        counts = for_each_chunk(
            plan, Account.objects.filter(region_id__any=ranked_regions), RANKING_COLUMNS, rank_chunk
        )
    return rankings.context(plan.as_of), counts


def ranking_entries(
    plan: Plan, rows: list[dict], failures: list[dict] | None = None
) -> tuple[list[tuple], list[tuple]]:
    """The chunk's entries for the commercial and the EMEA rankings; an account whose
    segment or score cannot be computed is left out of them and added to `failures`."""
    failures = [] if failures is None else failures
    config = plan.config
    commercial, emea_rows = [], []
    for row in rows:
        try:
            computed = plan.computed_segment(row)
        except Exception as error:  # this account's alone: see the module docstring
            failures.append(_failed(row["id"], SEGMENTS, error))
            continue
        effective = config.effective_segment(computed, row["segment_override_id"])
        region = config.regions[row["region_id"]]
        if region.rule_set == RuleSet.COMMERCIAL and effective in config.tam_assigned_codes:
            commercial.append(
                (row["id"], row["region_id"], row["arr"], region.parameters.top_arr_rank)
            )
        elif region.rule_set == RuleSet.EMEA_ENTERPRISE:
            emea_rows.append((row, effective))
    return commercial, _emea_scores(plan, emea_rows, failures)


def _emea_scores(plan: Plan, emea_rows: list, failures: list[dict]) -> list[tuple]:
    if not emea_rows:
        return []
    if "managed" not in emea_rows[0][0]:  # read with RANKING_COLUMNS: read them whole
        whole = {
            row["id"]: row
            for row in Account.objects.filter(id__any=[row["id"] for row, _ in emea_rows]).values(
                *ACCOUNT_COLUMNS
            )
        }
        emea_rows = [(whole[row["id"]], effective) for row, effective in emea_rows]
    related = load_related([row for row, _ in emea_rows], plan.quarter, plan.as_of)
    context = portfolio_context(plan.as_of)
    scored = []
    for row, effective in emea_rows:
        params = plan.config.regions[row["region_id"]].parameters
        try:
            facts = account_facts(row, effective, plan.config, related)
            if not rules.reaches_rule_set(facts):
                continue
            score = rules.emea_score(facts, params, context)
        except Exception as error:  # this account's alone: see the module docstring
            failures.append(_failed(row["id"], PRIORITIES, error))
            continue
        scored.append((row["id"], row["tam_id"], score, row["arr"], params.pr1_cap_per_tam))
    return scored


# --- pass 2: the decisions -----------------------------------------------------------------


def decide_portfolio(plan: Plan, context: rules.PortfolioContext) -> PassResult:
    return for_each_chunk(
        plan,
        Account.objects.all(),
        ACCOUNT_COLUMNS,
        lambda rows: decide_chunk(plan, rows, context)[0],
    )


def run_passes(plan: Plan) -> PassResult:
    """Both passes over every account: what the nightly run and the preview do."""
    context, ranking_counts = rank_portfolio(plan)
    result = decide_portfolio(plan, context)
    result.failures = merge_failures(ranking_counts.failures, result.failures)
    result.chunks += ranking_counts.chunks
    result.max_queries_per_chunk = max(
        result.max_queries_per_chunk, ranking_counts.max_queries_per_chunk
    )
    return result


def decide_chunk(
    plan: Plan, rows: list[dict], context: rules.PortfolioContext
) -> tuple[PassResult, Decisions]:
    """Decide the accounts of `rows`; with `plan.write`, write what changed."""
    config = plan.config
    related = load_related(rows, plan.quarter, plan.as_of)
    part = PassResult(accounts=len(rows))
    decisions: Decisions = {}
    # account id -> (new priority, effective segment id), for the health step
    decided: dict[int, tuple[int | None, int | None]] = {}
    # account id -> (its row, its columns as decided, whether segment or priority changed)
    account_values: dict[int, tuple[dict, tuple, bool]] = {}
    count_moves = not plan.write  # only the impact preview reports moves
    for row in rows:
        # Assigned again rather than remembered from pass 1: cheaper than holding a
        # segment per account in memory.
        try:
            computed = plan.computed_segment(row)
        except Exception as error:  # this account's alone: see the module docstring
            part.failures.append(_failed(row["id"], SEGMENTS, error))
            continue
        segment_id = config.segment_id_of.get(computed) if computed else None
        effective = config.effective_segment(computed, row["segment_override_id"])
        try:
            facts = account_facts(row, effective, config, related)
            decision = rules.decide(facts, config.regions[row["region_id"]].parameters, context)
            reasons = decision.reasons_text
        except Exception as error:  # left out whole: no account update, no assessment
            part.failures.append(_failed(row["id"], PRIORITIES, error))
            continue
        decisions[row["id"]] = (decision, reasons, _decider(decision, row["id"], related))
        decided[row["id"]] = (decision.priority, config.segment_id_of.get(effective))
        if count_moves:
            before = config.effective_segment(
                config.segment_code_of.get(row["segment_id"]), row["segment_override_id"]
            )
            part.segment_moves[(before, effective)] += 1
            part.priority_moves[(row["priority"], decision.priority)] += 1
        segment_changed = segment_id != row["segment_id"]
        priority_changed = (row["priority"], row["priority_reasons"]) != (
            decision.priority,
            reasons,
        )
        part.segments_changed += segment_changed
        part.priorities_changed += priority_changed
        if plan.write:
            account_values[row["id"]] = (
                row,
                (segment_id, decision.priority, reasons, *_priority_change(plan, row, decision)),
                segment_changed or priority_changed,
            )
    if plan.write:
        if not plan.frozen:
            # Health reads the new priorities (engagement's cadence), so it is scored
            # after them and before the write: one UPDATE per chunk carries both.
            health = compute_health(
                rows, decided, scorecards(), plan.as_of, transient=TRANSIENT_ERRORS
            )
            write_accounts(_account_updates(account_values, health.changed))
            part.failures.extend(health.failures)
            part.health_changed = health.health_changed
            part.bands_changed = health.bands_changed
            part.health_history_written = health.history_written
            part.health_seconds = health.seconds
        part.assessments_created, part.assessments_updated = write_assessments(
            rows, decisions, plan.quarter.label, frozen=plan.frozen, now=timezone.now()
        )
    return part, decisions


def _account_updates(
    account_values: dict[int, tuple[dict, tuple, bool]],
    health: dict[int, tuple[str, int | None]],
) -> list[tuple]:
    """The rows of the chunk's account UPDATE: every account whose segment, priority or
    health changed, with all its decided columns. An account whose health did not change
    (or failed) writes back the stored health."""
    updates = []
    for account_id, (row, values, changed) in account_values.items():
        new_health = health.get(account_id)
        if changed or new_health is not None:
            stored = (row["health"], row["health_score"])
            updates.append((account_id, *values, *(new_health or stored)))
    return updates


def _priority_change(plan: Plan, row: dict, decision: rules.Decision) -> tuple:
    """(previous priority, changed on) as they stand after this decision: moved to the
    stored priority and the run's day when the effective priority changes. An account's
    first priority (it had none) is not a change to report."""
    if row["priority"] is None or row["priority"] == decision.priority:
        return row["previous_priority"], row["priority_changed_on"]
    return row["priority"], plan.as_of


def _decider(decision: rules.Decision, account_id: int, related: RelatedFacts) -> int | None:
    if decision.source == "exception":
        return related.exceptions[account_id][1]
    if decision.source == "review":
        return related.reviews[account_id][1]
    return None
