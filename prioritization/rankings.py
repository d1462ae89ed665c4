"""The portfolio rankings a night's run builds before deciding (DESIGN section 4); pure.

Commercial ranks each region's TAM-assigned accounts by ARR (`top_arr`); EMEA Enterprise
ranks each TAM's scored accounts and suggests the top ones up to the cap at Pr1. Both
stream the accounts through once and keep only the top entries, and hand the result to
`PortfolioContext` (`arr_ranks`, `emea_pr1_ids`).
"""

from __future__ import annotations

import heapq
from decimal import Decimal

from .facts import AccountFacts, PortfolioContext, RuleParameters
from .rule_sets import emea_fired


def emea_score(facts: AccountFacts, params: RuleParameters, context: PortfolioContext) -> Decimal:
    return emea_fired(facts, params, context)[0]


class EmeaRanking:
    """Per-TAM ranking of scored EMEA accounts, keeping only each book's top `cap`.

    Ranked by score, then ARR, then account id (older account first), highest first.
    Accounts without a TAM form one book of their own. Memory is the number of TAMs times
    the cap, however many accounts stream through.
    """

    def __init__(self) -> None:
        self._books: dict[int | None, list[tuple[Decimal, Decimal, int]]] = {}

    def add(
        self, account_id: int, tam_id: int | None, score: Decimal, arr: Decimal | None, cap: int
    ) -> None:
        if score <= 0:
            return
        book = self._books.setdefault(tam_id, [])
        entry = (score, arr or Decimal(0), -account_id)
        if len(book) < cap:
            heapq.heappush(book, entry)
        elif entry > book[0]:
            heapq.heapreplace(book, entry)

    def pr1_ids(self) -> frozenset[int]:
        return frozenset(-entry[2] for book in self._books.values() for entry in book)


class TopArrRanking:
    """Per-region rank by ARR, keeping each region's top `size` (ARR, then older account)."""

    def __init__(self) -> None:
        self._regions: dict[object, list[tuple[Decimal, int]]] = {}

    def add(self, account_id: int, region: object, arr: Decimal | None, size: int) -> None:
        if arr is None or size <= 0:
            return
        top = self._regions.setdefault(region, [])
        entry = (arr, -account_id)
        if len(top) < size:
            heapq.heappush(top, entry)
        elif entry > top[0]:
            heapq.heapreplace(top, entry)

    def ranks(self) -> dict[int, int]:
        ranks = {}
        for top in self._regions.values():
            for rank, (_, negative_id) in enumerate(sorted(top, reverse=True), start=1):
                ranks[-negative_id] = rank
        return ranks
