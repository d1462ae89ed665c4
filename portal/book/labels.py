"""The short words the book shows for reason codes, success-plan states and clocks."""

from __future__ import annotations

from datetime import date

from accounts.models import SuccessPlanState
from metrics.clocks import Clock

# Short, parameter-free labels of the reason codes prioritization/rules.py writes (the
# rules' own descriptions carry the region's numbers; the account page shows those).
REASON_LABELS = {
    # precedence (DESIGN 4, steps 1-5)
    "unmanaged_child": "Unmanaged child account",
    "digital": "Digital-Only or no segment",
    "onboarding": "Customer in onboarding",
    "onboarding_segment": "Onboarding segment",
    "onboarding_complete": "Onboarding segment, onboarding complete",
    "exception": "Approved priority exception",
    "p1_exception": "Pr1 by approved exception",
    "p2_exception": "Pr2 by approved exception",
    "review": "Set by the manager's quarterly review",
    # US Enterprise flowchart
    "uptier_opportunity": "Up-tier opportunity closing soon",
    "stage_adoption": "Stage adoption needing TAM hours",
    "infra_change": "Infrastructure change",
    "churn_risk": "At risk of contraction or churn",
    # EMEA Enterprise scoring
    "org_change": "Organisational change",
    "lifecycle_onboarding": "Still onboarding most users",
    "weekly_engagement": "Wishes weekly engagement",
    "lam_gap": "LAM well above ARR",
    "expansion_play": "Stage adoption or expansion play",
    "tam_handover": "TAM handover",
    "emea_parameters": "Among the TAM's top accounts by score",
    "over_cap": "Scored, but beyond the TAM's Pr1 cap",
    "default": "No Pr1 criterion met",
    # Commercial qualification
    "top_arr": "Top account of the region by ARR",
    "no_objectives": "Success plan missing or unclear",
    "critical_project": "Critical project in the success plan",
    "key_logo": "Key logo or case study",
    "channel": "Channel partner engaged",
    "low_stage_adoption": "Few stages adopted for its ARR",
}

SUCCESS_PLAN_SHORT = {
    SuccessPlanState.NONE: "None",
    SuccessPlanState.UNCLEAR: "Unclear",
    SuccessPlanState.OBJECTIVES: "Objectives",
    SuccessPlanState.GREEN: "Green",
}
CLOCK_SHORT = {"first_engage": "Engaged", "first_value": "Value", "onboard": "Onboarded"}


def reason_codes(reasons_text: str) -> list[str]:
    return [code for code in reasons_text.split(";") if code]


def reason_labels(reasons_text: str) -> list[str]:
    return [REASON_LABELS.get(code, code) for code in reason_codes(reasons_text)]


def clock_state(clock: Clock) -> str:
    """`reached`, `reached_late` (after its target), `running` or `late` (running past it)."""
    if clock.running:
        return "late" if clock.late else "running"
    return "reached_late" if clock.within_target is False else "reached"


def age(day: date | None, today: date) -> str | None:
    """How long ago `day` was, for "usage data from 12 days ago"; None for no date."""
    if day is None:
        return None
    days = (today - day).days
    if days == 0:
        return "today"
    if days < 0:
        return f"{day:%d %b %Y} (in the future)"
    return f"{days} day{'' if days == 1 else 's'} ago"


def usage_age(day: date | None, today: date) -> str:
    """How old the account's usage data is (its latest snapshot's day, DESIGN 10)."""
    ago = age(day, today)
    return f"usage data from {ago}" if ago else "no usage data"


def health_input_age(day: date | None, today: date) -> str:
    """How old the TAM's sentiment, the health score's judged input, is (DESIGN 10, 11)."""
    ago = age(day, today)
    return f"health input from {ago}" if ago else "health input date unknown"
