"""Demo portfolio: a realistic, reproducible data set to try TAM Portal with (DESIGN 9).

`build_demo_portfolio` writes teams, managers, TAMs and accounts with the history the
dashboards read: opportunities, initiatives, stage adoption, success-plan objectives,
webinars, an activity timeline, ARR snapshots and usage snapshots (licence use and health
every four weeks, weekly in a customer's first weeks) over the last six fiscal quarters.

The history is shaped so every lifecycle metric (`metrics/formulas.py`) has a population
in the current quarter, even a few weeks into it, and in the five before it (the trend):
customer-since dates are spread evenly within each ARR band, so every window a metric
looks at (the quarter's first weeks, the 60th and 90th days, renewal anniversaries) has
customers of every size; each band's newest customer signed in the quarter's first days
and onboarded fast; onboarding webinars run weekly; playbooks close every quarter, two of
them Strategic expansions closed this quarter; low-utilisation flags follow the usage
snapshots; and some recent customers have no first-value date, which the recompute
derives from their usage snapshots.

Every random draw comes from `random.Random` streams derived from `seed`, and every date
is relative to `as_of`, so the same seed and date give the same data, and the data always
looks current. Rows are built in memory and written in one transaction, the large tables
(activities, ARR and usage snapshots) as plain rows: 3,000 accounts must seed in seconds
on SQLite.

Limits: segments and priorities are left empty here; `seed_demo` runs the recompute
job afterwards, which derives them from the ARR, LAM and facts written here. The demo
refuses to write into a database that already has accounts, demo users or demo teams:
it never merges with or wipes real data.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import (
    Account,
    Activity,
    ActivityKind,
    ArrSnapshot,
    Health,
    Initiative,
    InitiativeKind,
    InitiativeStatus,
    LamConfidence,
    Milestone,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Outcome,
    PlaybookKind,
    Region,
    RuleSet,
    Stage,
    StageAdoption,
    SuccessPlanObjective,
    SuccessPlanState,
    SurveyKind,
    UsageSnapshot,
    Webinar,
)
from core.bulk import insert_rows
from lib.fiscal import FiscalQuarter, last_quarters
from people.models import Role, Team, User

DEMO_PASSWORD = "tam-portal-demo"
ADMIN_USERNAME = "admin"
DEFAULT_ACCOUNTS = 3000
DEFAULT_SEED = 42
HISTORY_QUARTERS = 6
BATCH_SIZE = 500


class DemoDataConflict(Exception):
    """The database already holds data the demo would collide with."""


# --- Shape of the portfolio ------------------------------------------------------------


@dataclass(frozen=True)
class TeamPlan:
    region_code: str
    name: str
    slug: str  # in usernames: manager.us1, tam.us1.03
    tams: int


TEAM_PLANS = (
    TeamPlan("us-enterprise", "US Enterprise 1", "us1", 9),
    TeamPlan("us-enterprise", "US Enterprise 2", "us2", 9),
    TeamPlan("emea-enterprise", "EMEA Enterprise", "emea", 9),
    TeamPlan("apac-enterprise", "APAC Enterprise", "apac", 6),
    TeamPlan("public-sector", "Public Sector", "pubsec", 6),
    TeamPlan("commercial-noram", "Commercial NORAM", "noram", 8),
    TeamPlan("commercial-latam", "Commercial LATAM", "latam", 5),
    TeamPlan("commercial-emea", "Commercial EMEA", "cemea", 8),
)
# Commercial TAMs carry more, smaller accounts than enterprise TAMs.
COMMERCIAL_BOOK_WEIGHT = 1.4

# The logins printed after seeding: one per role and rule set, so each model can be tried.
SHOWCASE_USERNAMES = (
    ADMIN_USERNAME,
    "manager.us1",
    "manager.emea",
    "manager.noram",
    "tam.us1.01",
    "tam.emea.01",
    "tam.noram.01",
)


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
    stage_count: tuple[int, int]
    cadence_days: int | None  # typical days between cadence calls; None: no calls
    ebr_chance_per_year: float


ARR_BANDS = (
    ArrBand("strategic", 500_000, 4_000_000, 3, 0.5, 1.0, (4, 7), 30, 0.85),
    ArrBand("named", 100_000, 500_000, 18, 6, 0.7, (3, 7), 35, 0.5),
    ArrBand("mid-touch", 50_000, 100_000, 24, 16, 0.45, (2, 6), 60, 0.3),
    ArrBand("onboarding", 20_000, 50_000, 22, 30, 0.2, (1, 4), None, 0.0),
    ArrBand("digital", 5_000, 20_000, 30, 44.5, 0.05, (1, 3), None, 0.0),
    ArrBand("below-digital", 1_000, 5_000, 3, 3, 0.0, (1, 2), None, 0.0),
)
TAM_ASSIGNED_ENGAGEMENT = 0.45  # bands at or above this are TAM-assigned by ARR alone

CHILD_ACCOUNT_SHARE = 0.08
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
SEAT_PRICES_USD = (348, 348, 1188)  # per user and year; the cheaper tier is more common
HEALTH_WEIGHTS = {Health.GREEN: 75, Health.YELLOW: 17, Health.RED: 8}
HEALTHS, HEALTH_CHANCES = tuple(HEALTH_WEIGHTS), tuple(HEALTH_WEIGHTS.values())
AT_RISK_CHANCE = {Health.GREEN: 0.01, Health.YELLOW: 0.06, Health.RED: 0.35}
IN_TRIAGE_CHANCE = {Health.GREEN: 0.005, Health.YELLOW: 0.05, Health.RED: 0.25}
NPS_WEIGHTS = {  # weights of scores 0..10: happy customers answer high
    Health.GREEN: (1, 1, 1, 2, 2, 3, 5, 9, 15, 16, 12),
    Health.YELLOW: (1, 2, 2, 3, 4, 6, 8, 9, 8, 5, 3),
    Health.RED: (4, 4, 5, 6, 6, 7, 6, 4, 3, 2, 1),
}
LAST_NPS_SHARE = 0.85
CHURNABLE_BANDS = ("mid-touch", "onboarding", "digital")
CHURN_CHANCE = 0.04  # of those accounts whose renewal fell in the lookback
CHURN_LOOKBACK_DAYS = 150

# States of the success plan by how much TAM attention the account gets.
PLAN_STATES = (
    SuccessPlanState.NONE,
    SuccessPlanState.UNCLEAR,
    SuccessPlanState.OBJECTIVES,
    SuccessPlanState.GREEN,
)
PLAN_STATE_WEIGHTS_TAM_ASSIGNED = (15, 15, 30, 40)
PLAN_STATE_WEIGHTS_ONBOARDING = (20, 15, 25, 40)
PLAN_STATE_WEIGHTS_DIGITAL = (70, 10, 12, 8)
OBJECTIVE_COUNTS = {
    SuccessPlanState.UNCLEAR: (1, 2),
    SuccessPlanState.OBJECTIVES: (2, 4),
    SuccessPlanState.GREEN: (3, 5),  # a fully green plan has at least three objectives
}

OPEN_OPPORTUNITY_BASE, OPEN_OPPORTUNITY_SCALE = 0.10, 0.20
OPEN_OPPORTUNITY_MIXES = (
    (OpportunityKind.TIER_UPGRADE,),
    (OpportunityKind.GROWTH,),
    (OpportunityKind.TIER_UPGRADE, OpportunityKind.GROWTH),
)
OPEN_OPPORTUNITY_MIX_WEIGHTS = (50, 35, 15)
CLOSED_OPPORTUNITY_CHANCE = 0.12
INITIATIVE_BASE, INITIATIVE_SCALE = 0.03, 0.75
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
UTILISATION_RAMP_DAYS = (60, 240)  # from first value (10% of users) to the account's level
HEALTH_CHANGE_PER_SNAPSHOT = 0.15  # chance per four weeks that health was different
LOW_UTILISATION = 0.5  # below half the licences in use: flagged for a save
LICENSE_FLAG_CHANCE = 0.5  # per low snapshot, once the usage ramp is over
LICENSE_FLAG_GAP_DAYS = 90
LICENSE_SAVED_RATE = 0.55

ONBOARDING_WEBINAR_WEEKDAY = 1  # Tuesday: one onboarding session a week, titles alternating
ONBOARDING_WEBINAR_SESSIONS = 4  # a new customer joins one of the first four after signing
ONBOARDING_WEBINAR_ATTENDANCE = 0.6
SECOND_ONBOARDING_SESSION = 0.5  # also attends the series' other title
TOPIC_WEBINAR_DAYS = ((3, 11), (35, 80))  # days into the quarter: one early, one later
WORKSHOP_DAYS = (20, 85)
TOPIC_WEBINAR_ATTENDANCE = 0.05
STAYED_WHOLE_SESSION_RATE = 0.8
FEEDBACK_GIVEN_RATE = 0.7
FEEDBACK_WEIGHTS = (2, 4, 12, 38, 44)  # scores 1..5

# --- Word lists --------------------------------------------------------------------------

FIRST_NAMES = (
    "Aisha", "Alejandro", "Amelia", "Ana", "Andrei", "Arjun", "Ben", "Camila", "Carlos",
    "Chen", "Chloe", "Daniel", "David", "Diego", "Elena", "Emma", "Fatima", "Felix",
    "Gabriel", "Grace", "Hana", "Hannah", "Hiroshi", "Ines", "Isabel", "Jack", "James",
    "Javier", "Jonas", "Julia", "Kenji", "Laura", "Leila", "Liam", "Lucas", "Maria",
    "Marta", "Mateo", "Maya", "Mei", "Mohammed", "Nadia", "Noah", "Olivia", "Omar",
    "Priya", "Rafael", "Ravi", "Rosa", "Sam", "Sara", "Sofia", "Tariq", "Thomas",
    "Valentina", "Wei", "Yuki", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Alvarez", "Andersen", "Bauer", "Becker", "Brown", "Castillo", "Chen",
    "Costa", "Dubois", "Eriksson", "Fernandes", "Fischer", "Garcia", "Gupta", "Hansen",
    "Hernandez", "Ito", "Jansen", "Johnson", "Kim", "Kowalski", "Larsen", "Lopez",
    "Martin", "Meyer", "Moreau", "Mueller", "Nakamura", "Nguyen", "Novak", "O'Brien",
    "Okafor", "Patel", "Pereira", "Rossi", "Santos", "Schmidt", "Silva", "Singh",
    "Smith", "Tanaka", "Taylor", "Van Dijk", "Walker", "Wang", "Weber", "Williams",
    "Wilson", "Yamamoto", "Zhang",
)  # fmt: skip
COMPANY_WORDS = (
    "Alder", "Amber", "Apex", "Arcadia", "Aspen", "Atlas", "Bayside", "Beacon",
    "Birchwood", "Blue Harbor", "Brightwater", "Canyon", "Cascade", "Cedar Point",
    "Clearwater", "Coastal", "Cobalt", "Contoso", "Copperfield", "Cornerstone",
    "Crescent", "Crystal Bay", "Delta", "Driftwood", "Eastgate", "Ember", "Evergreen",
    "Fabrikam", "Fairview", "Falcon", "Foxglove", "Glacier", "Golden Gate", "Granite",
    "Greenfield", "Harborview", "Harvest", "Heritage", "Highland", "Horizon", "Ironwood",
    "Juniper", "Kestrel", "Keystone", "Lakeshore", "Larkspur", "Lighthouse", "Lodestar",
    "Magnolia", "Maple", "Marble Arch", "Meridian", "Mistral", "Monarch", "Nimbus",
    "Northstar", "Northwind", "Oakridge", "Obsidian", "Orion", "Osprey", "Pacific Crest",
    "Palisade", "Pinnacle", "Pioneer", "Polaris", "Prairie", "Quarry", "Quicksilver",
    "Radiant", "Red Rock", "Redwood", "Riverbend", "Rosewood", "Sable", "Saltmarsh",
    "Sequoia", "Sierra", "Silver Lake", "Skyline", "Starling", "Stonebridge", "Summit",
    "Sunrise", "Thistle", "Tidewater", "Timberline", "Trident", "Union Square",
    "Vanguard", "Verdant", "Westbrook", "Whitestone", "Willow", "Windmill", "Zenith",
)  # fmt: skip
INDUSTRY_WORDS = (
    "Aerospace", "Agritech", "Airlines", "Analytics", "Bank", "Biotech", "Brewing",
    "Capital", "Chemicals", "Cloud", "Devices", "Energy", "Foods", "Freight", "Games",
    "Health", "Hospitality", "Insurance", "Labs", "Learning", "Logistics", "Media",
    "Mining", "Mobility", "Motors", "Networks", "Outfitters", "Payments", "Pharma",
    "Realty", "Retail", "Robotics", "Security", "Semiconductors", "Shipping", "Software",
    "Systems", "Telecom", "Textiles", "Utilities",
)  # fmt: skip
COMPANY_SUFFIXES = {
    "us": ("", "", "Inc.", "Corp.", "LLC", "Group"),
    "emea": ("", "GmbH", "AG", "Ltd", "SA", "BV", "plc", "AB"),
    "apac": ("", "Pty Ltd", "Pte Ltd", "K.K.", "Ltd"),
    "latam": ("", "S.A.", "Ltda.", "S.A. de C.V."),
}
REGION_NAME_STYLE = {
    "us-enterprise": "us",
    "commercial-noram": "us",
    "emea-enterprise": "emea",
    "commercial-emea": "emea",
    "apac-enterprise": "apac",
    "commercial-latam": "latam",
}
PUBLIC_JURISDICTIONS = (
    "State of Ohio", "State of Texas", "State of Washington", "State of Georgia",
    "State of Colorado", "State of Arizona", "State of Oregon", "State of Utah",
    "Commonwealth of Virginia", "Commonwealth of Massachusetts", "City of Denver",
    "City of Austin", "City of Seattle", "City of Boston", "City of Chicago",
    "City of San Diego", "County of Travis", "County of King", "County of Fairfax",
    "County of Maricopa", "County of Cook", "City of Portland", "State of Nevada",
)  # fmt: skip
PUBLIC_AGENCIES = (
    "Department of Revenue", "Department of Transportation", "Health Authority",
    "Water Board", "Public Schools", "Courts", "Police Department", "Transit Authority",
    "Office of Information Technology", "Parks Department", "Department of Labor",
    "Election Office", "Housing Agency", "Emergency Management", "Digital Services",
)  # fmt: skip
FEDERAL_BODIES = (
    "U.S. Army Software Factory", "U.S. Navy Digital Services", "U.S. Air Force Platform One",
    "Federal Aviation Systems Office", "National Weather Data Service",
    "Veterans Health Technology Office", "U.S. Census Data Office", "Federal Student Aid IT",
    "National Parks Digital Office", "U.S. Patent Systems Office", "Federal Grants Platform",
    "Coast Guard Engineering Office",
)  # fmt: skip
FEDERAL_SHARE = 0.15
DIVISIONS = (
    "Europe", "Asia Pacific", "Research", "Digital", "Cloud Services", "Manufacturing",
    "Shared Services", "Retail Division", "Platform", "Data", "North", "South",
)  # fmt: skip
OBJECTIVE_TITLES = (
    "Migrate CI from Jenkins",
    "Consolidate source control onto one instance",
    "Enable security scanning in every pipeline",
    "Halve the release lead time",
    "Roll out merge request approvals",
    "Move planning from spreadsheets to epics",
    "Adopt the package registry for internal libraries",
    "Deploy to Kubernetes from the pipeline",
    "Standardise pipeline templates across teams",
    "Set up compliance frameworks for audited projects",
    "Train 200 developers on the platform",
    "Cut flaky test failures by 80%",
    "Introduce feature flags for staged rollouts",
    "Replace the legacy artifact server",
    "Shift dependency scanning left",
    "Measure DORA metrics for every product team",
    "Automate infrastructure with pipelines",
    "Move runners to autoscaling",
)
CADENCE_NOTES = (
    "Reviewed open issues and roadmap questions.",
    "Walked through the adoption dashboard.",
    "Discussed upcoming upgrade and runner capacity.",
    "Followed up on support tickets; no blockers.",
    "Checked progress on success-plan objectives.",
    "",
)
ONBOARDING_WEBINARS = (
    "Onboarding: Getting started with the platform",
    "Onboarding: Your first CI/CD pipeline",
)
TOPIC_WEBINARS = (
    "Security scanning in practice",
    "Planning with epics and roadmaps",
    "Faster pipelines: caching and parallel jobs",
    "Package registry deep dive",
    "Release orchestration and environments",
    "Observability for deployments",
    "Compliance pipelines for regulated teams",
    "Migrating from Jenkins",
)
WORKSHOP_CHANCE = 0.3


# --- Results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    as_of: date
    seed: int
    regions: int
    teams: int
    users: int
    accounts: int
    child_accounts: int
    churned_accounts: int
    opportunities: int
    initiatives: int
    stage_adoptions: int
    objectives: int
    webinars: int
    activities: int
    arr_snapshots: int
    usage_snapshots: int


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    detail: str
    has_demo_password: bool


@dataclass(frozen=True)
class DemoCalendar:
    as_of: date
    quarters: tuple[FiscalQuarter, ...]  # the last HISTORY_QUARTERS, oldest first

    @classmethod
    def ending(cls, as_of: date) -> DemoCalendar:
        start_month = settings.FISCAL_YEAR_START_MONTH
        return cls(as_of, tuple(last_quarters(as_of, HISTORY_QUARTERS, start_month)))

    @property
    def current(self) -> FiscalQuarter:
        return self.quarters[-1]

    @property
    def history_start(self) -> date:
        return self.quarters[0].start


@dataclass
class DemoAccount:
    """An account being built, with what the history builders need to know about it."""

    account: Account
    band: ArrBand
    active_until: date  # the churn date of a churned customer, else as_of
    parent: DemoAccount | None = None
    churned_on: date | None = None
    arr_before_churn: Decimal | None = None
    fast_track: bool = False  # engaged within days, onboarded in 14-20, first webinar
    value_on: date | None = None  # first value (10% of users), even if not entered or future


@dataclass
class DemoRows:
    """Rows to write. The large tables are plain dicts of field attnames (`account` and
    `webinar` hold the instances, whose ids exist only once they are written): model
    instances cost time by the ten thousand."""

    opportunities: list[Opportunity] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)
    stage_adoptions: list[dict] = field(default_factory=list)
    objectives: list[dict] = field(default_factory=list)
    snapshots: list[dict] = field(default_factory=list)
    usage: list[dict] = field(default_factory=list)
    webinars: list[Webinar] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)


# --- Entry point -------------------------------------------------------------------------


def build_demo_portfolio(*, accounts: int, seed: int, as_of: date) -> DemoSummary:
    """Write the demo portfolio: 8 teams, ~60 TAMs, `accounts` accounts and their history.

    Raises DemoDataConflict, and writes nothing, when the database already has accounts,
    demo users or demo teams, or lacks the seeded regions and stages (run migrate).
    """
    if accounts < 1:
        raise ValueError("the demo needs at least one account")
    calendar = DemoCalendar.ending(as_of)
    with transaction.atomic():
        regions, stages = _seeded_reference_data()
        _refuse_conflicts()
        tams = _create_people(regions, _stream(seed, "people"))
        demo_accounts = _plan_accounts(accounts, tams, calendar, _stream(seed, "accounts"))
        rows = _account_histories(demo_accounts, calendar, stages, _stream(seed, "history"))
        _usage_histories(demo_accounts, calendar, rows, _stream(seed, "usage"))
        webinar_rng = _stream(seed, "webinars")
        rows.webinars = _webinars(calendar, tams, webinar_rng)
        rows.activities += _attendances(rows.webinars, demo_accounts, webinar_rng)
        _write_portfolio(demo_accounts, rows)
    return _summary(seed, calendar, regions, demo_accounts, rows)


def _stream(seed: int, purpose: str) -> random.Random:
    # One stream per purpose, so adding a kind of history does not reshuffle the names.
    return random.Random(f"{seed}:{purpose}")


def _seeded_reference_data() -> tuple[dict[str, Region], list[Stage]]:
    regions = {region.code: region for region in Region.objects.all()}
    stages = list(Stage.objects.all())
    missing = sorted({plan.region_code for plan in TEAM_PLANS} - set(regions))
    if missing or not stages:
        raise DemoDataConflict(
            f"the seeded regions ({', '.join(missing) or 'ok'}) or stages are missing: "
            "run `python manage.py migrate` first"
        )
    return regions, stages


def _demo_usernames() -> list[str]:
    usernames = [ADMIN_USERNAME]
    for plan in TEAM_PLANS:
        usernames.append(f"manager.{plan.slug}")
        usernames += [_tam_username(plan, number) for number in range(1, plan.tams + 1)]
    return usernames


def _tam_username(plan: TeamPlan, number: int) -> str:
    return f"tam.{plan.slug}.{number:02d}"


def _refuse_conflicts() -> None:
    if Account.objects.exists():
        raise DemoDataConflict("the database already has accounts")
    usernames = _demo_usernames()
    emails = [f"{username}@example.com" for username in usernames]
    taken_users = User.objects.annotate(email_lower=Lower("email")).filter(
        Q(username__in=usernames) | Q(email_lower__in=emails)
    )
    taken = sorted(taken_users.values_list("username", flat=True))
    taken += sorted(
        Team.objects.filter(name__in=[p.name for p in TEAM_PLANS]).values_list("name", flat=True)
    )
    if taken:
        raise DemoDataConflict(
            f"demo users or teams already exist ({', '.join(taken[:5])}); "
            "seed the demo into a fresh database"
        )


# --- People ------------------------------------------------------------------------------


def _create_people(regions: dict[str, Region], rng: random.Random) -> list[User]:
    """Admin, one manager per team and the TAMs; returns the TAMs (team and region cached)."""
    # Hashing costs ~0.5 s, so every demo user gets the same hash, computed once.
    password_hash = make_password(DEMO_PASSWORD)
    names = iter(_person_names(len(_demo_usernames()), rng))
    admin = _demo_user(ADMIN_USERNAME, Role.ADMIN, next(names), password_hash)
    admin.is_staff = admin.is_superuser = True
    managers = [
        _demo_user(f"manager.{plan.slug}", Role.MANAGER, next(names), password_hash)
        for plan in TEAM_PLANS
    ]
    User.objects.bulk_create([admin, *managers])
    teams = [
        Team(name=plan.name, region=regions[plan.region_code], manager=manager)
        for plan, manager in zip(TEAM_PLANS, managers, strict=True)
    ]
    Team.objects.bulk_create(teams)
    tams = [
        _demo_user(_tam_username(plan, number), Role.TAM, next(names), password_hash, team)
        for plan, team in zip(TEAM_PLANS, teams, strict=True)
        for number in range(1, plan.tams + 1)
    ]
    User.objects.bulk_create(tams, batch_size=BATCH_SIZE)
    return tams


def _person_names(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """`count` distinct (first, last) names."""
    combinations = len(FIRST_NAMES) * len(LAST_NAMES)
    return [
        (FIRST_NAMES[index // len(LAST_NAMES)], LAST_NAMES[index % len(LAST_NAMES)])
        for index in rng.sample(range(combinations), count)
    ]


def _demo_user(
    username: str, role: str, name: tuple[str, str], password_hash: str, team: Team | None = None
) -> User:
    first_name, last_name = name
    return User(
        username=username,
        email=f"{username}@example.com",
        first_name=first_name,
        last_name=last_name,
        role=role,
        team=team,
        password=password_hash,
    )


# --- Accounts ----------------------------------------------------------------------------


def _is_commercial(region: Region) -> bool:
    return region.rule_set == RuleSet.COMMERCIAL


def _plan_accounts(
    count: int, tams: list[User], calendar: DemoCalendar, rng: random.Random
) -> list[DemoAccount]:
    owners = _book_owners(count, tams, rng)
    bands = _bands_for(owners, rng)
    demo_accounts = [
        DemoAccount(
            account=Account(
                external_id=f"SF-{number:06d}",
                region=tam.team.region,
                tam=tam,
                arr=_draw_arr(band, rng),
            ),
            band=band,
            active_until=calendar.as_of,
        )
        for number, (tam, band) in enumerate(zip(owners, bands, strict=True), start=1)
    ]
    _make_children(demo_accounts, rng)
    _name_accounts(demo_accounts, rng)
    _plan_customer_since(demo_accounts, calendar, rng)
    for demo in demo_accounts:
        _fill_account(demo, calendar, rng)
    return demo_accounts


def _apportion(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split `total` into whole shares proportional to `weights` (largest remainder).

    Each share gets `minimum` first when the total allows it.
    """
    floor = minimum if total >= minimum * len(weights) else 0
    rest = total - floor * len(weights)
    exact = [rest * weight / sum(weights) for weight in weights]
    shares = [int(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - shares[i], reverse=True)
    for index in by_remainder[: rest - sum(shares)]:
        shares[index] += 1
    return [floor + share for share in shares]


def _book_owners(count: int, tams: list[User], rng: random.Random) -> list[User]:
    """The TAM of each account, books balanced by region kind, in random order."""
    weights = [COMMERCIAL_BOOK_WEIGHT if _is_commercial(t.team.region) else 1.0 for t in tams]
    owners = [
        tam for tam, size in zip(tams, _apportion(count, weights), strict=True) for _ in range(size)
    ]
    rng.shuffle(owners)
    return owners


def _bands_for(owners: list[User], rng: random.Random) -> list[ArrBand]:
    """The ARR band of each account, stratified so every band appears in both region kinds
    (a small demo still shows every segment) and commercial accounts are smaller."""
    bands: list[ArrBand | None] = [None] * len(owners)
    for commercial in (False, True):
        slots = [i for i, tam in enumerate(owners) if _is_commercial(tam.team.region) == commercial]
        weights = [
            band.commercial_weight if commercial else band.enterprise_weight for band in ARR_BANDS
        ]
        drawn = [
            band
            for band, size in zip(ARR_BANDS, _apportion(len(slots), weights, 1), strict=True)
            for _ in range(size)
        ]
        rng.shuffle(drawn)
        for slot, band in zip(slots, drawn, strict=True):
            bands[slot] = band
    return bands


def _draw_arr(band: ArrBand, rng: random.Random) -> Decimal:
    """Log-uniform inside the band: many accounts near its floor, few near its ceiling."""
    value = math.exp(rng.uniform(math.log(band.low), math.log(band.high)))
    # Keep off the exact thresholds, where `>` and `>=` would disagree about the segment.
    return _round_dollars(min(max(value, band.low + 10), band.high - 10))


def _round_dollars(value: float | Decimal, step: int = 10) -> Decimal:
    return Decimal(round(float(value) / step) * step)


def _make_children(demo_accounts: list[DemoAccount], rng: random.Random) -> None:
    """Make a few accounts children of a TAM-assigned account in the same region; the
    parent's TAM owns them, and half are unmanaged (Pr3, page 004)."""
    child_count = int(len(demo_accounts) * CHILD_ACCOUNT_SHARE)
    child_indexes = set(rng.sample(range(len(demo_accounts)), child_count))
    parents_by_region: dict[str, list[DemoAccount]] = defaultdict(list)
    for index, demo in enumerate(demo_accounts):
        if index not in child_indexes and demo.band.engagement >= TAM_ASSIGNED_ENGAGEMENT:
            parents_by_region[demo.account.region.code].append(demo)
    for index in sorted(child_indexes):
        child = demo_accounts[index]
        candidates = parents_by_region.get(child.account.region.code)
        if not candidates:
            continue
        child.parent = rng.choice(candidates)
        child.account.parent = child.parent.account
        child.account.tam = child.parent.account.tam
        child.account.managed = rng.random() >= UNMANAGED_CHILD_SHARE


class _AccountNamer:
    """Unique, plausible company names: word lists combined, suffixes by region."""

    ATTEMPTS = 40

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def company(self, region_code: str) -> str:
        if region_code == "public-sector":
            return self._unique(self._public_body)
        style = REGION_NAME_STYLE.get(region_code, "us")
        return self._unique(lambda: self._business(style))

    def child(self, parent_name: str) -> str:
        return self._unique(lambda: f"{parent_name} - {self.rng.choice(DIVISIONS)}")

    def _business(self, style: str) -> str:
        words = f"{self.rng.choice(COMPANY_WORDS)} {self.rng.choice(INDUSTRY_WORDS)}"
        return f"{words} {self.rng.choice(COMPANY_SUFFIXES[style])}".strip()

    def _public_body(self) -> str:
        if self.rng.random() < FEDERAL_SHARE:
            return self.rng.choice(FEDERAL_BODIES)
        return f"{self.rng.choice(PUBLIC_JURISDICTIONS)} {self.rng.choice(PUBLIC_AGENCIES)}"

    def _unique(self, make_name) -> str:
        for _ in range(self.ATTEMPTS):
            name = make_name()
            if name not in self.used:
                break
        # The word lists run out for very large demos: number the repeats.
        base, number = name, 2
        while name in self.used:
            name, number = f"{base} ({number})", number + 1
        self.used.add(name)
        return name


def _name_accounts(demo_accounts: list[DemoAccount], rng: random.Random) -> None:
    namer = _AccountNamer(rng)
    for demo in demo_accounts:
        if demo.parent is None:
            demo.account.name = namer.company(demo.account.region.code)
    for demo in demo_accounts:
        if demo.parent is not None:
            demo.account.name = namer.child(demo.parent.account.name)


def _plan_customer_since(
    demo_accounts: list[DemoAccount], calendar: DemoCalendar, rng: random.Random
) -> None:
    """Customer-since dates spread evenly within each ARR band: RECENT_CUSTOMER_SHARE
    signed in this or the previous quarter (open onboarding clocks), the rest in the three
    years before. Even spreading gives every window a metric looks at customers of every
    size, even in a small demo; each band's newest customer opens the current quarter."""
    by_band: dict[str, list[DemoAccount]] = defaultdict(list)
    for demo in demo_accounts:
        by_band[demo.band.code].append(demo)
    recent_from = calendar.current.previous.start
    oldest = calendar.as_of - timedelta(days=CUSTOMER_HISTORY_DAYS)
    for members in by_band.values():
        rng.shuffle(members)
        recent = max(1, round(len(members) * RECENT_CUSTOMER_SHARE))
        _spread_since(members[recent:], oldest, recent_from - timedelta(days=1), rng)
        _spread_since(members[:recent], recent_from, calendar.as_of, rng)
        for demo in members[:recent]:
            demo.fast_track = rng.random() < FAST_ONBOARDING_SHARE
        _open_the_quarter(members[recent - 1], calendar, rng)


def _spread_since(members: list[DemoAccount], first: date, last: date, rng: random.Random):
    """One customer-since per member, in order, each in its own equal slice of the range."""
    span = (last - first).days + 1
    for position, demo in enumerate(members):
        offset = min(span - 1, int(span * (position + rng.random()) / len(members)))
        demo.account.customer_since = first + timedelta(days=offset)


def _open_the_quarter(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> None:
    """A new customer of the quarter's first days that onboards fast: even three weeks into
    a quarter its onboarding clocks, onboarding webinar and plan have something to show."""
    start = calendar.current.start
    latest = max(start, calendar.as_of - timedelta(days=FAST_ONBOARDING_DAYS[0]))
    demo.account.customer_since = _random_day(rng, start, latest)
    demo.fast_track = True


def _fill_account(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> None:
    _set_lam(demo, rng)
    _set_lifecycle_dates(demo, calendar, rng)
    _set_usage(demo.account, rng)
    _leave_first_value_to_derive(demo, calendar, rng)
    _set_health(demo.account, rng)
    _maybe_churn(demo, calendar, rng)
    _set_success_plan(demo, calendar, rng)
    _set_flags(demo, rng)


def _set_lam(demo: DemoAccount, rng: random.Random) -> None:
    account = demo.account
    if rng.random() < NO_LAM_SHARE:
        return
    small = demo.band.code in ("onboarding", "digital")
    if small and rng.random() < HIGH_LAM_SMALL_ACCOUNT_SHARE:
        # Evidence of a large addressable market lifts a small account into Mid-Touch.
        account.lam = _round_dollars(rng.uniform(100_000, 600_000), step=1000)
        account.lam_confidence = LamConfidence.HIGH
        return
    headroom = math.exp(rng.uniform(0, math.log(5)))
    account.lam = max(account.arr, _round_dollars(float(account.arr) * headroom, step=100))
    high = rng.random() < HIGH_LAM_CONFIDENCE_SHARE
    account.lam_confidence = LamConfidence.HIGH if high else LamConfidence.LOW


def _random_day(rng: random.Random, first: date, last: date) -> date:
    """A day in [first, last]; `first` when the range is empty."""
    span = (last - first).days
    return first + timedelta(days=rng.randint(0, span)) if span > 0 else first


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def _onboarding_delay(rng: random.Random, typical: tuple[int, int], late: tuple[int, int]) -> int:
    # One step in five is late, so the onboarding metrics miss their targets sometimes.
    return rng.randint(*late) if rng.random() < 0.2 else rng.randint(*typical)


def _set_lifecycle_dates(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> None:
    """From the planned customer-since: first engaged, first value and onboarded in order
    (within days and 14-20 days on the fast track); a step still in the future is left
    empty."""
    account = demo.account
    since = account.customer_since
    if demo.fast_track:
        engaged = since + timedelta(days=rng.randint(0, 2))
        value = engaged + timedelta(days=rng.randint(3, 8))
        onboarded = since + timedelta(days=_fast_onboarding_days(since, calendar.as_of, rng))
    else:
        engaged = since + timedelta(days=_onboarding_delay(rng, (2, 12), (13, 40)))
        value = engaged + timedelta(days=_onboarding_delay(rng, (5, 25), (26, 60)))
        onboarded = value + timedelta(days=_onboarding_delay(rng, (7, 25), (26, 60)))
    demo.value_on = value
    account.first_engaged_on = engaged if engaged <= calendar.as_of else None
    account.first_value_on = value if value <= calendar.as_of else None
    account.onboarded_on = onboarded if onboarded <= calendar.as_of else None
    account.renewal_date = _next_anniversary(since, calendar.as_of)


def _fast_onboarding_days(since: date, as_of: date, rng: random.Random) -> int:
    # Done by today when the customer signed long enough ago for a fast onboarding.
    low, high = FAST_ONBOARDING_DAYS
    return rng.randint(low, max(low, min(high, (as_of - since).days)))


def _leave_first_value_to_derive(
    demo: DemoAccount, calendar: DemoCalendar, rng: random.Random
) -> None:
    """Nobody entered some recent customers' first value: the recompute derives it from
    the weekly usage snapshots of their first weeks (active users reach 10% of licensed
    users from `value_on`), at most six days later: still before onboarding."""
    account = demo.account
    weekly_until = account.customer_since + timedelta(weeks=ONBOARDING_SNAPSHOT_WEEKS - 1)
    derived_by = demo.value_on + timedelta(days=6)
    derivable = (
        account.first_value_on is not None
        and account.licensed_users
        and account.customer_since >= calendar.current.previous.start
        and demo.value_on <= weekly_until
        and (account.onboarded_on is None or derived_by <= account.onboarded_on)
    )
    if derivable and rng.random() < DERIVED_FIRST_VALUE_SHARE:
        account.first_value_on = None


def _next_anniversary(since: date, after: date) -> date:
    years = 1
    while _years_later(since, years) <= after:
        years += 1
    return _years_later(since, years)


def _set_usage(account: Account, rng: random.Random) -> None:
    if rng.random() < UNKNOWN_USAGE_SHARE:
        return
    seats = max(5, int(account.arr / rng.choice(SEAT_PRICES_USD)))
    if rng.random() < LOW_UTILISATION_SHARE:
        utilisation = rng.uniform(0.15, 0.5)
    else:
        utilisation = rng.uniform(0.55, 1.0)
    account.licensed_users = seats
    account.active_users = round(seats * utilisation)


def _set_health(account: Account, rng: random.Random) -> None:
    health = rng.choices(list(HEALTH_WEIGHTS), weights=list(HEALTH_WEIGHTS.values()))[0]
    account.health = health
    account.at_risk = rng.random() < AT_RISK_CHANCE[health]
    account.in_triage = rng.random() < IN_TRIAGE_CHANCE[health]
    if rng.random() < LAST_NPS_SHARE:
        account.last_nps = _draw_nps(rng, health)


def _draw_nps(rng: random.Random, health: str) -> int:
    return rng.choices(range(11), weights=NPS_WEIGHTS[health])[0]


def _csat_for(nps: int, rng: random.Random) -> int:
    """CSAT 1-5 that goes with an NPS answer, with some disagreement between the two."""
    jitter = rng.choice((-1, 0, 0, 0, 1))
    return min(5, max(1, 1 + round(nps * 0.4) + jitter))


def _maybe_churn(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> None:
    """A few smaller customers did not renew at their last renewal: ARR is 0 since then,
    which makes them disengagement candidates (DESIGN section 7)."""
    account = demo.account
    last_renewal = _years_later(account.renewal_date, -1)
    renewed_recently = last_renewal > account.customer_since and (
        calendar.as_of - last_renewal
    ) <= timedelta(days=CHURN_LOOKBACK_DAYS)
    eligible = demo.parent is None and demo.band.code in CHURNABLE_BANDS and renewed_recently
    if not eligible or rng.random() >= CHURN_CHANCE:
        return
    demo.churned_on = demo.active_until = last_renewal
    demo.arr_before_churn = account.arr
    account.arr = Decimal(0)
    account.renewal_date = last_renewal
    account.health = Health.RED
    account.at_risk = account.in_triage = False


def _plan_state_weights(band: ArrBand) -> tuple[int, ...]:
    if band.engagement >= TAM_ASSIGNED_ENGAGEMENT:
        return PLAN_STATE_WEIGHTS_TAM_ASSIGNED
    if band.code == "onboarding":
        return PLAN_STATE_WEIGHTS_ONBOARDING
    return PLAN_STATE_WEIGHTS_DIGITAL


def _set_success_plan(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> None:
    account = demo.account
    if account.first_engaged_on is None:
        return  # nobody has talked to the customer yet: no plan
    state = rng.choices(PLAN_STATES, weights=_plan_state_weights(demo.band))[0]
    if state == SuccessPlanState.GREEN:
        green_on = _green_plan_on(demo, rng)
        if green_on is None or green_on > demo.active_until:
            state = SuccessPlanState.OBJECTIVES
        else:
            account.success_plan_green_on = green_on
            _maybe_management_qualify(demo, calendar, rng)
    account.success_plan = state
    tam_assigned = demo.band.engagement >= TAM_ASSIGNED_ENGAGEMENT
    account.critical_project = rng.random() < (0.06 if tam_assigned else 0.02)


def _green_plan_on(demo: DemoAccount, rng: random.Random) -> date | None:
    """When a plan headed for green got there: in the Onboarding segment with the last
    onboarding calls (none before onboarding), elsewhere 20-100 days in."""
    account = demo.account
    if demo.band.code == "onboarding":
        if account.onboarded_on is None:
            return None
        green_on = account.onboarded_on - timedelta(days=rng.randint(0, 7))
    else:
        green_on = account.customer_since + timedelta(days=rng.randint(20, 100))
    return max(green_on, account.first_engaged_on + timedelta(days=7))


def _maybe_management_qualify(
    demo: DemoAccount, calendar: DemoCalendar, rng: random.Random
) -> None:
    # Management qualification is the Strategic bar (DESIGN metric success_plan_p1).
    if demo.band.code not in ("strategic", "named") or rng.random() >= 0.6:
        return
    account = demo.account
    qualified_on = account.success_plan_green_on + timedelta(days=rng.randint(0, 45))
    account.success_plan_management_qualified = True
    account.success_plan_management_qualified_on = min(qualified_on, calendar.as_of)


def _set_flags(demo: DemoAccount, rng: random.Random) -> None:
    account = demo.account
    big = demo.band.engagement >= 0.7
    account.key_logo = rng.random() < (0.2 if big else 0.01)
    account.channel_engaged = rng.random() < (0.08 if _is_commercial(account.region) else 0.03)
    account.org_change = rng.random() < 0.04
    account.weekly_engagement = rng.random() < (0.1 if big else 0.02)
    account.tam_handover = rng.random() < 0.03
    # The digital flag only means something where the region trials it (Public Sector).
    account.digital = account.region.digital_tam_trial and rng.random() < 0.12


# --- History per account -----------------------------------------------------------------


def _account_histories(
    demo_accounts: list[DemoAccount],
    calendar: DemoCalendar,
    stages: list[Stage],
    rng: random.Random,
) -> DemoRows:
    rows = DemoRows()
    closing = _quarter_closing_expansions(demo_accounts, calendar, rng)
    for demo in demo_accounts:
        adoptions = _stage_adoptions(demo, stages, rng)
        rows.stage_adoptions += adoptions
        adopted = {adoption["stage_id"] for adoption in adoptions}
        rows.initiatives += _initiatives(demo, calendar, stages, adopted, rng)
        rows.opportunities += _opportunities(demo, calendar, rng)
        rows.objectives += _objectives(demo.account, calendar, rng)
        rows.snapshots += _arr_snapshots(demo, calendar, rng)
        rows.activities += _activities(demo, calendar, stages, rng)
        if id(demo) in closing:
            rows.activities.append(
                _closed_this_quarter(demo, calendar, closing[id(demo)], stages, rng)
            )
    return rows


def _pick_stages(stages: list[Stage], count: int, rng: random.Random) -> list[Stage]:
    """`count` distinct stages, popular ones (Create, Verify) first more often."""
    pool = list(stages)
    picked = []
    while pool and len(picked) < count:
        weights = [STAGE_POPULARITY.get(stage.name, 10) for stage in pool]
        picked.append(pool.pop(rng.choices(range(len(pool)), weights=weights)[0]))
    return picked


def _stage_adoptions(demo: DemoAccount, stages: list[Stage], rng: random.Random) -> list[dict]:
    account, until = demo.account, demo.active_until
    count = rng.randint(*demo.band.stage_count)
    if (until - account.customer_since).days < 60:
        count = min(count, 2)  # new customers start with one or two stages
    adoptions = []
    for position, stage in enumerate(_pick_stages(stages, count, rng)):
        if position == 0:
            enabled_on = account.customer_since + timedelta(days=rng.randint(0, 21))
        else:
            enabled_on = _random_day(rng, account.customer_since, until)
        adoptions.append(_adoption(account, stage, min(enabled_on, until), until, rng))
    return adoptions


def _adoption(
    account: Account, stage: Stage, enabled_on: date, until: date, rng: random.Random
) -> dict:
    """Users take a stage up linearly to a final share over a ramp; the 10% and 50% dates
    are when that line crossed them, so they agree with the share now."""
    final_share = max(0.01, rng.betavariate(1.5, 2.0))
    ramp_days = rng.randint(30, 300)
    elapsed = (until - enabled_on).days
    share_now = Decimal(final_share * min(1.0, elapsed / ramp_days))
    share_now = share_now.quantize(Decimal("0.0001"), rounding=ROUND_DOWN)
    crossing = (enabled_on, share_now, final_share, ramp_days, until)
    return {
        "account": account,
        "stage_id": stage.pk,
        "enabled_on": enabled_on,
        "users_share": share_now,
        "initial_adoption_on": _crossed_on(INITIAL_ADOPTION_SHARE, *crossing),
        "broad_adoption_on": _crossed_on(BROAD_ADOPTION_SHARE, *crossing),
    }


def _crossed_on(
    threshold: Decimal,
    enabled_on: date,
    share_now: Decimal,
    final_share: float,
    ramp_days: int,
    until: date,
) -> date | None:
    if share_now < threshold:
        return None
    days = math.ceil(ramp_days * float(threshold) / final_share)
    return min(enabled_on + timedelta(days=days), until)


def _initiatives(
    demo: DemoAccount,
    calendar: DemoCalendar,
    stages: list[Stage],
    adopted: set[int],
    rng: random.Random,
) -> list[Initiative]:
    """Work active this fiscal quarter on ~20% of accounts (more for large ones), and
    sometimes a closed one from last quarter, so quarter-on-quarter movements show."""
    chance = INITIATIVE_BASE + INITIATIVE_SCALE * demo.band.engagement
    if demo.churned_on or rng.random() >= chance:
        return []
    count = rng.choice((1, 1, 2))
    kinds = _weighted_sample(INITIATIVE_KIND_WEIGHTS, count, rng)
    not_adopted = [stage for stage in stages if stage.pk not in adopted] or stages
    initiatives = [
        _active_initiative(demo.account, kind, calendar, rng.choice(not_adopted), rng)
        for kind in kinds
    ]
    previous = calendar.current.previous
    if demo.account.customer_since < previous.start and rng.random() < PREVIOUS_INITIATIVE_CHANCE:
        initiatives.append(
            Initiative(
                account=demo.account,
                kind=kinds[0],
                tam_hours_per_week=_tam_hours(rng),
                starts_on=_random_day(rng, previous.start, previous.start + timedelta(days=30)),
                ends_on=previous.end,
                status=InitiativeStatus.CLOSED,
            )
        )
    return initiatives


def _weighted_sample(weights: dict, count: int, rng: random.Random) -> list:
    pool = dict(weights)
    picked = []
    while pool and len(picked) < count:
        choice = rng.choices(list(pool), weights=list(pool.values()))[0]
        picked.append(choice)
        del pool[choice]
    return picked


def _tam_hours(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(1, 12)) / 2  # 0.5 to 6 hours a week, in half hours


def _active_initiative(
    account: Account, kind: str, calendar: DemoCalendar, stage: Stage, rng: random.Random
) -> Initiative:
    quarter = calendar.current
    earliest = max(account.customer_since, quarter.start - timedelta(days=90))
    ends_on = rng.choice((None, None, quarter.end, quarter.end + timedelta(days=90)))
    return Initiative(
        account=account,
        kind=kind,
        stage=stage if kind == InitiativeKind.STAGE_ADOPTION else None,
        tam_hours_per_week=_tam_hours(rng),
        starts_on=_random_day(rng, earliest, calendar.as_of),
        ends_on=ends_on,
        status=InitiativeStatus.ACTIVE,
    )


def _opportunities(
    demo: DemoAccount, calendar: DemoCalendar, rng: random.Random
) -> list[Opportunity]:
    """Open opportunities closing within a year on ~15% of accounts (at most one open per
    kind: a database constraint), and some won or lost in the past 18 months."""
    account, as_of = demo.account, calendar.as_of
    opportunities = []
    chance = OPEN_OPPORTUNITY_BASE + OPEN_OPPORTUNITY_SCALE * demo.band.engagement
    if not demo.churned_on and rng.random() < chance:
        kinds = rng.choices(OPEN_OPPORTUNITY_MIXES, weights=OPEN_OPPORTUNITY_MIX_WEIGHTS)[0]
        opportunities += [
            Opportunity(
                account=account,
                kind=kind,
                close_date=as_of + timedelta(days=rng.randint(7, 365)),
                status=OpportunityStatus.OPEN,
            )
            for kind in kinds
        ]
    if rng.random() < CLOSED_OPPORTUNITY_CHANCE:
        earliest = max(account.customer_since, as_of - timedelta(days=540))
        status = rng.choices(
            (OpportunityStatus.WON, OpportunityStatus.LOST, OpportunityStatus.CLOSED),
            weights=(45, 45, 10),
        )[0]
        opportunities.append(
            Opportunity(
                account=account,
                kind=rng.choice(OpportunityKind.values),
                close_date=_random_day(rng, earliest, as_of),
                status=status,
            )
        )
    return opportunities


def _objectives(account: Account, calendar: DemoCalendar, rng: random.Random) -> list[dict]:
    """Objectives that match the plan state: unclear ones have no due date, a green plan
    has at least three, all green."""
    counts = OBJECTIVE_COUNTS.get(account.success_plan)
    if counts is None:
        return []
    state = account.success_plan
    return [
        {
            "account": account,
            "title": title,
            "due_on": None
            if state == SuccessPlanState.UNCLEAR
            else calendar.as_of + timedelta(days=rng.randint(-120, 270)),
            "green": state == SuccessPlanState.GREEN
            or (state == SuccessPlanState.OBJECTIVES and rng.random() < 0.35),
        }
        for title in rng.sample(OBJECTIVE_TITLES, rng.randint(*counts))
    ]


def _quarterly_growth(rng: random.Random, at_risk: bool) -> float:
    """ARR change over one quarter: mostly small growth, some expansions, a few
    contractions (more for accounts at risk)."""
    contraction = 0.25 if at_risk else 0.05
    draw = rng.random()
    if draw < contraction:
        return rng.uniform(-0.35, -0.05)
    if draw < contraction + 0.12:
        return rng.uniform(0.15, 0.6)
    if draw < contraction + 0.25:
        return 0.0
    return rng.uniform(0.0, 0.06)


def _arr_snapshots(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> list[dict]:
    """ARR at the start of each of the last six quarters, walked back from today's ARR;
    0 after a churn; none for quarters that started before the customer signed."""
    account = demo.account
    arr = float(demo.arr_before_churn or account.arr)
    snapshots = []
    for quarter in reversed(calendar.quarters):
        if quarter.start < account.customer_since:
            break
        if demo.churned_on and quarter.start > demo.churned_on:
            value = Decimal(0)
        else:
            arr = arr / (1 + _quarterly_growth(rng, account.at_risk))
            value = _round_dollars(arr)
        snapshots.append({"account": account, "fiscal_quarter": quarter.label, "arr": value})
    return snapshots


# --- Activities --------------------------------------------------------------------------


def _activities(
    demo: DemoAccount, calendar: DemoCalendar, stages: list[Stage], rng: random.Random
) -> list[dict]:
    # Low-utilisation saves follow the usage snapshots (`_usage_histories`).
    return [
        *_cadence_calls(demo, calendar, rng),
        *_onboarding_calls(demo, calendar, rng),
        *_ebrs(demo, calendar, rng),
        *_milestones(demo, calendar),
        *_survey_responses(demo, calendar, rng),
        *_playbooks(demo, calendar, stages, rng),
        *_success_plan_changes(demo, calendar, rng),
    ]


def _activity(demo: DemoAccount, kind: str, day: date, **details) -> dict:
    """An Activity row (see DemoRows)."""
    return {
        "account": demo.account,
        "kind": kind,
        "occurred_on": day,
        "logged_by_id": demo.account.tam_id,
        **details,
    }


def _cadence_calls(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> list:
    """Calls every `cadence_days` or so from first engagement; some accounts lapse, so the
    due and overdue lists have something to show."""
    interval = demo.band.cadence_days
    engaged = demo.account.first_engaged_on
    if interval is None or engaged is None:
        return []
    last_day = demo.active_until
    if rng.random() < LAPSED_CADENCE_SHARE:
        last_day -= timedelta(days=rng.randint(45, 150))
    day = max(engaged, calendar.history_start) + timedelta(days=rng.randint(0, interval))
    calls = []
    while day <= last_day:
        calls.append(
            _activity(demo, ActivityKind.CADENCE_CALL, day, notes=rng.choice(CADENCE_NOTES))
        )
        day += timedelta(days=max(7, interval + rng.randint(-7, 10)))
    return calls


def _onboarding_calls(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> list:
    """The Onboarding segment's six weekly calls from first engagement."""
    engaged = demo.account.first_engaged_on
    if demo.band.code != "onboarding" or engaged is None:
        return []
    calls = []
    for number in range(1, ONBOARDING_CALLS + 1):
        day = engaged + timedelta(weeks=number - 1, days=rng.randint(0, 2))
        if calendar.history_start <= day <= demo.active_until:
            notes = f"Onboarding call {number} of {ONBOARDING_CALLS}"
            calls.append(_activity(demo, ActivityKind.CADENCE_CALL, day, notes=notes))
    return calls


def _ebrs(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> list:
    """An EBR in each of the last two years with the band's yearly chance."""
    engaged = demo.account.first_engaged_on
    chance = demo.band.ebr_chance_per_year
    if engaged is None or not chance:
        return []
    earliest = max(engaged, calendar.history_start)
    days = [
        calendar.as_of - timedelta(days=rng.randint(0, 364) + 365 * years_back)
        for years_back in (0, 1)
        if rng.random() < chance
    ]
    return [
        _activity(demo, ActivityKind.EBR, day, notes="Executive business review")
        for day in days
        if earliest <= day <= demo.active_until
    ]


def _milestones(demo: DemoAccount, calendar: DemoCalendar) -> list:
    """One milestone activity per onboarding date of the account inside the history
    window, on that date."""
    account = demo.account
    reached = (
        (Milestone.FIRST_ENGAGED, account.first_engaged_on),
        (Milestone.FIRST_VALUE, account.first_value_on),
        (Milestone.ONBOARDED, account.onboarded_on),
    )
    return [
        _activity(demo, ActivityKind.ONBOARDING_MILESTONE, day, milestone=milestone)
        for milestone, day in reached
        if day is not None and day >= calendar.history_start
    ]


def _survey_days(account: Account) -> list[tuple[str, date]]:
    """Onboarding a week after onboarding; six-month half-way through each contract year
    (page 000, Digital-Only: "half-way through contract period"); renewal before each."""
    days = []
    if account.onboarded_on:
        days.append((SurveyKind.ONBOARDING, account.onboarded_on + timedelta(days=7)))
    half_way = account.customer_since + timedelta(days=183)
    for years in range(1, 5):
        days.append((SurveyKind.SIX_MONTH, _years_later(half_way, years - 1)))
        renewal = _years_later(account.customer_since, years)
        answered_on = renewal - timedelta(days=RENEWAL_SURVEY_LEAD_DAYS - 10)
        days.append((SurveyKind.RENEWAL, answered_on))
    return sorted(days, key=lambda kind_and_day: kind_and_day[1])


def _survey_responses(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> list:
    """Onboarding, six-month and renewal survey answers; the latest one carries the
    account's last NPS so the two agree."""
    account = demo.account
    answered = [
        (kind, day)
        for kind, day in _survey_days(account)
        if calendar.history_start <= day <= demo.active_until
        and rng.random() < SURVEY_RESPONSE_CHANCE[kind]
    ]
    responses = []
    for position, (kind, day) in enumerate(answered, start=1):
        nps = _draw_nps(rng, account.health)
        if position == len(answered) and account.last_nps is not None:
            nps = account.last_nps
        details = {"survey_kind": kind, "nps": nps, "csat": _csat_for(nps, rng)}
        responses.append(_activity(demo, ActivityKind.SURVEY_RESPONSE, day, **details))
    return responses


def _playbooks(
    demo: DemoAccount, calendar: DemoCalendar, stages: list[Stage], rng: random.Random
) -> list:
    """Quarter by quarter, stage-adoption and expansion plays due to close in it, more of
    them on larger accounts; one due later this quarter or next is still open."""
    engaged = demo.account.first_engaged_on
    if engaged is None or demo.band.engagement < 0.2:
        return []
    earliest = max(engaged, calendar.history_start)
    plays = []
    for quarter in (*calendar.quarters, calendar.current.shifted(1)):
        for kind in (PlaybookKind.STAGE_ADOPTION, PlaybookKind.EXPANSION):
            if rng.random() < _playbook_chance(demo.band, kind):
                plays += _play_closing_in(demo, kind, quarter, earliest, stages, rng)
    return plays


def _playbook_chance(band: ArrBand, kind: str) -> float:
    if kind == PlaybookKind.EXPANSION and band.code == "strategic":
        return STRATEGIC_EXPANSIONS_PER_QUARTER
    return PLAYBOOKS_PER_QUARTER[kind] * band.engagement


def _play_closing_in(
    demo: DemoAccount,
    kind: str,
    quarter: FiscalQuarter,
    earliest: date,
    stages: list[Stage],
    rng: random.Random,
) -> list:
    """A play due to close on a day of `quarter`; none if it would have started before
    the account was engaged (or the history starts), or after today."""
    closes_on = _random_day(rng, quarter.start, quarter.end)
    duration = rng.randint(*PLAYBOOK_DAYS)
    started_on = closes_on - timedelta(days=duration)
    if not earliest <= started_on <= demo.active_until:
        return []
    return [_playbook(demo, kind, started_on, duration, stages, rng)]


def _quarter_closing_expansions(
    demo_accounts: list[DemoAccount], calendar: DemoCalendar, rng: random.Random
) -> dict[int, str]:
    """Strategic accounts (by `id`) that closed an expansion play in the current quarter,
    with its outcome: one won, one lost, so the win rate has data even a few weeks in."""
    engaged_by = calendar.current.start - timedelta(days=PLAYBOOK_DAYS[1])
    candidates = [
        demo
        for demo in demo_accounts
        if demo.band.code == "strategic"
        and demo.churned_on is None
        and demo.account.first_engaged_on is not None
        and demo.account.first_engaged_on <= engaged_by
    ]
    picked = rng.sample(candidates, min(len(candidates), len(QUARTER_CLOSING_EXPANSIONS)))
    outcomes = QUARTER_CLOSING_EXPANSIONS[: len(picked)]
    return {id(demo): outcome for demo, outcome in zip(picked, outcomes, strict=True)}


def _closed_this_quarter(
    demo: DemoAccount, calendar: DemoCalendar, outcome: str, stages: list[Stage], rng
) -> dict:
    completed_on = _random_day(rng, calendar.current.start, calendar.as_of)
    duration = rng.randint(30, PLAYBOOK_DAYS[1])
    started_on = completed_on - timedelta(days=duration)
    return _playbook(demo, PlaybookKind.EXPANSION, started_on, duration, stages, rng, outcome)


def _playbook(
    demo: DemoAccount,
    kind: str,
    started_on: date,
    duration_days: int,
    stages: list[Stage],
    rng: random.Random,
    outcome: str | None = None,
) -> dict:
    completed_on = started_on + timedelta(days=duration_days)
    if completed_on > demo.active_until:
        completed_on, outcome = None, Outcome.OPEN
    elif outcome is None:
        outcome = Outcome.WON if rng.random() < PLAYBOOK_WIN_RATE[kind] else Outcome.LOST
    return _activity(
        demo,
        ActivityKind.PLAYBOOK,
        started_on,
        playbook_kind=kind,
        stage_id=rng.choice(stages).pk if kind == PlaybookKind.STAGE_ADOPTION else None,
        started_on=started_on,
        completed_on=completed_on,
        outcome=outcome,
    )


def _success_plan_changes(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> list:
    """The change that brought the plan to its current state (a green plan went through
    objectives first), where it falls inside the history window."""
    account = demo.account
    state = account.success_plan
    if state == SuccessPlanState.NONE or account.first_engaged_on is None:
        return []
    reached_on = account.success_plan_green_on or _random_day(
        rng, account.first_engaged_on, demo.active_until
    )
    changes = []
    if state == SuccessPlanState.GREEN and reached_on > account.first_engaged_on:
        objectives_on = _random_day(rng, account.first_engaged_on, reached_on - timedelta(days=1))
        changes.append(
            _activity(
                demo,
                ActivityKind.SUCCESS_PLAN_CHANGE,
                objectives_on,
                success_plan=SuccessPlanState.OBJECTIVES,
            )
        )
    changes.append(
        _activity(demo, ActivityKind.SUCCESS_PLAN_CHANGE, reached_on, success_plan=state)
    )
    return [change for change in changes if change["occurred_on"] >= calendar.history_start]


# --- Usage snapshots ---------------------------------------------------------------------


def _usage_histories(
    demo_accounts: list[DemoAccount], calendar: DemoCalendar, rows: DemoRows, rng: random.Random
) -> None:
    """Licence use and health over time for every account whose usage is known, the
    low-utilisation save flags they led to, and today's active users from the latest."""
    for demo in demo_accounts:
        account = demo.account
        days = _snapshot_days(demo, calendar) if account.licensed_users else []
        if not days:
            continue
        ramp_days = rng.randint(*UTILISATION_RAMP_DAYS)
        target = account.active_users / account.licensed_users
        healths = _health_history(account.health or Health.GREEN, days, rng)
        snapshots = [
            {
                "account": account,
                "taken_on": day,
                "licensed_users": account.licensed_users,
                "active_users": _active_users(demo, day, target, ramp_days, rng),
                "health": health,
            }
            for day, health in zip(days, healths, strict=True)
        ]
        account.active_users = snapshots[-1]["active_users"]
        rows.usage += snapshots
        ramp_end = demo.value_on + timedelta(days=ramp_days)
        rows.activities += _license_flags(demo, snapshots, ramp_end, rng)


def _snapshot_days(demo: DemoAccount, calendar: DemoCalendar) -> list[date]:
    """Every four weeks back from today, weekly (same weekday) in the customer's first
    weeks for the onboarding clocks, and the last active day; inside the history, from
    customer-since."""
    since, last = demo.account.customer_since, demo.active_until
    first = max(since, calendar.history_start)
    if last < first:
        return []
    days = {last}
    day = calendar.as_of
    while day >= first:
        if day <= last:
            days.add(day)
        day -= timedelta(days=SNAPSHOT_EVERY_DAYS)
    first_week = since + timedelta(days=(calendar.as_of - since).days % 7)
    weekly = (first_week + timedelta(weeks=week) for week in range(ONBOARDING_SNAPSHOT_WEEKS))
    days.update(day for day in weekly if first <= day <= last)
    return sorted(days)


def _active_users(
    demo: DemoAccount, day: date, target: float, ramp_days: int, rng: random.Random
) -> int:
    """Below 10% of licensed users until first value, then rising to the account's level
    over the ramp, with some noise; never more than the licences."""
    licensed, since, value_on = (
        demo.account.licensed_users,
        demo.account.customer_since,
        demo.value_on,
    )
    if day < value_on:
        progress = (day - since).days / max(1, (value_on - since).days)
        return math.floor(licensed * (0.01 + 0.08 * progress))
    progress = min(1.0, (day - value_on).days / ramp_days)
    share = (0.1 + (target - 0.1) * progress) * rng.uniform(0.95, 1.05)
    return min(licensed, math.ceil(licensed * max(0.1, share)))


def _health_history(current: str, days: list[date], rng: random.Random) -> list[str]:
    """Health on each day, walked back from today's: it stays the same from one snapshot
    to the one before with HEALTH_CHANGE_PER_SNAPSHOT chance (per four weeks) of having
    been drawn afresh, so most green accounts were green and a red one went red lately."""
    healths = [current]
    for later, earlier in zip(reversed(days[1:]), reversed(days[:-1]), strict=True):
        change = HEALTH_CHANGE_PER_SNAPSHOT * (later - earlier).days / SNAPSHOT_EVERY_DAYS
        if rng.random() < change:
            healths.append(rng.choices(HEALTHS, weights=HEALTH_CHANCES)[0])
        else:
            healths.append(healths[-1])
    healths.reverse()
    return healths


def _license_flags(
    demo: DemoAccount, snapshots: list[dict], ramp_end: date, rng: random.Random
) -> list[dict]:
    """A save attempt when a snapshot after the usage ramp shows less than half the
    licences in use, at most one every LICENSE_FLAG_GAP_DAYS."""
    flags: list[dict] = []
    for snapshot in snapshots:
        day = snapshot["taken_on"]
        low = snapshot["active_users"] < snapshot["licensed_users"] * LOW_UTILISATION
        recently = bool(flags) and (day - flags[-1]["occurred_on"]).days < LICENSE_FLAG_GAP_DAYS
        if low and day >= ramp_end and not recently and rng.random() < LICENSE_FLAG_CHANCE:
            saved = rng.random() < LICENSE_SAVED_RATE
            flags.append(_activity(demo, ActivityKind.LICENSE_SAVE, day, saved=saved))
    return flags


# --- Webinars ----------------------------------------------------------------------------


def _webinars(calendar: DemoCalendar, tams: list[User], rng: random.Random) -> list[Webinar]:
    """Per quarter: a weekly onboarding webinar, two topic webinars (one in the quarter's
    first weeks), sometimes a workshop; only those already held."""
    webinars = []
    for quarter in calendar.quarters:
        for title, kind, onboarding, held_on in _quarter_programme(quarter, rng):
            if held_on <= calendar.as_of:
                webinar = Webinar(
                    title=title,
                    kind=kind,
                    held_on=held_on,
                    onboarding=onboarding,
                    host=rng.choice(tams),
                )
                webinars.append(webinar)
    return webinars


def _quarter_programme(
    quarter: FiscalQuarter, rng: random.Random
) -> list[tuple[str, str, bool, date]]:
    day = quarter.start + timedelta(days=(ONBOARDING_WEBINAR_WEEKDAY - quarter.start.weekday()) % 7)
    programme = []
    while day <= quarter.end:
        title = ONBOARDING_WEBINARS[len(programme) % len(ONBOARDING_WEBINARS)]
        programme.append((title, Webinar.Kind.WEBINAR, True, day))
        day += timedelta(weeks=1)
    for title, days in zip(rng.sample(TOPIC_WEBINARS, 2), TOPIC_WEBINAR_DAYS, strict=True):
        programme.append((title, Webinar.Kind.WEBINAR, False, _day_into(quarter, days, rng)))
    if rng.random() < WORKSHOP_CHANCE:
        title = f"Hands-on workshop: {rng.choice(TOPIC_WEBINARS)}"
        programme.append(
            (title, Webinar.Kind.WORKSHOP, False, _day_into(quarter, WORKSHOP_DAYS, rng))
        )
    return programme


def _day_into(quarter: FiscalQuarter, days: tuple[int, int], rng: random.Random) -> date:
    return _weekday_on_or_after(quarter.start + timedelta(days=rng.randint(*days)))


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _attendances(
    webinars: list[Webinar], demo_accounts: list[DemoAccount], rng: random.Random
) -> list[dict]:
    sessions = sorted((w for w in webinars if w.onboarding), key=lambda webinar: webinar.held_on)
    session_days = [webinar.held_on for webinar in sessions]
    topics = [webinar for webinar in webinars if not webinar.onboarding]
    attendances = []
    for demo in demo_accounts:
        attendances += _onboarding_attendances(demo, sessions, session_days, rng)
        for webinar in topics:
            active = demo.account.customer_since <= webinar.held_on <= demo.active_until
            if active and rng.random() < TOPIC_WEBINAR_ATTENDANCE:
                attendances.append(_attendance(webinar, demo, rng))
    return attendances


def _onboarding_attendances(
    demo: DemoAccount, sessions: list[Webinar], session_days: list[date], rng: random.Random
) -> list[dict]:
    """A new customer joins one of the first onboarding sessions after signing (the first
    on the fast track), and sometimes the series' other title later."""
    if not (demo.fast_track or rng.random() < ONBOARDING_WEBINAR_ATTENDANCE):
        return []
    first = bisect_left(session_days, demo.account.customer_since)
    window = demo.account.customer_since + timedelta(weeks=ONBOARDING_WEBINAR_SESSIONS)
    upcoming = [
        webinar
        for webinar in sessions[first : first + ONBOARDING_WEBINAR_SESSIONS]
        if webinar.held_on <= min(window, demo.active_until)
    ]
    if not upcoming:
        return []
    joined = upcoming[0] if demo.fast_track else rng.choice(upcoming[:2])
    others = [w for w in upcoming if w.title != joined.title and w.held_on > joined.held_on]
    picked = [joined, *others[:1]] if rng.random() < SECOND_ONBOARDING_SESSION else [joined]
    return [_attendance(webinar, demo, rng) for webinar in picked]


def _attendance(webinar: Webinar, demo: DemoAccount, rng: random.Random) -> dict:
    feedback = None
    if rng.random() < FEEDBACK_GIVEN_RATE:
        feedback = rng.choices(range(1, 6), weights=FEEDBACK_WEIGHTS)[0]
    return {
        "account": demo.account,
        "kind": ActivityKind.WEBINAR_ATTENDANCE,
        "occurred_on": webinar.held_on,
        "webinar": webinar,
        "stayed_whole_session": rng.random() < STAYED_WHOLE_SESSION_RATE,
        "feedback_score": feedback,
    }


# --- Writing and reporting ---------------------------------------------------------------


def _write_portfolio(demo_accounts: list[DemoAccount], rows: DemoRows) -> None:
    # Parents first: a child row needs its parent's id.
    parents = [demo.account for demo in demo_accounts if demo.parent is None]
    children = [demo.account for demo in demo_accounts if demo.parent is not None]
    for accounts in (parents, children):
        _write_instances(Account, accounts)
        ids = dict(Account.objects.values_list("external_id", "id"))
        for account in accounts:
            account.pk = ids[account.external_id]
            account._state.adding, account._state.db = False, connection.alias
    _write_instances(Opportunity, rows.opportunities)
    _write_instances(Initiative, rows.initiatives)
    Webinar.objects.bulk_create(rows.webinars, batch_size=BATCH_SIZE)  # their ids are needed
    _insert(StageAdoption, rows.stage_adoptions)
    _insert(SuccessPlanObjective, rows.objectives)
    _insert(ArrSnapshot, rows.snapshots)
    _insert(UsageSnapshot, rows.usage)
    _insert(Activity, rows.activities)


def _write_instances(model: type[models.Model], instances: list[models.Model]) -> None:
    """Unsaved instances written as plain rows (`_insert`); a relation left empty takes
    the id of the (saved by now) instance it was given."""
    names = [column.attname for column in _written_fields(model) if not _automatic(column)]
    relations = [relation for relation in model._meta.concrete_fields if relation.is_relation]
    rows = []
    for instance in instances:
        row = {name: getattr(instance, name) for name in names}
        for relation in relations:
            if row[relation.attname] is None and relation.is_cached(instance):
                target = relation.get_cached_value(instance)
                row[relation.attname] = None if target is None else target.pk
        rows.append(row)
    _insert(model, rows)


def _written_fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _automatic(field: models.Field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _insert(model: type[models.Model], rows: list[dict]) -> None:
    """Write plain rows (field attnames; an `account` or `webinar` key holds the saved
    instance): COPY on PostgreSQL (`insert_rows`), one executemany elsewhere. Either is
    several times faster than `bulk_create`, which prepares a model instance per row."""
    for row in rows:
        if "account" in row:
            row["account_id"] = row.pop("account").pk
        if "webinar" in row:
            row["webinar_id"] = row.pop("webinar").pk
    if not rows:
        return
    if connection.vendor == "postgresql":
        insert_rows(model, rows)
        return
    fields = _written_fields(model)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    defaults = {
        field.attname: now if _automatic(field) else field.get_default() for field in fields
    }
    names = [field.attname for field in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[row.get(name, defaults[name]) for name in names] for row in rows])


def _summary(
    seed: int,
    calendar: DemoCalendar,
    regions: dict[str, Region],
    demo_accounts: list[DemoAccount],
    rows: DemoRows,
) -> DemoSummary:
    return DemoSummary(
        as_of=calendar.as_of,
        seed=seed,
        regions=len({plan.region_code for plan in TEAM_PLANS} & set(regions)),
        teams=len(TEAM_PLANS),
        users=len(_demo_usernames()),
        accounts=len(demo_accounts),
        child_accounts=sum(1 for demo in demo_accounts if demo.parent is not None),
        churned_accounts=sum(1 for demo in demo_accounts if demo.churned_on is not None),
        opportunities=len(rows.opportunities),
        initiatives=len(rows.initiatives),
        stage_adoptions=len(rows.stage_adoptions),
        objectives=len(rows.objectives),
        webinars=len(rows.webinars),
        activities=len(rows.activities),
        arr_snapshots=len(rows.snapshots),
        usage_snapshots=len(rows.usage),
    )


def demo_logins() -> list[DemoLogin]:
    """The showcase demo users that exist and are active, read back from the database."""
    users = {
        user.username: user
        for user in User.objects.filter(username__in=SHOWCASE_USERNAMES, is_active=True)
        .select_related("team")
        .prefetch_related("managed_teams")
        .annotate(book_size=Count("accounts"))
    }
    demo_hashes = _hashes_of_demo_password([user.password for user in users.values()])
    return [
        DemoLogin(
            role=_role_label(user),
            username=user.username,
            detail=_login_detail(user),
            has_demo_password=user.password in demo_hashes,
        )
        for username in SHOWCASE_USERNAMES
        if (user := users.get(username))
    ]


def existing_logins(per_role: int = 2) -> list[DemoLogin]:
    """A few active users of each role, for a database the demo did not seed."""
    role_filters = (
        Q(role=Role.ADMIN) | Q(is_superuser=True),
        Q(role=Role.MANAGER, is_superuser=False),
        Q(role=Role.TAM, is_superuser=False),
    )
    logins = []
    for role_filter in role_filters:
        users = (
            User.objects.filter(role_filter, is_active=True)
            .select_related("team")
            .prefetch_related("managed_teams")
            .annotate(book_size=Count("accounts"))
            .order_by("username")[:per_role]
        )
        logins += [
            DemoLogin(_role_label(user), user.username, _login_detail(user), False)
            for user in users
        ]
    return logins


def _hashes_of_demo_password(hashes: list[str]) -> set[str]:
    # check_password costs ~0.5 s; demo users share one hash, so check each distinct once.
    return {encoded for encoded in sorted(set(hashes)) if check_password(DEMO_PASSWORD, encoded)}


def _role_label(user: User) -> str:
    if user.is_superuser or user.role == Role.ADMIN:
        return "admin"
    return "manager" if user.role == Role.MANAGER else "TAM"


def _login_detail(user: User) -> str:
    if user.is_superuser or user.role == Role.ADMIN:
        return "Django admin at /admin/"
    if user.role == Role.MANAGER:
        teams = ", ".join(team.name for team in user.managed_teams.all())
        return f"manager of {teams}" if teams else "no team yet"
    team = f"team {user.team.name}, " if user.team else ""
    return f"{team}{user.book_size} accounts"
