"""Segments and priorities of a few accounts, now: after a decision, an entry or an edit.

Each account is ranked against its whole population (its region's TAM-assigned accounts
for the commercial top N, its TAM's whole book for the EMEA cap), so the answer is the
one the nightly run would give. `explain_account` is the same read, with every rule's
facts and outcome, for the account page.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils import timezone

from accounts.models import Account
from lib.rule_sets import RuleSet
from prioritization import rules

from .configuration import load_configuration
from .engine import (
    CHUNK_SIZE,
    Plan,
    Rankings,
    decide_chunk,
    in_transaction_with_retries,
    ranking_entries,
)
from .reading import ACCOUNT_COLUMNS, account_facts, load_related, portfolio_context


def recompute_accounts(account_ids: list[int], *, as_of: date | None = None) -> dict:
    """Bring a few accounts' segment, priority and assessment up to date now; returns
    their decisions by account id."""
    decided, _ = recompute_selection(account_ids, as_of=as_of)
    return decided


def recompute_selection(
    account_ids: list[int], *, as_of: date | None = None
) -> tuple[dict, list[dict]]:
    """`recompute_accounts`, with the accounts a rule failed on (left as they were, as in
    the full run): the debounced run records them."""
    plan = Plan(load_configuration(), as_of or timezone.localdate(), write=True)
    rows = _rows(account_ids)
    if not rows:
        return {}, []
    context = _context_for(plan, rows)
    decided: dict[int, rules.Decision] = {}
    failures: list[dict] = []

    def decide_and_write() -> None:
        decided.clear()
        part, decisions = decide_chunk(plan, rows, context)
        decided.update((account_id, entry[0]) for account_id, entry in decisions.items())
        failures[:] = part.failures

    in_transaction_with_retries(decide_and_write)
    return decided, failures


def explain_account(account_id: int, *, as_of: date | None = None) -> rules.Assessment | None:
    """Every rule evaluated for one account, with the facts it looked at: the same facts
    and rankings the nightly run uses, read now."""
    plan = Plan(load_configuration(), as_of or timezone.localdate(), write=False)
    rows = _rows([account_id])
    if not rows:
        return None
    row = rows[0]
    context = _context_for(plan, rows)
    effective = plan.config.effective_segment(
        plan.computed_segment(row), row["segment_override_id"]
    )
    related = load_related(rows, plan.quarter, plan.as_of)
    facts = account_facts(row, effective, plan.config, related)
    return rules.assess(facts, plan.config.regions[row["region_id"]].parameters, context)


def _rows(account_ids: list[int]) -> list[dict]:
    return list(Account.objects.filter(id__any=account_ids).order_by("id").values(*ACCOUNT_COLUMNS))


def _context_for(plan: Plan, rows: list[dict]) -> rules.PortfolioContext:
    return portfolio_context(
        plan.as_of,
        arr_ranks=_commercial_ranks(plan, rows),
        emea_pr1_ids=_emea_books(plan, rows),
    )


def _commercial_ranks(plan: Plan, rows: list[dict]) -> dict[int, int]:
    """Rank among the region's TAM-assigned accounts, by ARR then older account first."""
    ranks = {}
    tam_assigned = Q(segment_override__tam_assigned=True) | Q(
        segment_override__isnull=True, segment__tam_assigned=True
    )
    for row in rows:
        region = plan.config.regions[row["region_id"]]
        if region.rule_set != RuleSet.COMMERCIAL or row["arr"] is None:
            continue
        above = Account.objects.filter(tam_assigned, region_id=row["region_id"]).filter(
            Q(arr__gt=row["arr"]) | Q(arr=row["arr"], id__lt=row["id"])
        )
        ranks[row["id"]] = above.count() + 1
    return ranks


def _emea_books(plan: Plan, rows: list[dict]) -> frozenset[int]:
    """The EMEA ranking, run over the whole book of every TAM among `rows`."""
    emea_regions = plan.config.regions_following(RuleSet.EMEA_ENTERPRISE)
    tams = {row["tam_id"] for row in rows if row["region_id"] in emea_regions}
    if not tams:
        return frozenset()
    book_filter = Q(tam_id__in=[tam for tam in tams if tam is not None])
    if None in tams:
        book_filter |= Q(tam_id__isnull=True)
    book_rows = list(
        Account.objects.filter(book_filter, region_id__in=emea_regions)
        .order_by("id")
        .values(*ACCOUNT_COLUMNS)
    )
    rankings = Rankings()
    for start in range(0, len(book_rows), CHUNK_SIZE):
        rankings.add(*ranking_entries(plan, book_rows[start : start + CHUNK_SIZE]))
    return rankings.emea.pr1_ids()
