"""The health scorecard's admin page, its saves through the impact preview (DESIGN 11:
"an admin's change of weights or bands shows its impact (accounts moving between bands)
before it is saved, like the segment thresholds").

The fields, validation and audit are the health app's (`health.admin`); this adds the
preview (`orchestration.health_preview`), the same flow as the segment thresholds
(`admin_preview`): a save first shows the moves, paging and sorting post the edit again,
only the confirm button saves, and a saved change asks for a recompute of every account.
"""

from django.contrib import admin
from django.core.paginator import Paginator
from django.urls import reverse

from health.admin import HealthScorecardAdmin
from health.models import HealthScorecard
from orchestration.health_preview import (
    BANDS,
    DEFAULT_HEALTH_SORT,
    HEALTH_SORTS,
    BandMove,
    HealthImpact,
    account_names,
    preview_health_impact,
)

from .admin_preview import PAGE_SIZE, ImpactPreviewAdmin, aria_sort, view_state

HEALTH_COLUMNS = (
    ("name", "Account"), ("tam", "TAM"), ("segment", "Segment"),
    ("band", "Band now → after saving"), ("score", "Score now → after saving"),
)  # fmt: skip


@admin.register(HealthScorecard)
class HealthScorecardPreviewAdmin(ImpactPreviewAdmin, HealthScorecardAdmin):
    impact_template = "admin/health_impact_preview.html"
    recompute_trigger, recompute_what = "health_scorecard", "health"

    def impact_context(self, candidate, post) -> dict:
        impact = preview_health_impact(candidate)
        state = view_state(post, sorts=HEALTH_SORTS, default_sort=DEFAULT_HEALTH_SORT)
        return {"impact": impact, "bands": BANDS, **band_moves_page(impact, state)}


def band_moves_page(impact: HealthImpact, state: dict) -> dict:
    """The page of moving accounts asked for, ready to show (the page's account names in
    one query)."""
    page = Paginator(impact.sorted_moves(state["sort"]), PAGE_SIZE).get_page(state["page"])
    names = account_names([move.account_id for move in page])
    return {
        "sort": state["sort"],
        "accounts_page": page,
        "account_rows": [band_move_row(impact, move, names) for move in page],
        "account_headers": [
            (column, label, aria_sort(column, state["sort"])) for column, label in HEALTH_COLUMNS
        ],
    }


def band_move_row(impact: HealthImpact, move: BandMove, names: dict[int, str]) -> dict:
    return {
        "name": names.get(move.account_id, f"Account {move.account_id}"),
        "url": reverse("account_detail", args=[move.account_id]),
        "tam": impact.tam_names.get(move.tam_id, "") if move.tam_id else "",
        "segment": impact.segment_names.get(move.segment_id, "No segment"),
        "band": f"{move.band_before.capitalize()} → {move.band_after.capitalize()}",
        "score": f"{_score(move.score_before)} → {_score(move.score_after)}",
    }


def _score(score: int | None) -> str:
    return "no score" if score is None else str(score)
