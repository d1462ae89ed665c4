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
from dataclasses import dataclass, replace
from decimal import Decimal

from lib.rule_sets import RuleSet
from segments.codes import SegmentCode

from .facts import (
    AccountFacts,
    InitiativeFact,
    PortfolioContext,
    Rule,
    RuleCheck,
    RuleParameters,
    lam_headroom,
)
from .rankings import EmeaRanking, TopArrRanking, emea_score
from .rule_sets import (
    COMMERCIAL_RULES,
    EMEA_PARAMETERS,
    US_ENTERPRISE_RULES,
    rule_set_checks,
    rule_set_decision,
)

# What callers read from here: the facts, the tables and the rankings live beside it.
__all__ = [
    "COMMERCIAL_RULES",
    "EMEA_PARAMETERS",
    "PRECEDENCE_RULES",
    "US_ENTERPRISE_RULES",
    "AccountFacts",
    "Assessment",
    "Decision",
    "EmeaRanking",
    "InitiativeFact",
    "PortfolioContext",
    "Rule",
    "RuleCheck",
    "RuleParameters",
    "TopArrRanking",
    "assess",
    "decide",
    "emea_score",
    "explain",
    "lam_headroom",
    "reaches_rule_set",
]

# --- precedence: steps 1 to 5 ---------------------------------------------------------


def _unmanaged_child(facts: AccountFacts) -> bool:
    return facts.is_child and not facts.managed


def _digital(facts: AccountFacts) -> bool:
    trial_digital = facts.digital_tam_trial and facts.tam_assigned and facts.digital
    return facts.segment in (None, SegmentCode.DIGITAL) or trial_digital


def _structural(facts: AccountFacts) -> tuple[int, tuple[str]] | None:
    """Steps 1 and 2: account shape and segment, which no decision overrides."""
    if _unmanaged_child(facts):
        return 3, ("unmanaged_child",)
    if _digital(facts):
        return 4, ("digital",)
    if facts.segment == SegmentCode.ONBOARDING:
        return (1, ("onboarding",)) if facts.onboarding_open else (4, ("onboarding_complete",))
    return None


def _iso_or_none(day) -> str | None:
    return day and day.isoformat()


PRECEDENCE_RULES = (
    Rule(
        code="unmanaged_child",
        describe=lambda p: "Unmanaged child account: Pr3",
        fired=lambda f, p, c: _unmanaged_child(f),
        facts=lambda f, p, c: {"child_account": f.is_child, "managed": f.managed},
    ),
    Rule(
        code="digital",
        describe=lambda p: (
            "Digital-Only or no segment, or a trial region's digital TAM customer: Pr4"
        ),
        fired=lambda f, p, c: _digital(f),
        facts=lambda f, p, c: {
            "segment": f.segment,
            "marked_digital": f.digital,
            "region_trials_digital_tam": f.digital_tam_trial,
        },
    ),
    Rule(
        code="onboarding_segment",
        describe=lambda p: "Onboarding segment: Pr1 during the six-week program, Pr4 once complete",
        fired=lambda f, p, c: f.segment == SegmentCode.ONBOARDING,
        facts=lambda f, p, c: {"segment": f.segment, "onboarding_open": f.onboarding_open},
    ),
    Rule(
        code="exception",
        describe=lambda p: "Approved, unexpired priority exception",
        fired=lambda f, p, c: f.exception_priority is not None,
        facts=lambda f, p, c: {"exception_priority": f.exception_priority},
    ),
    Rule(
        code="review",
        describe=lambda p: "Manager-approved priority for the quarter (EMEA review)",
        fired=lambda f, p, c: (
            f.review_priority is not None and f.rule_set == RuleSet.EMEA_ENTERPRISE
        ),
        facts=lambda f, p, c: {"review_priority": f.review_priority, "quarter": c.quarter_label},
    ),
    Rule(
        code="onboarding",
        describe=lambda p: (
            "New customer in onboarding (customer-since set, not yet onboarded): Pr1"
        ),
        fired=lambda f, p, c: f.onboarding_open,
        facts=lambda f, p, c: {
            "customer_since": _iso_or_none(f.customer_since),
            "onboarded_on": _iso_or_none(f.onboarded_on),
        },
    ),
)


def reaches_rule_set(facts: AccountFacts) -> bool:
    """Whether step 6 (the region's rule set) decides the model's priority."""
    return _structural(facts) is None and not facts.onboarding_open


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


def decide(facts: AccountFacts, params: RuleParameters, context: PortfolioContext) -> Decision:
    """The priority and its reasons, evaluating only what the precedence needs."""
    structural = _structural(facts)
    if structural is not None:
        return _model_decision(*structural)
    if facts.onboarding_open:
        model = _model_decision(1, ("onboarding",))
    else:
        computed, computed_reasons, score = rule_set_decision(facts, params, context)
        if score is None:
            model = _model_decision(computed, computed_reasons)
        else:
            model = Decision(computed, computed_reasons, computed, computed_reasons, "model", score)
    if facts.exception_priority is not None:
        code = f"p{facts.exception_priority}_exception"
        return replace(
            model,
            priority=facts.exception_priority,
            reasons=(code, *model.computed_reasons),
            source="exception",
        )
    # Reviews are the EMEA process (page 004: "TAM to propose ... review during 1:1s").
    if facts.review_priority is not None and facts.rule_set == RuleSet.EMEA_ENTERPRISE:
        return replace(
            model,
            priority=facts.review_priority,
            reasons=("review", *model.computed_reasons),
            source="review",
        )
    return model


@functools.cache
def _model_decision(priority: int, reasons: tuple[str, ...]) -> Decision:
    """The model's own decision, without an EMEA score. A Decision cannot change and there
    are few of these (a priority and the codes that fired), so each is built once and
    shared: the nightly run decides every account, most of them on these."""
    return Decision(priority, reasons, priority, reasons, "model")


def explain(
    facts: AccountFacts, params: RuleParameters, context: PortfolioContext
) -> tuple[RuleCheck, ...]:
    """Every rule of the precedence and of the region's rule set, with its facts and outcome."""
    checks = [rule.check(facts, params, context) for rule in PRECEDENCE_RULES]
    return (*checks, *rule_set_checks(facts, params, context))


@dataclass(frozen=True)
class Assessment(Decision):
    checks: tuple[RuleCheck, ...] = ()


def assess(facts: AccountFacts, params: RuleParameters, context: PortfolioContext) -> Assessment:
    """`decide` plus `explain`: what the account page shows."""
    decision = decide(facts, params, context)
    return Assessment(**vars(decision), checks=explain(facts, params, context))
