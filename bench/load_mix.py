"""The load benchmark's users, their mix of pages, and the figures it prints (`bench/load.py`).

No Django here: the users arrive as plain plans, pages as paths.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

BOOK, BOOK_FILTERED, ACCOUNT, TODAY = "book", "book filtered", "account page", "today"
DASHBOARD, CSV_EXPORT, LOG_ENTRY = "dashboard", "csv export", "log entry"
PAGE_KINDS = [BOOK, BOOK_FILTERED, ACCOUNT, TODAY, DASHBOARD, CSV_EXPORT, LOG_ENTRY]

# How often each role asks for each kind of page (relative weights). A TAM works their book
# and accounts and logs what they did; a manager reads the dashboard and the team's book;
# an admin looks across the company and logs nothing.
MIX = {
    "tam": {
        BOOK: 20, BOOK_FILTERED: 20, ACCOUNT: 25, TODAY: 15, DASHBOARD: 5, CSV_EXPORT: 5,
        LOG_ENTRY: 10,
    },
    "manager": {
        BOOK: 15, BOOK_FILTERED: 20, ACCOUNT: 20, TODAY: 5, DASHBOARD: 25, CSV_EXPORT: 10,
        LOG_ENTRY: 5,
    },
    "admin": {BOOK: 15, BOOK_FILTERED: 25, ACCOUNT: 25, DASHBOARD: 25, CSV_EXPORT: 10},
}  # fmt: skip

# Filters, sorts and pages as people click them on the book (priority, health, overdue,
# name search, a column sort, the next page).
BOOK_QUERIES = [
    "?sort=-arr",
    "?priority=1&sort=renewal_date",
    "?health=red&sort=-priority",
    "?overdue=on",
    "?q=a&sort=name",
    "?page=2",
    "?priority=2&sort=-arr&page=2",
]
# People who see several books also filter by TAM.
TAM_QUERIES = ["?tam={tam}&sort=-arr", "?tam={tam}&priority=1", "?tam={tam}&overdue=on"]


@dataclass
class UserPlan:
    username: str
    role: str  # "tam", "manager" or "admin"
    scope_size: int  # accounts in their scope
    account_ids: list[int]  # a sample of them: the pages they open and log entries on
    tam_ids: list[int]  # TAMs they may filter the book by (none for a TAM)


@dataclass(frozen=True)
class PageRequest:
    kind: str
    method: str
    path: str
    data: dict | None = None


def page_request(
    user: UserPlan, kind: str, rng: random.Random, *, today: date, marker: str, paths: dict
) -> PageRequest:
    """The request `user` makes for a page of `kind`; `paths` maps the kinds to the
    portal's URLs (book, export, today, dashboard; account and log take an id)."""
    if kind == BOOK:
        return PageRequest(kind, "GET", paths[BOOK])
    if kind == BOOK_FILTERED:
        return PageRequest(kind, "GET", paths[BOOK_FILTERED] + _book_query(user, rng))
    if kind == CSV_EXPORT:
        # An admin exports one TAM's book, not the company's (that is `export_accounts`).
        query = f"?tam={rng.choice(user.tam_ids)}" if user.role == "admin" else ""
        return PageRequest(kind, "GET", paths[CSV_EXPORT] + query)
    if kind == ACCOUNT:
        return PageRequest(kind, "GET", paths[ACCOUNT].format(id=rng.choice(user.account_ids)))
    if kind == LOG_ENTRY:
        data = {"call-occurred_on": today.isoformat(), "call-notes": marker}
        path = paths[LOG_ENTRY].format(id=rng.choice(user.account_ids))
        return PageRequest(kind, "POST", path, data)
    return PageRequest(kind, "GET", paths[kind])


def _book_query(user: UserPlan, rng: random.Random) -> str:
    if user.tam_ids and rng.random() < 0.5:
        return rng.choice(TAM_QUERIES).format(tam=rng.choice(user.tam_ids))
    return rng.choice(BOOK_QUERIES)


def weights_for(role: str, available: set[str]) -> tuple[list[str], list[int]]:
    """The role's kinds and weights, without the kinds this build does not have."""
    kinds = [kind for kind in PAGE_KINDS if MIX[role].get(kind) and kind in available]
    return kinds, [MIX[role][kind] for kind in kinds]


# --- figures ---------------------------------------------------------------------------------


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of values sorted ascending (share in 0..1)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(share * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass(frozen=True)
class Sample:
    kind: str
    milliseconds: float
    status: int | None  # None: no answer (connection error or timeout)
    error: str = ""

    @property
    def failed(self) -> bool:
        return self.status is None or not 200 <= self.status < 400


def table(samples: list[Sample]) -> list[str]:
    """One line per page kind, then all together: count, p50, p95, p99, max, errors."""
    header = f"{'page':<14} {'requests':>8}" + "".join(
        f" {name:>7}" for name in ("p50 ms", "p95 ms", "p99 ms", "max ms", "errors")
    )
    lines = [header, "-" * len(header)]
    groups = [(kind, [s for s in samples if s.kind == kind]) for kind in PAGE_KINDS]
    for label, group in [*groups, ("all", samples)]:
        if not group:
            continue
        times = sorted(s.milliseconds for s in group)
        lines.append(
            f"{label:<14} {len(group):>8} {percentile(times, 0.50):>7.0f} "
            f"{percentile(times, 0.95):>7.0f} {percentile(times, 0.99):>7.0f} "
            f"{times[-1]:>7.0f} {sum(s.failed for s in group):>6}"
        )
    return lines
