"""Step 6 of the precedence: the regions' rule sets (DESIGN section 4, page 004); pure.

US Enterprise (the flowchart) and Commercial (the qualification criteria) are lists of
rules, any one that fires makes Pr1, their codes in the table's order are the reasons.
EMEA Enterprise scores seven weighted parameters; within each TAM's book the top
accounts up to the cap are suggested Pr1 (the ranking is prioritization/rankings.py).
`rule_set_decision` decides and `rule_set_checks` explains from the same `Rule`s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from lib.rule_sets import RuleSet
from lib.words import money_text, number_text

from .facts import (
    EXPANSION_PLAY,
    INFRASTRUCTURE_CHANGE,
    STAGE_ADOPTION,
    AccountFacts,
    PortfolioContext,
    Rule,
    RuleCheck,
    RuleParameters,
    active_user_share,
    busiest_active,
    closing_within,
    iso_days,
    lam_headroom,
    money,
    window_end,
)

# --- US Enterprise: the flowchart of page 004, any yes is Pr1 ------------------------


def _us_uptier(f: AccountFacts, p: RuleParameters, c: PortfolioContext) -> list[date]:
    return closing_within(f.uptier_close_dates, c.as_of, p.uptier_window_months)


def _hours_above(kind: str, threshold: Callable[[RuleParameters], Decimal]):
    def fired(f: AccountFacts, p: RuleParameters, c: PortfolioContext) -> bool:
        hours = busiest_active(f, kind, c)
        return hours is not None and hours > threshold(p)

    return fired


US_ENTERPRISE_RULES = (
    Rule(
        code="uptier_opportunity",
        describe=lambda p: (
            f"Open up-tier opportunity closing in the next {p.uptier_window_months} months"
        ),
        fired=lambda f, p, c: bool(_us_uptier(f, p, c)),
        facts=lambda f, p, c: {
            "open_uptier_close_dates": iso_days(sorted(f.uptier_close_dates)),
            "window_ends": window_end(c.as_of, p.uptier_window_months).isoformat(),
        },
    ),
    Rule(
        code="stage_adoption",
        describe=lambda p: (
            f"Stage adoption this quarter needing more than "
            f"{number_text(p.stage_adoption_min_hours)} TAM hours a week"
        ),
        fired=_hours_above(STAGE_ADOPTION, lambda p: p.stage_adoption_min_hours),
        facts=lambda f, p, c: {
            "stage_adoption_hours_per_week": money(busiest_active(f, STAGE_ADOPTION, c))
        },
    ),
    Rule(
        code="infra_change",
        describe=lambda p: (
            f"Infrastructure change this quarter needing more than "
            f"{number_text(p.infra_change_min_hours)} TAM hours a week"
        ),
        fired=_hours_above(INFRASTRUCTURE_CHANGE, lambda p: p.infra_change_min_hours),
        facts=lambda f, p, c: {
            "infra_change_hours_per_week": money(busiest_active(f, INFRASTRUCTURE_CHANGE, c))
        },
    ),
    Rule(
        code="churn_risk",
        describe=lambda p: "At risk of contraction or churn",
        fired=lambda f, p, c: f.at_risk,
        facts=lambda f, p, c: {"at_risk": f.at_risk},
    ),
)


def us_enterprise_context(
    facts: AccountFacts, params: RuleParameters, context: PortfolioContext
) -> dict[str, object]:
    """Shown beside the priority, not rules: the flowchart does not use them."""
    headroom, percent = lam_headroom(facts, params)
    growth = closing_within(facts.growth_close_dates, context.as_of, params.uptier_window_months)
    return {
        "lam_headroom": headroom,
        "lam_headroom_percent": money(percent),
        "growth_in_next_months": bool(growth),
    }


# --- EMEA Enterprise: seven weighted parameters, top N per TAM ------------------------


def _still_onboarding_users(f: AccountFacts, p: RuleParameters, c: PortfolioContext) -> bool:
    share = active_user_share(f)
    return share is not None and share < p.user_onboarding_share


def _any_infra_hours(f: AccountFacts, p: RuleParameters, c: PortfolioContext) -> bool:
    hours = busiest_active(f, INFRASTRUCTURE_CHANGE, c)
    return hours is not None and hours > 0


def _any_play(f: AccountFacts, p: RuleParameters, c: PortfolioContext) -> bool:
    """Page 004: "Stage adoption or expansion plays as part of success planning"."""
    return any(busiest_active(f, kind, c) is not None for kind in (EXPANSION_PLAY, STAGE_ADOPTION))


EMEA_PARAMETERS = (
    Rule(
        code="org_change",
        describe=lambda p: "Organisational change within the customer",
        fired=lambda f, p, c: f.org_change,
        facts=lambda f, p, c: {"org_change": f.org_change},
        weight=lambda p: p.weight_org_change,
    ),
    Rule(
        code="lifecycle_onboarding",
        describe=lambda p: (
            f"Still onboarding most users (active below {p.user_onboarding_share:.0%} of licensed)"
        ),
        fired=_still_onboarding_users,
        facts=lambda f, p, c: {"active_users": f.active_users, "licensed_users": f.licensed_users},
        weight=lambda p: p.weight_onboarding,
    ),
    Rule(
        code="infra_change",
        describe=lambda p: "Current or upcoming infrastructure change (any TAM hours)",
        fired=_any_infra_hours,
        facts=lambda f, p, c: {
            "infra_change_hours_per_week": money(busiest_active(f, INFRASTRUCTURE_CHANGE, c))
        },
        weight=lambda p: p.weight_infra_change,
    ),
    Rule(
        code="weekly_engagement",
        describe=lambda p: "Customer wishes to collaborate weekly",
        fired=lambda f, p, c: f.weekly_engagement,
        facts=lambda f, p, c: {"weekly_engagement": f.weekly_engagement},
        weight=lambda p: p.weight_weekly_engagement,
    ),
    Rule(
        code="lam_gap",
        describe=lambda p: (
            f"LAM gap: high-confidence LAM more than "
            f"{number_text(p.lam_headroom_percent)}% above ARR"
        ),
        fired=lambda f, p, c: lam_headroom(f, p)[0],
        facts=lambda f, p, c: {
            "lam": money(f.lam),
            "arr": money(f.arr),
            "lam_confidence": f.lam_confidence,
            "headroom_percent": money(lam_headroom(f, p)[1]),
        },
        weight=lambda p: p.weight_lam_gap,
    ),
    Rule(
        code="expansion_play",
        describe=lambda p: "Stage adoption or expansion play in success planning",
        fired=_any_play,
        facts=lambda f, p, c: {
            "active_expansion_play": busiest_active(f, EXPANSION_PLAY, c) is not None,
            "active_stage_adoption": busiest_active(f, STAGE_ADOPTION, c) is not None,
        },
        weight=lambda p: p.weight_expansion_play,
    ),
    Rule(
        code="tam_handover",
        describe=lambda p: "TAM account handover",
        fired=lambda f, p, c: f.tam_handover,
        facts=lambda f, p, c: {"tam_handover": f.tam_handover},
        weight=lambda p: p.weight_tam_handover,
    ),
)


def emea_fired(
    facts: AccountFacts, params: RuleParameters, context: PortfolioContext
) -> tuple[Decimal, tuple[str, ...]]:
    """The parameter score (sum of the weights of the parameters that fired) and their codes."""
    score, codes = Decimal(0), []
    for rule in EMEA_PARAMETERS:
        if rule.applies(facts, params, context):
            score += rule.weight(params)
            codes.append(rule.code)
    return score, tuple(codes)


def _emea_decision(
    facts: AccountFacts, params: RuleParameters, context: PortfolioContext
) -> tuple[int, tuple[str, ...], Decimal]:
    score, fired = emea_fired(facts, params, context)
    if score > 0 and facts.account_id in context.emea_pr1_ids:
        return 1, ("emea_parameters", *fired), score
    if score > 0:
        return 2, ("default", "over_cap"), score
    return 2, ("default",), score


def _emea_selection_check(facts, params, context) -> RuleCheck:
    score, _ = emea_fired(facts, params, context)
    return RuleCheck(
        code="emea_parameters",
        description=(
            f"Among the TAM's top {params.pr1_cap_per_tam} accounts by parameter score, then ARR"
        ),
        fired=score > 0 and facts.account_id in context.emea_pr1_ids,
        facts={"score": f"{score}", "cap_per_tam": params.pr1_cap_per_tam},
    )


# --- Commercial: qualification criteria of page 004, any yes is Pr1 -------------------


def _nps_risk(f: AccountFacts, p: RuleParameters) -> bool:
    return f.last_nps is not None and f.last_nps <= p.churn_nps_max


def _low_stage_adoption(f: AccountFacts, p: RuleParameters, c: PortfolioContext) -> bool:
    return (
        f.stages_adopted < p.min_stages_adopted
        and f.arr is not None
        and f.arr >= p.low_stage_adoption_min_arr
    )


def _top_arr(f: AccountFacts, p: RuleParameters, c: PortfolioContext) -> bool:
    rank = c.arr_ranks.get(f.account_id)
    return rank is not None and rank <= p.top_arr_rank


def _commercial_uptier(f: AccountFacts, p: RuleParameters, c: PortfolioContext) -> bool:
    return bool(closing_within(f.uptier_close_dates, c.as_of, p.commercial_uptier_window_months))


COMMERCIAL_RULES = (
    Rule(
        code="top_arr",
        describe=lambda p: f"Top {p.top_arr_rank} account of the region by ARR",
        fired=_top_arr,
        facts=lambda f, p, c: {"arr_rank": c.arr_ranks.get(f.account_id), "arr": money(f.arr)},
    ),
    Rule(
        code="churn_risk",
        describe=lambda p: f"At risk, in triage or last NPS {p.churn_nps_max} or lower",
        fired=lambda f, p, c: f.at_risk or f.in_triage or _nps_risk(f, p),
        facts=lambda f, p, c: {
            "at_risk": f.at_risk,
            "in_triage": f.in_triage,
            "last_nps": f.last_nps,
        },
    ),
    Rule(
        code="no_objectives",
        describe=lambda p: "Success plan missing or unclear",
        fired=lambda f, p, c: f.success_plan in ("none", "unclear"),
        facts=lambda f, p, c: {"success_plan": f.success_plan},
    ),
    Rule(
        code="critical_project",
        describe=lambda p: "Success plan includes a critical project",
        fired=lambda f, p, c: f.critical_project,
        facts=lambda f, p, c: {"critical_project": f.critical_project},
    ),
    Rule(
        code="uptier_opportunity",
        describe=lambda p: (
            f"Open up-tier opportunity closing within {p.commercial_uptier_window_months} months"
        ),
        fired=_commercial_uptier,
        facts=lambda f, p, c: {"open_uptier_close_dates": iso_days(sorted(f.uptier_close_dates))},
    ),
    Rule(
        code="key_logo",
        describe=lambda p: "Key logo or case study agreement",
        fired=lambda f, p, c: f.key_logo,
        facts=lambda f, p, c: {"key_logo": f.key_logo},
    ),
    Rule(
        code="channel",
        describe=lambda p: "Channel partner engaged",
        fired=lambda f, p, c: f.channel_engaged,
        facts=lambda f, p, c: {"channel_engaged": f.channel_engaged},
    ),
    Rule(
        code="low_stage_adoption",
        describe=lambda p: (
            f"Fewer than {p.min_stages_adopted} stages adopted at ARR of "
            f"{money_text(p.low_stage_adoption_min_arr)} or more"
        ),
        fired=_low_stage_adoption,
        facts=lambda f, p, c: {"stages_adopted": f.stages_adopted, "arr": money(f.arr)},
    ),
)

RULE_SETS = {RuleSet.US_ENTERPRISE: US_ENTERPRISE_RULES, RuleSet.COMMERCIAL: COMMERCIAL_RULES}


def _listed_rules(rule_set: str) -> tuple[Rule, ...]:
    """The listed rules of a rule set; an unknown name raises instead of passing for
    US Enterprise (EMEA is scored, not listed)."""
    listed = RULE_SETS.get(rule_set)  # a member or its value: no enum lookup per account
    return listed if listed is not None else RULE_SETS[RuleSet(rule_set)]


# --- deciding and explaining step 6 ----------------------------------------------------


def rule_set_decision(
    facts: AccountFacts, params: RuleParameters, context: PortfolioContext
) -> tuple[int, tuple[str, ...], Decimal | None]:
    """The region's rule set's priority, its reasons, and the EMEA score (None elsewhere)."""
    if facts.rule_set == RuleSet.EMEA_ENTERPRISE:
        return _emea_decision(facts, params, context)
    rules = _listed_rules(facts.rule_set)
    fired = tuple(rule.code for rule in rules if rule.fired(facts, params, context))
    return (1, fired, None) if fired else (2, ("default",), None)


def rule_set_checks(
    facts: AccountFacts, params: RuleParameters, context: PortfolioContext
) -> list[RuleCheck]:
    """Every rule of the region's rule set, with its facts and outcome."""
    if facts.rule_set == RuleSet.EMEA_ENTERPRISE:
        checks = [rule.check(facts, params, context) for rule in EMEA_PARAMETERS]
        checks.append(_emea_selection_check(facts, params, context))
        return checks
    return [rule.check(facts, params, context) for rule in _listed_rules(facts.rule_set)]
