"""Priority rules (DESIGN section 4, page 004 "Customer Prioritization"): pure, no Django.

`decide()` takes one account's facts, its region's parameters and the portfolio context
(as-of date, fiscal quarter, the commercial ARR ranks and the EMEA accounts suggested at
Pr1) and returns the priority with its ordered reason codes, evaluating only what the
precedence needs: the nightly job calls it for every account. `explain()` evaluates every
rule and reports, for each, the facts it looked at and whether it fired; `assess()` is
both, for the account page. Each rule is one `Rule` whose `fired` serves both paths, so
the explanation cannot disagree with the decision.

Precedence, first that applies decides:
1. unmanaged child account -> Pr3 (`unmanaged_child`)
2. Digital-Only segment or no segment -> Pr4 (`digital`); a TAM-assigned account marked
   digital in a region trialling digital TAM customers -> Pr4 (`digital`); an
   Onboarding-segment account -> Pr1 while its onboarding is open (`onboarding`), Pr4
   once it is complete (`onboarding_complete`)
3. an approved, unexpired exception -> its priority (`p1_exception` / `p2_exception`)
4. an approved review decision for the quarter (EMEA) -> its priority (`review`)
5. onboarding open (customer-since set, onboarded date empty) -> Pr1 (`onboarding`)
6. the region's rule set: US Enterprise flowchart, EMEA Enterprise scoring, Commercial
   qualification.

The model's own answer (steps 1, 2, 5, 6) is the computed priority; steps 3 and 4 are
people's decisions layered on top. Reasons: the deciding code(s); when an exception or
review decides, its code comes first, followed by what the model alone would say (so
`p1_exception;default` reads "Pr1 by exception, the model says Pr2").
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from lib.dates import add_months
from lib.rule_sets import RuleSet

US_ENTERPRISE = RuleSet.US_ENTERPRISE
EMEA_ENTERPRISE = RuleSet.EMEA_ENTERPRISE
COMMERCIAL = RuleSet.COMMERCIAL

DIGITAL_SEGMENT = "digital"
ONBOARDING_SEGMENT = "onboarding"

STAGE_ADOPTION = "stage_adoption"
INFRASTRUCTURE_CHANGE = "infrastructure_change"
EXPANSION_PLAY = "expansion_play"


# Facts are built once per account per night: plain slotted classes, not frozen ones,
# whose field-by-field object.__setattr__ would cost more than the rules themselves.
@dataclass(slots=True)
class InitiativeFact:
    kind: str
    hours_per_week: Decimal | None
    starts_on: date
    ends_on: date | None = None

    def active_in(self, context: PortfolioContext) -> bool:
        """Under way on the as-of date or starting later in its quarter ("current/upcoming")."""
        return self.starts_on <= context.quarter_end and (
            self.ends_on is None or self.ends_on >= context.as_of
        )


@dataclass(slots=True)
class AccountFacts:
    account_id: int
    rule_set: str
    segment: str | None = None
    tam_assigned: bool = False
    tam_id: int | None = None
    digital_tam_trial: bool = False
    is_child: bool = False
    managed: bool = True
    digital: bool = False
    customer_since: date | None = None
    onboarded_on: date | None = None
    arr: Decimal | None = None
    lam: Decimal | None = None
    lam_confidence: str = ""
    at_risk: bool = False
    in_triage: bool = False
    last_nps: int | None = None
    success_plan: str = "none"
    critical_project: bool = False
    key_logo: bool = False
    channel_engaged: bool = False
    org_change: bool = False
    weekly_engagement: bool = False
    tam_handover: bool = False
    licensed_users: int | None = None
    active_users: int | None = None
    stages_adopted: int = 0
    uptier_close_dates: tuple[date, ...] = ()
    growth_close_dates: tuple[date, ...] = ()
    initiatives: tuple[InitiativeFact, ...] = ()
    exception_priority: int | None = None
    review_priority: int | None = None

    @property
    def onboarding_open(self) -> bool:
        return self.customer_since is not None and self.onboarded_on is None


@dataclass(frozen=True)
class RuleParameters:
    """The numbers of a region's rule set; defaults are DESIGN section 4's."""

    uptier_window_months: int = 6
    stage_adoption_min_hours: Decimal = Decimal(2)
    infra_change_min_hours: Decimal = Decimal(2)
    lam_headroom_percent: Decimal = Decimal(10)
    pr1_cap_per_tam: int = 8
    user_onboarding_share: Decimal = Decimal("0.5")
    weight_org_change: Decimal = Decimal(1)
    weight_onboarding: Decimal = Decimal(1)
    weight_infra_change: Decimal = Decimal(1)
    weight_weekly_engagement: Decimal = Decimal(1)
    weight_lam_gap: Decimal = Decimal(1)
    weight_expansion_play: Decimal = Decimal(1)
    weight_tam_handover: Decimal = Decimal(1)
    top_arr_rank: int = 30
    churn_nps_max: int = 6
    min_stages_adopted: int = 3
    low_stage_adoption_min_arr: Decimal = Decimal(75000)
    commercial_uptier_window_months: int = 9


@dataclass(frozen=True)
class PortfolioContext:
    as_of: date
    quarter_label: str
    quarter_start: date
    quarter_end: date
    # Commercial: rank by ARR among the region's TAM-assigned accounts (1 = largest),
    # given at least for every account within its region's top N.
    arr_ranks: Mapping[int, int] = field(default_factory=dict)
    # EMEA: the accounts the per-TAM ranking suggests at Pr1 (see EmeaRanking).
    emea_pr1_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class RuleCheck:
    code: str
    description: str
    fired: bool
    facts: dict[str, object]


# --- shared facts --------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _horizon(as_of: date, months: int) -> date:
    return add_months(as_of, months)


def _closing_within(close_dates: tuple[date, ...], as_of: date, months: int) -> list[date]:
    """Close dates in (as_of, as_of + months]: still ahead, and soon enough."""
    if not close_dates:
        return []
    horizon = _horizon(as_of, months)
    return sorted(day for day in close_dates if as_of < day <= horizon)


def _busiest_active(facts: AccountFacts, kind: str, context: PortfolioContext) -> Decimal | None:
    hours = [
        initiative.hours_per_week or Decimal(0)
        for initiative in facts.initiatives
        if initiative.kind == kind and initiative.active_in(context)
    ]
    return max(hours) if hours else None


def lam_headroom(facts: AccountFacts, params: RuleParameters) -> tuple[bool, Decimal | None]:
    """LAM confidence high and (LAM - ARR) / ARR above the headroom percentage."""
    if facts.lam is None or not facts.arr:
        return False, None
    headroom = (facts.lam - facts.arr) / facts.arr * 100
    return facts.lam_confidence == "high" and headroom > params.lam_headroom_percent, headroom


def _active_user_share(facts: AccountFacts) -> Decimal | None:
    if not facts.licensed_users or facts.active_users is None:
        return None
    return Decimal(facts.active_users) / Decimal(facts.licensed_users)


def _iso(days: Iterable[date]) -> list[str]:
    return [day.isoformat() for day in days]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


@dataclass(frozen=True)
class Rule:
    """One yes/no rule: `fired` decides, `describe` and `facts` explain."""

    code: str
    describe: Callable[[RuleParameters], str]
    fired: Callable[[AccountFacts, RuleParameters, PortfolioContext], bool]
    facts: Callable[[AccountFacts, RuleParameters, PortfolioContext], dict[str, object]]
    weight: Callable[[RuleParameters], Decimal] = lambda params: Decimal(1)

    def check(self, facts, params, context) -> RuleCheck:
        return RuleCheck(
            self.code,
            self.describe(params),
            self.fired(facts, params, context),
            self.facts(facts, params, context),
        )


# --- precedence: steps 1, 2 and 5 -----------------------------------------------------


def _unmanaged_child(facts: AccountFacts) -> bool:
    return facts.is_child and not facts.managed


def _digital(facts: AccountFacts) -> bool:
    trial_digital = facts.digital_tam_trial and facts.tam_assigned and facts.digital
    return facts.segment in (None, DIGITAL_SEGMENT) or trial_digital


def _structural(facts: AccountFacts) -> tuple[int, str] | None:
    """Steps 1 and 2: account shape and segment, which no decision overrides."""
    if _unmanaged_child(facts):
        return 3, "unmanaged_child"
    if _digital(facts):
        return 4, "digital"
    if facts.segment == ONBOARDING_SEGMENT:
        return (1, "onboarding") if facts.onboarding_open else (4, "onboarding_complete")
    return None


PRECEDENCE_RULES = (
    Rule("unmanaged_child", lambda p: "Unmanaged child account: Pr3",
         lambda f, p, c: _unmanaged_child(f),
         lambda f, p, c: {"child_account": f.is_child, "managed": f.managed}),
    Rule("digital",
         lambda p: "Digital-Only or no segment, or a trial region's digital TAM customer: Pr4",
         lambda f, p, c: _digital(f),
         lambda f, p, c: {"segment": f.segment, "marked_digital": f.digital,
                          "region_trials_digital_tam": f.digital_tam_trial}),
    Rule("onboarding_segment",
         lambda p: "Onboarding segment: Pr1 during the six-week program, Pr4 once complete",
         lambda f, p, c: f.segment == ONBOARDING_SEGMENT,
         lambda f, p, c: {"segment": f.segment, "onboarding_open": f.onboarding_open}),
    Rule("exception", lambda p: "Approved, unexpired priority exception",
         lambda f, p, c: f.exception_priority is not None,
         lambda f, p, c: {"exception_priority": f.exception_priority}),
    Rule("review", lambda p: "Manager-approved priority for the quarter (EMEA review)",
         lambda f, p, c: f.review_priority is not None and f.rule_set == EMEA_ENTERPRISE,
         lambda f, p, c: {"review_priority": f.review_priority, "quarter": c.quarter_label}),
    Rule("onboarding",
         lambda p: "New customer in onboarding (customer-since set, not yet onboarded): Pr1",
         lambda f, p, c: f.onboarding_open,
         lambda f, p, c: {"customer_since": f.customer_since and f.customer_since.isoformat(),
                          "onboarded_on": f.onboarded_on and f.onboarded_on.isoformat()}),
)  # fmt: skip


# --- US Enterprise: the flowchart of page 004, any yes is Pr1 ------------------------


def _us_uptier(f: AccountFacts, p: RuleParameters, c: PortfolioContext) -> list[date]:
    return _closing_within(f.uptier_close_dates, c.as_of, p.uptier_window_months)


def _hours_above(kind: str, threshold: Callable[[RuleParameters], Decimal]):
    def fired(f: AccountFacts, p: RuleParameters, c: PortfolioContext) -> bool:
        hours = _busiest_active(f, kind, c)
        return hours is not None and hours > threshold(p)

    return fired


US_ENTERPRISE_RULES = (
    Rule("uptier_opportunity",
         lambda p: f"Open up-tier opportunity closing in the next {p.uptier_window_months} months",
         lambda f, p, c: bool(_us_uptier(f, p, c)),
         lambda f, p, c: {"open_uptier_close_dates": _iso(sorted(f.uptier_close_dates)),
                          "window_ends": _horizon(c.as_of, p.uptier_window_months).isoformat()}),
    Rule("stage_adoption",
         lambda p: f"Stage adoption this quarter needing more than "
                   f"{p.stage_adoption_min_hours} TAM hours a week",
         _hours_above(STAGE_ADOPTION, lambda p: p.stage_adoption_min_hours),
         lambda f, p, c: {"stage_adoption_hours_per_week":
                          _money(_busiest_active(f, STAGE_ADOPTION, c))}),
    Rule("infra_change",
         lambda p: f"Infrastructure change this quarter needing more than "
                   f"{p.infra_change_min_hours} TAM hours a week",
         _hours_above(INFRASTRUCTURE_CHANGE, lambda p: p.infra_change_min_hours),
         lambda f, p, c: {"infra_change_hours_per_week":
                          _money(_busiest_active(f, INFRASTRUCTURE_CHANGE, c))}),
    Rule("churn_risk", lambda p: "At risk of contraction or churn",
         lambda f, p, c: f.at_risk, lambda f, p, c: {"at_risk": f.at_risk}),
)  # fmt: skip


def us_enterprise_context(
    facts: AccountFacts, params: RuleParameters, context: PortfolioContext
) -> dict[str, object]:
    """Shown beside the priority, not rules: the flowchart does not use them."""
    headroom, percent = lam_headroom(facts, params)
    growth = _closing_within(facts.growth_close_dates, context.as_of, params.uptier_window_months)
    return {
        "lam_headroom": headroom,
        "lam_headroom_percent": _money(percent),
        "growth_in_next_months": bool(growth),
    }


# --- EMEA Enterprise: seven weighted parameters, top N per TAM ------------------------


def _still_onboarding_users(f: AccountFacts, p: RuleParameters, c: PortfolioContext) -> bool:
    share = _active_user_share(f)
    return share is not None and share < p.user_onboarding_share


def _any_infra_hours(f: AccountFacts, p: RuleParameters, c: PortfolioContext) -> bool:
    hours = _busiest_active(f, INFRASTRUCTURE_CHANGE, c)
    return hours is not None and hours > 0


def _any_play(f: AccountFacts, p: RuleParameters, c: PortfolioContext) -> bool:
    """Page 004: "Stage adoption or expansion plays as part of success planning"."""
    return any(_busiest_active(f, kind, c) is not None for kind in (EXPANSION_PLAY, STAGE_ADOPTION))


EMEA_PARAMETERS = (
    Rule("org_change", lambda p: "Organisational change within the customer",
         lambda f, p, c: f.org_change, lambda f, p, c: {"org_change": f.org_change},
         lambda p: p.weight_org_change),
    Rule("lifecycle_onboarding",
         lambda p: f"Still onboarding most users (active below "
                   f"{p.user_onboarding_share:.0%} of licensed)",
         _still_onboarding_users,
         lambda f, p, c: {"active_users": f.active_users, "licensed_users": f.licensed_users},
         lambda p: p.weight_onboarding),
    Rule("infra_change", lambda p: "Current or upcoming infrastructure change (any TAM hours)",
         _any_infra_hours,
         lambda f, p, c: {"infra_change_hours_per_week":
                          _money(_busiest_active(f, INFRASTRUCTURE_CHANGE, c))},
         lambda p: p.weight_infra_change),
    Rule("weekly_engagement", lambda p: "Customer wishes to collaborate weekly",
         lambda f, p, c: f.weekly_engagement,
         lambda f, p, c: {"weekly_engagement": f.weekly_engagement},
         lambda p: p.weight_weekly_engagement),
    Rule("lam_gap",
         lambda p: f"LAM gap: high-confidence LAM more than {p.lam_headroom_percent}% above ARR",
         lambda f, p, c: lam_headroom(f, p)[0],
         lambda f, p, c: {"lam": _money(f.lam), "arr": _money(f.arr),
                          "lam_confidence": f.lam_confidence,
                          "headroom_percent": _money(lam_headroom(f, p)[1])},
         lambda p: p.weight_lam_gap),
    Rule("expansion_play", lambda p: "Stage adoption or expansion play in success planning",
         _any_play,
         lambda f, p, c: {"active_expansion_play":
                          _busiest_active(f, EXPANSION_PLAY, c) is not None,
                          "active_stage_adoption":
                          _busiest_active(f, STAGE_ADOPTION, c) is not None},
         lambda p: p.weight_expansion_play),
    Rule("tam_handover", lambda p: "TAM account handover",
         lambda f, p, c: f.tam_handover, lambda f, p, c: {"tam_handover": f.tam_handover},
         lambda p: p.weight_tam_handover),
)  # fmt: skip


def emea_fired(
    facts: AccountFacts, params: RuleParameters, context: PortfolioContext
) -> tuple[Decimal, tuple[str, ...]]:
    """The parameter score (sum of the weights of the parameters that fired) and their codes."""
    score, codes = Decimal(0), []
    for rule in EMEA_PARAMETERS:
        weight = rule.weight(params)
        # A parameter an admin weighted 0 is switched off: it neither scores nor explains.
        if weight > 0 and rule.fired(facts, params, context):
            score += weight
            codes.append(rule.code)
    return score, tuple(codes)


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


def reaches_rule_set(facts: AccountFacts) -> bool:
    """Whether step 6 (the region's rule set) decides the model's priority."""
    return _structural(facts) is None and not facts.onboarding_open


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
        "emea_parameters",
        f"Among the TAM's top {params.pr1_cap_per_tam} accounts by parameter score, then ARR",
        score > 0 and facts.account_id in context.emea_pr1_ids,
        {"score": f"{score}", "cap_per_tam": params.pr1_cap_per_tam},
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


COMMERCIAL_RULES = (
    Rule("top_arr", lambda p: f"Top {p.top_arr_rank} account of the region by ARR",
         _top_arr,
         lambda f, p, c: {"arr_rank": c.arr_ranks.get(f.account_id), "arr": _money(f.arr)}),
    Rule("churn_risk", lambda p: f"At risk, in triage or last NPS {p.churn_nps_max} or lower",
         lambda f, p, c: f.at_risk or f.in_triage or _nps_risk(f, p),
         lambda f, p, c: {"at_risk": f.at_risk, "in_triage": f.in_triage,
                          "last_nps": f.last_nps}),
    Rule("no_objectives", lambda p: "Success plan missing or unclear",
         lambda f, p, c: f.success_plan in ("none", "unclear"),
         lambda f, p, c: {"success_plan": f.success_plan}),
    Rule("critical_project", lambda p: "Success plan includes a critical project",
         lambda f, p, c: f.critical_project,
         lambda f, p, c: {"critical_project": f.critical_project}),
    Rule("uptier_opportunity",
         lambda p: f"Open up-tier opportunity closing within "
                   f"{p.commercial_uptier_window_months} months",
         lambda f, p, c: bool(_closing_within(f.uptier_close_dates, c.as_of,
                                              p.commercial_uptier_window_months)),
         lambda f, p, c: {"open_uptier_close_dates": _iso(sorted(f.uptier_close_dates))}),
    Rule("key_logo", lambda p: "Key logo or case study agreement",
         lambda f, p, c: f.key_logo, lambda f, p, c: {"key_logo": f.key_logo}),
    Rule("channel", lambda p: "Channel partner engaged",
         lambda f, p, c: f.channel_engaged,
         lambda f, p, c: {"channel_engaged": f.channel_engaged}),
    Rule("low_stage_adoption",
         lambda p: f"Fewer than {p.min_stages_adopted} stages adopted at ARR of "
                   f"${p.low_stage_adoption_min_arr:,.0f} or more",
         _low_stage_adoption,
         lambda f, p, c: {"stages_adopted": f.stages_adopted, "arr": _money(f.arr)}),
)  # fmt: skip

RULE_SETS = {US_ENTERPRISE: US_ENTERPRISE_RULES, COMMERCIAL: COMMERCIAL_RULES}


def _rule_set_rules(rule_set: str) -> tuple[Rule, ...]:
    """The listed rules of a rule set; an unknown name raises instead of passing for
    US Enterprise (EMEA is scored, not listed)."""
    return RULE_SETS[RuleSet(rule_set)]


# --- deciding and explaining -----------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    priority: int
    reasons: tuple[str, ...]
    computed_priority: int
    computed_reasons: tuple[str, ...]
    source: str  # "model", "exception" or "review"
    emea_score: Decimal | None = None

    @property
    def reasons_text(self) -> str:
        return ";".join(self.reasons)


def _rule_set_decision(
    facts: AccountFacts, params: RuleParameters, context: PortfolioContext
) -> tuple[int, tuple[str, ...], Decimal | None]:
    if facts.rule_set == EMEA_ENTERPRISE:
        return _emea_decision(facts, params, context)
    rules = _rule_set_rules(facts.rule_set)
    fired = tuple(rule.code for rule in rules if rule.fired(facts, params, context))
    return (1, fired, None) if fired else (2, ("default",), None)


def decide(facts: AccountFacts, params: RuleParameters, context: PortfolioContext) -> Decision:
    """The priority and its reasons, evaluating only what the precedence needs."""
    structural = _structural(facts)
    score = None
    if structural is not None:
        computed, computed_reasons = structural[0], (structural[1],)
    elif facts.onboarding_open:
        computed, computed_reasons = 1, ("onboarding",)
    else:
        computed, computed_reasons, score = _rule_set_decision(facts, params, context)

    if structural is None and facts.exception_priority is not None:
        code = f"p{facts.exception_priority}_exception"
        return Decision(facts.exception_priority, (code, *computed_reasons), computed,
                        computed_reasons, "exception", score)  # fmt: skip
    # Reviews are the EMEA process (page 004: "TAM to propose ... review during 1:1s").
    if (
        structural is None
        and facts.review_priority is not None
        and facts.rule_set == EMEA_ENTERPRISE
    ):
        return Decision(facts.review_priority, ("review", *computed_reasons), computed,
                        computed_reasons, "review", score)  # fmt: skip
    return Decision(computed, computed_reasons, computed, computed_reasons, "model", score)


def explain(
    facts: AccountFacts, params: RuleParameters, context: PortfolioContext
) -> tuple[RuleCheck, ...]:
    """Every rule of the precedence and of the region's rule set, with its facts and outcome."""
    checks = [rule.check(facts, params, context) for rule in PRECEDENCE_RULES]
    if facts.rule_set == EMEA_ENTERPRISE:
        checks += [rule.check(facts, params, context) for rule in EMEA_PARAMETERS]
        checks.append(_emea_selection_check(facts, params, context))
    else:
        rules = _rule_set_rules(facts.rule_set)
        checks += [rule.check(facts, params, context) for rule in rules]
    return tuple(checks)


@dataclass(frozen=True)
class Assessment(Decision):
    checks: tuple[RuleCheck, ...] = ()


def assess(facts: AccountFacts, params: RuleParameters, context: PortfolioContext) -> Assessment:
    """`decide` plus `explain`: what the account page shows."""
    decision = decide(facts, params, context)
    return Assessment(**vars(decision), checks=explain(facts, params, context))
