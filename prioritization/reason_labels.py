"""The short, parameter-free words for the reason codes the priority rules write. Pure.

The one home of these labels for every face: the book and the API read them here.
"""

from __future__ import annotations

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


def reason_codes(reasons_text: str) -> list[str]:
    return [code for code in reasons_text.split(";") if code]


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, code)


def reason_labels(reasons_text: str) -> list[str]:
    """The labels of `code;code` reasons, in the order the rules fired."""
    return [reason_label(code) for code in reason_codes(reasons_text)]


def reasons_sentence(reasons_text: str, empty: str = "no reason recorded") -> str:
    """The reasons as one line people read: "Up-tier opportunity closing soon; Churn risk"."""
    return "; ".join(reason_labels(reasons_text)) or empty
