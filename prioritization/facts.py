"""The plain data the priority rules read (DESIGN section 4): pure, no Django.

One account's facts, its region's rule-set parameters, the portfolio context of the
night, and `Rule`, the yes/no rule whose `fired` serves both `decide()` and `explain()`
(prioritization/rules.py), with the fact helpers the rule tables share
(prioritization/rule_sets.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from lib.dates import add_months

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
def window_end(as_of: date, months: int) -> date:
    return add_months(as_of, months)


def closing_within(close_dates: tuple[date, ...], as_of: date, months: int) -> list[date]:
    """Close dates in (as_of, as_of + months]: still ahead, and soon enough."""
    if not close_dates:
        return []
    horizon = window_end(as_of, months)
    return sorted(day for day in close_dates if as_of < day <= horizon)


def busiest_active(facts: AccountFacts, kind: str, context: PortfolioContext) -> Decimal | None:
    if not facts.initiatives:  # most accounts: several rules ask, per account, every night
        return None
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


def active_user_share(facts: AccountFacts) -> Decimal | None:
    if not facts.licensed_users or facts.active_users is None:
        return None
    return Decimal(facts.active_users) / Decimal(facts.licensed_users)


def iso_days(days: Iterable[date]) -> list[str]:
    return [day.isoformat() for day in days]


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


@dataclass(frozen=True)
class Rule:
    """One yes/no rule: `fired` decides, `describe` and `facts` explain."""

    code: str
    describe: Callable[[RuleParameters], str]
    fired: Callable[[AccountFacts, RuleParameters, PortfolioContext], bool]
    facts: Callable[[AccountFacts, RuleParameters, PortfolioContext], dict[str, object]]
    weight: Callable[[RuleParameters], Decimal] = lambda params: Decimal(1)

    def applies(self, facts, params, context) -> bool:
        # A rule an admin weighted 0 is switched off: it neither scores nor shows as fired.
        return self.weight(params) > 0 and self.fired(facts, params, context)

    def check(self, facts, params, context) -> RuleCheck:
        return RuleCheck(
            code=self.code,
            description=self.describe(params),
            fired=self.applies(facts, params, context),
            facts=self.facts(facts, params, context),
        )
