"""The two passes of a recompute over every account, in chunks (DESIGN 3, 4 and 8).

1. rank: assign each account of a ranked region its segment and feed the two rankings
   that need the whole population: the commercial top-N by ARR per region (among
   TAM-assigned accounts) and the EMEA per-TAM top-N by parameter score. Both keep only
   their top N, so memory does not grow with the number of accounts.
2. decide: every account's segment and priority with those rankings; with `write`, the
   accounts whose segment or priority changed and the quarter's assessments.

Everything a pass needs is passed in (`Plan`, the rankings' `PortfolioContext`) and
everything it finds comes back (`PassResult`): no phase leaves state behind for the next.
Chunks run in their own transactions (`chunks.py`, which holds the one retry layer):
on this process's threads, or, in a run, wherever its conductor sends them (`fanout.py`:
its own threads and helper workers), so a chunk's result is JSON. Each ranking chunk
hands back only its own top entries, from which the portfolio's top is merged: the
order in which chunks finish, and where, changes nothing.

Any error in a chunk's reads or writes ends the run. An
error in one account's pure rules (its segment, its facts, its priority) is that
account's alone (issue 11): the account is left out whole, recorded in the result's
`failures` (`lib.failures`), and every other account of the chunk is decided and written.
"""

from __future__ import annotations

import logging
import threading
import time  # noqa: F401  (tests patch engine.time.sleep, the chunks' retry wait)
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Account
from health.selectors import scorecards
from lib.failures import PRIORITIES, SEGMENTS, account_failure
from lib.fiscal import FiscalQuarter, fiscal_quarter_of
from lib.rule_sets import RuleSet
from prioritization import rules
from segments.assign import assign_segment

from .chunks import (  # noqa: F401  (selection and the tests import them from here)
    RETRIES,
    TRANSIENT_ERRORS,
    chunk_parts,
    chunk_work,
    folded,
    in_transaction_with_retries,
)
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
from .results import PassResult
from .writing import Decisions, write_accounts, write_assessments

logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000
# A run's phases, in order; a phase's chunks are rows of `RecomputeChunk` (`fanout.py`).
RANK, DECIDE = "rank", "decide"


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
    # A run's conductor (`fanout.Conductor`): runs a phase's chunks, `spread(phase, ranges,
    # work, context)`, on the run's threads and on any helper workers, and gives back
    # their JSON results. None: this process's threads only (the preview).
    spread: Callable[..., Iterable[dict]] | None = None

    @property
    def quarter(self) -> FiscalQuarter:
        return fiscal_quarter_of(self.as_of, settings.FISCAL_YEAR_START_MONTH)

    @property
    def frozen(self) -> bool:
        """A quarter that has ended only gains missing assessments; nothing else moves."""
        return self.quarter.end < timezone.localdate()

    def computed_segment(self, row: dict) -> str | None:
        return assign_segment(row["arr"], row["lam"], row["lam_confidence"], self.config.thresholds)


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

    def add_kept(self, kept: dict) -> None:
        """Entries as `rank_chunk` keeps them (JSON)."""
        self.add(
            [(id_, region, _number(arr), size) for id_, region, arr, size in kept["commercial"]],
            [
                (id_, tam, _number(score), _number(arr), cap)
                for id_, tam, score, arr, cap in kept["emea"]
            ],
        )

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


def for_each_chunk(
    plan: Plan, accounts: QuerySet, columns, handle: Callable[[list[dict]], PassResult | None]
) -> PassResult:
    """Call `handle` on every chunk of `accounts` (one transaction each); the chunks'
    results, folded together."""
    return folded(chunk_parts(plan, "chunks", accounts, columns, handle))


def phase_work(plan: Plan, phase: str, context: dict | None) -> Callable[[int, int | None], dict]:
    """A chunk's work in `phase` as a helper on another worker does it (`fanout.py`),
    from the plan and the `context` its conductor stored: the JSON of a `PassResult`."""
    if phase == RANK:
        work = chunk_work(
            ranked_accounts(plan), RANKING_COLUMNS, lambda rows: rank_chunk(plan, rows)
        )
    elif phase == DECIDE:
        rankings = context_from_json(plan.as_of, context or {})
        work = chunk_work(
            Account.objects.all(),
            ACCOUNT_COLUMNS,
            lambda rows: decide_chunk(plan, rows, rankings)[0],
        )
    else:
        raise ValueError(f"the engine has no phase {phase!r}")
    return lambda first, last: work(first, last).to_json()


# --- pass 1: the rankings ------------------------------------------------------------------


def ranked_accounts(plan: Plan) -> QuerySet:
    """The accounts of the regions whose rules rank accounts against each other."""
    regions = plan.config.regions_following(RuleSet.COMMERCIAL) + plan.config.regions_following(
        RuleSet.EMEA_ENTERPRISE
    )
    return Account.objects.filter(region_id__any=regions)


def rank_portfolio(plan: Plan) -> tuple[rules.PortfolioContext, PassResult]:
    """The rankings, and the pass's chunk counts. Only the regions whose rules rank
    accounts against each other need this pass."""
    rankings = Rankings()
    counts = PassResult()
    accounts = ranked_accounts(plan)
    if accounts.exists():
        handle = lambda rows: rank_chunk(plan, rows)  # noqa: E731
        for part in chunk_parts(plan, RANK, accounts, RANKING_COLUMNS, handle):
            rankings.add_kept(part.details.pop("rankings"))
            counts.add(part)
    return rankings.context(plan.as_of), counts


def rank_chunk(plan: Plan, rows: list[dict]) -> PassResult:
    """The chunk's failures and, in `details`, the entries of its own top (JSON): only
    those can be in the portfolio's top, whichever chunks they meet, since both rankings
    order their entries strictly (ties broken by account id)."""
    part = PassResult()
    commercial, emea = ranking_entries(plan, rows, part.failures)
    own = Rankings()
    own.add(commercial, emea)
    arr_kept, emea_kept = own.top_arr.ranks(), own.emea.pr1_ids()
    part.details["rankings"] = {
        "commercial": [
            [account_id, region, _text(arr), size]
            for account_id, region, arr, size in commercial
            if account_id in arr_kept
        ],
        "emea": [
            [account_id, tam, _text(score), _text(arr), cap]
            for account_id, tam, score, arr, cap in emea
            if account_id in emea_kept
        ],
    }
    return part


def _text(number: Decimal | None) -> str | None:
    return None if number is None else str(number)


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def context_to_json(context: rules.PortfolioContext) -> dict:
    return {
        "arr_ranks": sorted(context.arr_ranks.items()),
        "emea_pr1_ids": sorted(context.emea_pr1_ids),
    }


def context_from_json(as_of: date, data: dict) -> rules.PortfolioContext:
    return portfolio_context(
        as_of,
        arr_ranks={account_id: rank for account_id, rank in data.get("arr_ranks", [])},
        emea_pr1_ids=frozenset(data.get("emea_pr1_ids", [])),
    )


def ranking_entries(
    plan: Plan, rows: list[dict], failures: list[dict] | None = None
) -> tuple[list[tuple], list[tuple]]:
    """The chunk's entries for the commercial and the EMEA rankings; an account whose
    segment or score cannot be computed is left out of them and added to `failures`."""
    failures = [] if failures is None else failures
    config = plan.config
    commercial, emea_rows = [], []
    thresholds, regions, tam_assigned = config.thresholds, config.regions, config.tam_assigned_codes
    for row in rows:
        try:
            computed = assign_segment(row["arr"], row["lam"], row["lam_confidence"], thresholds)
        except Exception as error:  # this account's alone: see the module docstring
            failures.append(_failed(row["id"], SEGMENTS, error))
            continue
        override = row["segment_override_id"]
        effective = config.effective_segment(computed, override) if override else computed
        region = regions[row["region_id"]]
        if region.rule_set == RuleSet.COMMERCIAL and effective in tam_assigned:
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
    handle = lambda rows: decide_chunk(plan, rows, context)[0]  # noqa: E731
    parts = chunk_parts(
        plan, DECIDE, Account.objects.all(), ACCOUNT_COLUMNS, handle,
        context=context_to_json(context),
    )  # fmt: skip
    return folded(parts)


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
    # (row, computed segment id, whether segment or priority changed) of each decided
    # account, for the account UPDATE; its other columns are the decision's
    outcomes: list[tuple[dict, int | None, bool]] = []
    update_accounts = plan.write and not plan.frozen
    count_moves = not plan.write  # only the impact preview reports moves
    segments_changed = priorities_changed = 0
    # Looked up once a chunk rather than once an account.
    thresholds, segment_id_of, regions = config.thresholds, config.segment_id_of, config.regions
    for row in rows:
        account_id = row["id"]
        # Assigned again rather than remembered from pass 1: cheaper than holding a
        # segment per account in memory.
        try:
            computed = assign_segment(row["arr"], row["lam"], row["lam_confidence"], thresholds)
        except Exception as error:  # this account's alone: see the module docstring
            part.failures.append(_failed(account_id, SEGMENTS, error))
            continue
        segment_id = segment_id_of.get(computed) if computed else None
        override = row["segment_override_id"]
        effective = config.effective_segment(computed, override) if override else computed
        try:
            facts = account_facts(row, effective, config, related)
            decision = rules.decide(facts, regions[row["region_id"]].parameters, context)
            reasons = decision.reasons_text
        except Exception as error:  # left out whole: no account update, no assessment
            part.failures.append(_failed(account_id, PRIORITIES, error))
            continue
        decider = None if decision.source == "model" else _decider(decision, account_id, related)
        decisions[account_id] = (decision, reasons, decider)
        decided[account_id] = (decision.priority, segment_id_of.get(effective))
        if count_moves:
            before = config.effective_segment(
                config.segment_code_of.get(row["segment_id"]), override
            )
            part.segment_moves[(before, effective)] += 1
            part.priority_moves[(row["priority"], decision.priority)] += 1
        segment_changed = segment_id != row["segment_id"]
        priority_changed = (
            row["priority"] != decision.priority or row["priority_reasons"] != reasons
        )
        segments_changed += segment_changed
        priorities_changed += priority_changed
        if update_accounts:
            outcomes.append((row, segment_id, segment_changed or priority_changed))
    part.segments_changed, part.priorities_changed = segments_changed, priorities_changed
    if plan.write:
        if update_accounts:
            # Health reads the new priorities (engagement's cadence), so it is scored
            # after them and before the write: one UPDATE per chunk carries both.
            health = compute_health(
                rows, decided, scorecards(), plan.as_of, transient=TRANSIENT_ERRORS
            )
            write_accounts(_account_updates(plan, outcomes, decisions, health.changed))
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
    plan: Plan,
    outcomes: list[tuple[dict, int | None, bool]],
    decisions: Decisions,
    health: dict[int, tuple[str, int | None]],
) -> list[tuple]:
    """The rows of the chunk's account UPDATE: every account whose segment, priority or
    health changed, with all its decided columns. An account whose health did not change
    (or failed) writes back the stored health. Only these accounts' columns are built:
    on a night where little changed, few."""
    updates = []
    for row, segment_id, changed in outcomes:
        account_id = row["id"]
        new_health = health.get(account_id)
        if changed or new_health is not None:
            decision, reasons, _ = decisions[account_id]
            updates.append(
                (
                    account_id, segment_id, decision.priority, reasons,
                    *_priority_change(plan, row, decision),
                    *(new_health or (row["health"], row["health_score"])),
                )
            )  # fmt: skip
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
