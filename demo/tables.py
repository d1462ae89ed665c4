"""The shape of the synthetic portfolio: every share, chance and weight the demo draws
from, in one place. `bench/build_portfolio.py` draws from the same tables, only more
accounts.

Weights are relative (they need not add up to 100); chances are per account unless the
name says otherwise. `Distribution` draws from a dict of weights exactly as
`random.choices` would, with the cumulative weights summed once.
"""

from __future__ import annotations

from bisect import bisect
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate

from accounts.models import (
    Health,
    InitiativeKind,
    OpportunityKind,
    OpportunityStatus,
    Outcome,
    PlaybookKind,
    Region,
    RuleSet,
    SuccessPlanState,
    SurveyKind,
)
from segments.codes import SegmentCode

DEFAULT_ACCOUNTS = 3000
DEFAULT_SEED = 42
HISTORY_QUARTERS = 6


class Distribution:
    """Values with their relative weights; `draw` picks one as `rng.choices(values,
    weights)` does, with the same random draw and so the same result."""

    def __init__(self, weights: dict):
        self.values = tuple(weights)
        self.cumulative = tuple(accumulate(weights.values()))
        self.total = self.cumulative[-1] + 0.0

    def draw(self, rng):
        return self.values[weighted_index(self.cumulative, self.total, rng)]


def weighted_index(cumulative, total: float, rng) -> int:
    """What `rng.choices(range(n), cum_weights=cumulative)[0]` returns, in a third of the
    time (CPython's algorithm, without its checks): a million accounts add up."""
    return bisect(cumulative, rng.random() * total, 0, len(cumulative) - 1)


# --- Teams -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamPlan:
    region_code: str
    name: str
    slug: str  # in usernames: manager.us1, tam.us1.03
    tams: int


TEAM_PLANS = (
    TeamPlan(region_code="us-enterprise", name="US Enterprise 1", slug="us1", tams=9),
    TeamPlan(region_code="us-enterprise", name="US Enterprise 2", slug="us2", tams=9),
    TeamPlan(region_code="emea-enterprise", name="EMEA Enterprise", slug="emea", tams=9),
    TeamPlan(region_code="apac-enterprise", name="APAC Enterprise", slug="apac", tams=6),
    TeamPlan(region_code="public-sector", name="Public Sector", slug="pubsec", tams=6),
    TeamPlan(region_code="commercial-noram", name="Commercial NORAM", slug="noram", tams=8),
    TeamPlan(region_code="commercial-latam", name="Commercial LATAM", slug="latam", tams=5),
    TeamPlan(region_code="commercial-emea", name="Commercial EMEA", slug="cemea", tams=8),
)
# Commercial TAMs carry more, smaller accounts than enterprise TAMs.
COMMERCIAL_BOOK_WEIGHT = 1.4


def is_commercial(region: Region) -> bool:
    return region.rule_set == RuleSet.COMMERCIAL


def tams_per_region() -> dict[str, int]:
    """The demo's TAMs per region code: how the portfolio's TAMs spread over regions."""
    tams: dict[str, int] = {}
    for plan in TEAM_PLANS:
        tams[plan.region_code] = tams.get(plan.region_code, 0) + plan.tams
    return tams


# --- Accounts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ArrBand:
    """An ARR range that lands in one default segment (DESIGN section 3), with how much
    TAM work an account of that size attracts in the demo."""

    code: str
    low: int
    high: int
    enterprise_weight: float  # share of enterprise accounts, in percent
    commercial_weight: float  # share of commercial accounts, in percent
    engagement: float  # 0..1: scales initiatives, opportunities, playbooks
    fewest_stages: int  # stages adopted, drawn between these two
    most_stages: int
    cadence_days: int | None  # typical days between cadence calls; None: no calls
    ebr_chance_per_year: float


ARR_BANDS = (
    ArrBand(
        code=SegmentCode.STRATEGIC, low=500_000, high=4_000_000,
        enterprise_weight=3, commercial_weight=0.5, engagement=1.0,
        fewest_stages=4, most_stages=7, cadence_days=30, ebr_chance_per_year=0.85,
    ),
    ArrBand(
        code=SegmentCode.NAMED, low=100_000, high=500_000,
        enterprise_weight=18, commercial_weight=6, engagement=0.7,
        fewest_stages=3, most_stages=7, cadence_days=35, ebr_chance_per_year=0.5,
    ),
    ArrBand(
        code=SegmentCode.MID_TOUCH, low=50_000, high=100_000,
        enterprise_weight=24, commercial_weight=16, engagement=0.45,
        fewest_stages=2, most_stages=6, cadence_days=60, ebr_chance_per_year=0.3,
    ),
    ArrBand(
        code=SegmentCode.ONBOARDING, low=20_000, high=50_000,
        enterprise_weight=22, commercial_weight=30, engagement=0.2,
        fewest_stages=1, most_stages=4, cadence_days=None, ebr_chance_per_year=0.0,
    ),
    ArrBand(
        code=SegmentCode.DIGITAL, low=5_000, high=20_000,
        enterprise_weight=30, commercial_weight=44.5, engagement=0.05,
        fewest_stages=1, most_stages=3, cadence_days=None, ebr_chance_per_year=0.0,
    ),
    ArrBand(
        code="below-digital", low=1_000, high=5_000,
        enterprise_weight=3, commercial_weight=3, engagement=0.0,
        fewest_stages=1, most_stages=2, cadence_days=None, ebr_chance_per_year=0.0,
    ),
)  # fmt: skip
TAM_ASSIGNED_ENGAGEMENT = 0.45  # bands at or above this are TAM-assigned by ARR alone
CHURNABLE_BANDS = (SegmentCode.MID_TOUCH, SegmentCode.ONBOARDING, SegmentCode.DIGITAL)

CHILD_ACCOUNT_SHARE = 0.08
FEDERAL_SHARE = 0.15  # of Public Sector names: federal bodies, the rest state and local
UNMANAGED_CHILD_SHARE = 0.5
RECENT_CUSTOMER_SHARE = 0.10  # per band: customers of this and the previous quarter
CUSTOMER_HISTORY_DAYS = 3 * 365
FAST_ONBOARDING_SHARE = 0.25  # recent customers engaged within days, onboarded in 14-20
FAST_ONBOARDING_DAYS = (14, 20)
DERIVED_FIRST_VALUE_SHARE = 0.4  # recent customers whose first value nobody entered
NO_LAM_SHARE = 0.12
HIGH_LAM_CONFIDENCE_SHARE = 0.4
HIGH_LAM_SMALL_ACCOUNT_SHARE = 0.08  # small accounts made Mid-Touch by a high LAM
UNKNOWN_USAGE_SHARE = 0.05
LOW_UTILISATION_SHARE = 0.15
# Per user and year, drawn with equal chance: the cheaper tier is twice as common.
SEAT_PRICES_USD = (348, 348, 1188)
HEALTH = Distribution({Health.GREEN: 80, Health.YELLOW: 15, Health.RED: 5})
# The TAM's sentiment follows what the TAM sees: a customer using under half its licences
# is seldom called green. Overall about 81% green, 15% yellow, 3% red.
HEALTH_BY_UTILISATION = {
    "low": Distribution({Health.GREEN: 55, Health.YELLOW: 35, Health.RED: 10}),
    "used": Distribution({Health.GREEN: 86, Health.YELLOW: 12, Health.RED: 2}),
}
AT_RISK_CHANCE = {Health.GREEN: 0.01, Health.YELLOW: 0.06, Health.RED: 0.35}
IN_TRIAGE_CHANCE = {Health.GREEN: 0.005, Health.YELLOW: 0.05, Health.RED: 0.25}
NPS_BY_HEALTH = {  # weight of each score: happy customers answer high
    Health.GREEN: Distribution(
        {0: 1, 1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 6: 5, 7: 9, 8: 15, 9: 16, 10: 12}
    ),
    Health.YELLOW: Distribution(
        {0: 1, 1: 2, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 9, 8: 8, 9: 5, 10: 3}
    ),
    Health.RED: Distribution({0: 4, 1: 4, 2: 5, 3: 6, 4: 6, 5: 7, 6: 6, 7: 4, 8: 3, 9: 2, 10: 1}),
}
LAST_NPS_SHARE = 0.85
# When the TAM last gave the sentiment (DESIGN 11: stale after 90 days): most within the
# 90 days, some left 91-200 days old (stale, so N/A in the score); a red account's TAM
# looks at it often, so red is never left stale.
SENTIMENT_FRESH_DAYS = {Health.GREEN: (0, 90), Health.YELLOW: (0, 90), Health.RED: (0, 45)}
SENTIMENT_STALE_DAYS = (91, 200)
STALE_SENTIMENT_CHANCE = {Health.GREEN: 0.1, Health.YELLOW: 0.1, Health.RED: 0.0}
CHURN_CHANCE = 0.04  # of those accounts whose renewal fell in the lookback
CHURN_LOOKBACK_DAYS = 150

# States of the success plan by how much TAM attention the account gets.
PLAN_STATES_TAM_ASSIGNED = Distribution(
    {
        SuccessPlanState.NONE: 10,
        SuccessPlanState.UNCLEAR: 10,
        SuccessPlanState.OBJECTIVES: 35,
        SuccessPlanState.GREEN: 45,
    }
)
PLAN_STATES_ONBOARDING = Distribution(
    {
        SuccessPlanState.NONE: 15,
        SuccessPlanState.UNCLEAR: 10,
        SuccessPlanState.OBJECTIVES: 30,
        SuccessPlanState.GREEN: 45,
    }
)
PLAN_STATES_DIGITAL = Distribution(
    {
        SuccessPlanState.NONE: 50,
        SuccessPlanState.UNCLEAR: 10,
        SuccessPlanState.OBJECTIVES: 25,
        SuccessPlanState.GREEN: 15,
    }
)
OBJECTIVE_COUNTS = {  # fewest and most objectives
    SuccessPlanState.UNCLEAR: (1, 2),
    SuccessPlanState.OBJECTIVES: (2, 4),
    SuccessPlanState.GREEN: (3, 5),  # a fully green plan has at least three objectives
}

# --- Facts the rules read beside the account --------------------------------------------

OPEN_OPPORTUNITY_BASE, OPEN_OPPORTUNITY_SCALE = 0.10, 0.20  # chance: base + scale x engagement
OPEN_OPPORTUNITY_MIXES = Distribution(
    {
        (OpportunityKind.TIER_UPGRADE,): 50,
        (OpportunityKind.GROWTH,): 35,
        (OpportunityKind.TIER_UPGRADE, OpportunityKind.GROWTH): 15,
    }
)
CLOSED_OPPORTUNITY_CHANCE = 0.12
CLOSED_OPPORTUNITY_STATUSES = Distribution(
    {OpportunityStatus.WON: 45, OpportunityStatus.LOST: 45, OpportunityStatus.CLOSED: 10}
)
INITIATIVE_BASE, INITIATIVE_SCALE = 0.03, 0.75  # chance: base + scale x engagement
INITIATIVE_KIND_WEIGHTS = {
    InitiativeKind.STAGE_ADOPTION: 50,
    InitiativeKind.INFRASTRUCTURE_CHANGE: 30,
    InitiativeKind.EXPANSION_PLAY: 20,
}
PREVIOUS_INITIATIVE_CHANCE = 0.3

STAGE_POPULARITY = {
    "Create": 100,
    "Verify": 80,
    "Plan": 40,
    "Secure": 35,
    "Package": 25,
    "Release": 25,
    "Manage": 20,
    "Configure": 15,
    "Monitor": 12,
    "Govern": 10,
}
INITIAL_ADOPTION_SHARE = Decimal("0.10")  # pages 002/003
BROAD_ADOPTION_SHARE = Decimal("0.50")

# --- The timeline ------------------------------------------------------------------------

LAPSED_CADENCE_SHARE = 0.12  # accounts whose calls stopped: the overdue lists need some
ONBOARDING_CALLS = 6  # "six weekly onboarding calls" (DESIGN section 3)
SURVEY_RESPONSE_CHANCE = {
    SurveyKind.ONBOARDING: 0.6,
    SurveyKind.SIX_MONTH: 0.4,
    SurveyKind.RENEWAL: 0.45,
}
RENEWAL_SURVEY_LEAD_DAYS = 110  # renewal surveys go out 110 days before renewal
PLAYBOOK_WIN_RATE = {PlaybookKind.STAGE_ADOPTION: 0.75, PlaybookKind.EXPANSION: 0.5}
# Chance that a play of the kind closes in a quarter, scaled by the band's engagement;
# Strategic accounts run an expansion play most quarters.
PLAYBOOKS_PER_QUARTER = {PlaybookKind.STAGE_ADOPTION: 0.5, PlaybookKind.EXPANSION: 0.15}
STRATEGIC_EXPANSIONS_PER_QUARTER = 0.8
PLAYBOOK_DAYS = (20, 120)
QUARTER_CLOSING_EXPANSIONS = (Outcome.WON, Outcome.LOST)  # closed this quarter, Strategic

# Usage snapshots: every four weeks back from as_of, weekly in a customer's first weeks.
SNAPSHOT_EVERY_DAYS = 28
ONBOARDING_SNAPSHOT_WEEKS = 13
UTILISATION_RAMP_DAYS = (30, 120)  # from first value (10% of users) to the account's level
HEALTH_CHANGE_PER_SNAPSHOT = 0.15  # chance per four weeks that health was different
LOW_UTILISATION = 0.5  # below half the licences in use: flagged for a save
LICENSE_FLAG_CHANCE = 0.5  # per low snapshot, once the usage ramp is over
LICENSE_FLAG_GAP_DAYS = 90
LICENSE_SAVED_RATE = 0.55

ONBOARDING_WEBINAR_WEEKDAY = 1  # Tuesday: one onboarding session a week, titles alternating
ONBOARDING_WEBINAR_SESSIONS = 4  # a new customer joins one of the first four after signing
ONBOARDING_WEBINAR_ATTENDANCE = 0.6
SECOND_ONBOARDING_SESSION = 0.5  # also attends the series' other title
EARLY_TOPIC_WEBINAR_DAYS = (3, 11)  # days into the quarter: one topic webinar early,
LATE_TOPIC_WEBINAR_DAYS = (35, 80)  # one later
WORKSHOP_DAYS = (20, 85)
WORKSHOP_CHANCE = 0.3  # per quarter
TOPIC_WEBINAR_ATTENDANCE = 0.05
STAYED_WHOLE_SESSION_RATE = 0.8
FEEDBACK_GIVEN_RATE = 0.7
FEEDBACK_SCORES = Distribution({1: 2, 2: 4, 3: 12, 4: 38, 5: 44})
