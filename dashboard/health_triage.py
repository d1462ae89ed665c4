"""The dashboard's health and triage panels, and its burn-down lists with the triage one
(DESIGN 11: "the book filter and the dashboard use the computed band"; "the dashboard
shows the team's open cases, overdue updates, and ARR at risk by reason and
classification"; "red without a triage case" is listed).

Each reads the scope's accounts (a team's, a region's or the company's) in a fixed
number of queries: the bands one grouped query; the triage panel three (ARR at risk by
reason and by classification, whose case counts add up to the open cases, and the
overdue updates' count). A TAM's read-only team view shows the team's figures, as the
priority mix does: counts, no account named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, QuerySet

from accounts.models import Health
from metrics.burndown import BurnDownList, burn_down_lists
from triage.selectors import ArrAtRisk, arr_at_risk_by, overdue_updates, red_without_case

RED_WITHOUT_CASE = "red_without_case"
UNKNOWN = "unknown"
BANDS = ((Health.GREEN, "Green"), (Health.YELLOW, "Yellow"), (Health.RED, "Red"))


def dashboard_burn_down_lists(accounts: QuerySet, today: date) -> list[BurnDownList]:
    """The burn-down lists of `metrics.burndown` and, last, the red accounts without an
    open triage case (`triage.selectors.red_without_case`), sorted and joined alike."""
    base = accounts.select_related("tam", "segment", "segment_override").order_by("name", "pk")
    return [
        *burn_down_lists(accounts, today),
        BurnDownList(RED_WITHOUT_CASE, "Red without a triage case", red_without_case(base)),
    ]


@dataclass(frozen=True)
class BandShare:
    key: str  # green, yellow, red or unknown
    label: str
    count: int
    share: float | None  # of the scope's accounts; None for an empty scope


@dataclass(frozen=True)
class HealthPanel:
    bands: tuple[BandShare, ...]
    total: int


def health_panel(accounts: QuerySet) -> HealthPanel:
    """The scope's accounts by computed band, unknown (every measure N/A) last (1 query)."""
    counts = {
        row["health"]: row["accounts"]
        for row in accounts.order_by().values("health").annotate(accounts=Count("pk"))
    }
    counts[UNKNOWN] = counts.pop("", 0)
    total = sum(counts.values())
    bands = []
    for key, label in (*BANDS, (UNKNOWN, "Unknown")):
        count = counts.get(key, 0)
        bands.append(BandShare(key, label, count, count / total if total else None))
    return HealthPanel(tuple(bands), total)


@dataclass(frozen=True)
class TriagePanel:
    open_cases: int
    overdue_updates: int
    arr_at_risk: ArrAtRisk


def triage_panel(accounts: QuerySet, today: date) -> TriagePanel:
    """Open cases, those whose update is overdue, ARR at risk by reason and by
    classification (3 queries)."""
    at_risk = arr_at_risk_by(accounts)
    return TriagePanel(at_risk.cases, overdue_updates(accounts, today).count(), at_risk)
