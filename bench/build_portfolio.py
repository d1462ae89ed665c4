"""Fill an empty, migrated database with a synthetic portfolio for the recompute and metrics
benchmarks.

`build_portfolio(accounts, as_of=...)` creates one TAM per about 50 accounts (in teams of
about 8 per region, each team with a manager), the accounts across the seven seeded
regions, and the facts the rules read: opportunities, this quarter's initiatives, stage
adoptions, approved priority exceptions and approved EMEA Enterprise reviews.

Everything goes in through `core.bulk.insert_rows` (COPY on PostgreSQL) in batches
of `BATCH_SIZE` accounts, so memory stays bounded whatever the number of accounts. A
batch is generated as plain dicts whose related rows point at accounts by their position
in the batch; inserting it swaps in the ids the accounts got. Generating is pure Python
while inserting mostly waits on PostgreSQL (COPY, index upkeep, the deferred foreign-key
checks at commit), so a worker thread generates the next batch meanwhile: at most two
batches are in memory.

ARR follows the segment table's bands (about 2% >= $500k, 10% $100k-500k, 20% $50k-100k,
25% $20k-50k, 35% $5k-20k, the rest below, a few unknown), log-uniform within a band: a
piecewise stand-in for a lognormal that hits every band's share.

With `activities=True` (the metrics benchmark) each account also gets a year of history
before `as_of`, what `metrics.compute` reads and a bit more: cadence calls (monthly for
accounts of $100k+, less often for smaller ones), EBRs (0 to 2 a year), attendances at a
few hundred webinars held over the year (new customers at onboarding ones), onboarding /
six-month / renewal survey responses, stage adoption and expansion playbooks, low licence
utilisation saves, a usage snapshot every 4 weeks and an ARR snapshot at the start of each
of the last five fiscal quarters; stage adoptions then reach 10% and 50% of users after
realistic delays. These draws come from a second random generator, so the accounts and
their other facts are the same with or without history. Batches are then smaller
(`HISTORY_BATCH_SIZE`): about 25 rows per account.
"""

from __future__ import annotations

import bisect
import math
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import (
    Account,
    Activity,
    ArrSnapshot,
    Initiative,
    Opportunity,
    Region,
    Stage,
    StageAdoption,
    UsageSnapshot,
    Webinar,
)
from core.bulk import insert_rows, update_rows
from lib.fiscal import fiscal_quarter_of, last_quarters
from people.models import Role, Team, User
from prioritization.models import PriorityException, PriorityReview
from segments.models import Segment

BATCH_SIZE = 20_000
ACCOUNTS_PER_TAM = 50
TAMS_PER_TEAM = 8

# Share of accounts per region code (the seeded regions); any other region weighs 5.
REGION_WEIGHTS = {
    "us-enterprise": 22,
    "emea-enterprise": 18,
    "apac-enterprise": 10,
    "public-sector": 8,
    "commercial-noram": 20,
    "commercial-latam": 8,
    "commercial-emea": 14,
}
EMEA_REVIEW_REGION = "emea-enterprise"

# (cumulative share, low, high) ARR bands; below ARR_UNKNOWN the ARR is unknown.
ARR_UNKNOWN = 0.003
ARR_BANDS = [
    (0.02, 500_000, 5_000_000),
    (0.12, 100_000, 500_000),
    (0.32, 50_000, 100_000),
    (0.57, 20_000, 50_000),
    (0.92, 5_000, 20_000),
    (1.00, 300, 5_000),
]
LOG_BANDS = [(share, math.log(low), math.log(high / low)) for share, low, high in ARR_BANDS]
HEALTH = ["green"] * 5 + ["yellow"] * 3 + ["red", ""]
SUCCESS_PLANS = ["none"] * 3 + ["unclear"] * 2 + ["objectives"] * 3 + ["green"] * 2
INITIATIVE_KINDS = ["stage_adoption", "infrastructure_change", "expansion_play"]
HOURS = [f"{half / 2:.1f}" for half in range(1, 13)]  # 0.5 .. 6.0
STAGE_SETS = 4096  # pre-drawn sets of 0 to 6 distinct stages, picked from per account

TABLES = {
    Opportunity: "opportunities",
    Initiative: "initiatives",
    StageAdoption: "stage_adoptions",
    PriorityException: "priority_exceptions",
    PriorityReview: "priority_reviews",
}

# --- history (activities=True) ------------------------------------------------------------
HISTORY_TABLES = {
    Activity: "activities",
    UsageSnapshot: "usage_snapshots",
    ArrSnapshot: "arr_snapshots",
}
HISTORY_BATCH_SIZE = 5_000
HISTORY_DAYS = 365
WEBINARS = 300  # held over the year, about a third of them onboarding webinars
WEBINAR_TOPICS = ["Getting started", "CI/CD basics", "Security scanning", "Planning", "Runners"]
USAGE_EVERY_DAYS = 28
ARR_QUARTERS = 5
# (minimum ARR, days between cadence calls) for accounts with a TAM
CADENCE = [(100_000, 30), (50_000, 45), (20_000, 91), (5_000, 182)]
NPS_SCORES = [0, 2, 4, 5, 6, 6, 7, 7, 7, 8, 8, 8, 8, 9, 9, 9, 9, 9, 10, 10, 10]
CSAT_SCORES = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5]
FEEDBACK_SCORES = [1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5]


def build_portfolio(
    accounts: int,
    *,
    seed: int = 1,
    as_of: date,
    activities: bool = False,
    accounts_per_tam: int = ACCOUNTS_PER_TAM,
) -> dict[str, int]:
    """Create `accounts` accounts and their related facts; returns rows created per table.

    `activities`: also a year of history per account (see the module docstring).
    `accounts_per_tam`: how many accounts per TAM (so TAMs and teams, the scopes the
    metrics are kept for, grow with the accounts unless this grows too).
    """
    if Account.objects.exists():
        raise ValueError("build_portfolio fills an empty database; accounts already exist")
    builder = _Builder(
        accounts, seed, as_of, activities=activities, accounts_per_tam=accounts_per_tam
    )
    builder.create_people()
    if activities:
        builder.create_webinars()
    size = HISTORY_BATCH_SIZE if activities else BATCH_SIZE
    bounds = [(start, min(start + size, accounts)) for start in range(0, accounts, size)]
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = None
        for bound in [*bounds, None]:
            batch = pending.result() if pending else None  # the batch generated meanwhile
            pending = pool.submit(builder.generate, *bound) if bound else None
            if batch:
                with transaction.atomic():
                    builder.insert(batch)
            del batch
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return builder.counts


@dataclass
class _Batch:
    accounts: list[dict]
    parents: list[int | None]  # batch position of each account's parent
    related: dict = field(default_factory=dict)  # model: rows


class _Builder:
    def __init__(
        self,
        accounts: int,
        seed: int,
        as_of: date,
        *,
        activities: bool = False,
        accounts_per_tam: int = ACCOUNTS_PER_TAM,
    ):
        self.accounts = accounts
        self.accounts_per_tam = accounts_per_tam
        self.rng = random.Random(seed)
        self.activities = activities
        self.tables = {**TABLES, **HISTORY_TABLES} if activities else TABLES
        # History has its own generator: the accounts do not depend on `activities`.
        self.history_rng = random.Random(f"history-{seed}")
        self.as_of = as_of
        self.as_of_ordinal = as_of.toordinal()
        # One date object per day, shared by the millions of history rows.
        self.day_base = self.as_of_ordinal - 1200
        self.days = [date.fromordinal(self.day_base + offset) for offset in range(1201)]
        self.arr_quarters = last_quarters(as_of, ARR_QUARTERS, settings.FISCAL_YEAR_START_MONTH)
        self.webinars: list[tuple[int, int]] = []  # (held on, ordinal; id), by day
        self.onboarding_webinars: list[tuple[int, int]] = []
        self.quarter = fiscal_quarter_of(as_of, settings.FISCAL_YEAR_START_MONTH)
        self.previous_quarter = self.quarter.previous
        self.now = timezone.now()
        self.regions = list(Region.objects.order_by("id").values_list("id", "code"))
        weights = [REGION_WEIGHTS.get(code, 5) for _, code in self.regions]
        total = sum(weights)
        self.region_cumulative = [
            sum(weights[: index + 1]) / total for index in range(len(weights))
        ]
        self.region_share = {
            region_id: weight / total
            for (region_id, _), weight in zip(self.regions, weights, strict=True)
        }
        self.emea_region_ids = {
            region_id for region_id, code in self.regions if code == EMEA_REVIEW_REGION
        }
        self.stage_ids = list(Stage.objects.values_list("id", flat=True))
        self.stage_sets = [
            self.rng.sample(self.stage_ids, min(self.rng.randint(0, 6), len(self.stage_ids)))
            for _ in range(STAGE_SETS)
        ]
        self.segment_ids = list(Segment.objects.values_list("id", flat=True))
        self.tams_of_region: dict[int, list[int]] = {}
        self.manager_of_tam: dict[int, int] = {}
        self.counts = {
            "users": 0,
            "teams": 0,
            "accounts": 0,
            **({"webinars": 0} if activities else {}),
            **dict.fromkeys(self.tables.values(), 0),
        }

    # --- people (main thread) ------------------------------------------------------------

    def create_people(self) -> None:
        tams_total = max(len(self.regions), math.ceil(self.accounts / self.accounts_per_tam))
        plan = []  # (region_id, code, tams, teams)
        for region_id, code in self.regions:
            tams = max(1, round(tams_total * self.region_share[region_id]))
            plan.append((region_id, code, tams, math.ceil(tams / TAMS_PER_TEAM)))
        with transaction.atomic():
            managers = [
                _user(f"bench-manager-{code}-{team + 1}", Role.MANAGER)
                for _, code, _, teams in plan
                for team in range(teams)
            ]
            manager_ids = {
                username: user_id
                for user_id, username in insert_rows(User, managers, returning=("id", "username"))
            }
            teams = [
                {
                    "name": f"Bench {code} team {team + 1}",
                    "region_id": region_id,
                    "manager_id": manager_ids[f"bench-manager-{code}-{team + 1}"],
                }
                for region_id, code, _, team_count in plan
                for team in range(team_count)
            ]
            team_rows = insert_rows(Team, teams, returning=("id", "name", "manager_id"))
            team_of = {name: (team_id, manager) for team_id, name, manager in team_rows}
            update_rows(User, ["team"], [(manager, team_id) for team_id, _, manager in team_rows])
            tams, tam_region, tam_manager = [], {}, {}
            for region_id, code, tam_count, _ in plan:
                for index in range(tam_count):
                    team_id, manager = team_of[f"Bench {code} team {index // TAMS_PER_TEAM + 1}"]
                    username = f"bench-tam-{code}-{index + 1}"
                    tams.append({**_user(username, Role.TAM), "team_id": team_id})
                    tam_region[username] = region_id
                    tam_manager[username] = manager
            for tam_id, username in insert_rows(User, tams, returning=("id", "username")):
                self.tams_of_region.setdefault(tam_region[username], []).append(tam_id)
                self.manager_of_tam[tam_id] = tam_manager[username]
        self.counts["users"] = len(managers) + len(tams)
        self.counts["teams"] = len(teams)

    def create_webinars(self) -> None:
        """The year's webinars, hosted by TAMs; attendances pick from them by day."""
        rng = self.history_rng
        first_day = self.as_of_ordinal - HISTORY_DAYS
        hosts = [tam for tams in self.tams_of_region.values() for tam in tams]
        rows, held = [], {}
        for index in range(WEBINARS):
            day = first_day + int(rng.random() * (HISTORY_DAYS + 1))
            onboarding = rng.random() < 0.35
            title = (
                f"Bench {'onboarding ' if onboarding else ''}webinar {index + 1}: "
                f"{rng.choice(WEBINAR_TOPICS)}"
            )
            held[title] = (day, onboarding)
            rows.append(
                {
                    "title": title,
                    "kind": Webinar.Kind.WORKSHOP if rng.random() < 0.2 else Webinar.Kind.WEBINAR,
                    "held_on": self._day(day),
                    "onboarding": onboarding,
                    "host_id": rng.choice(hosts),
                }
            )
        with transaction.atomic():
            created = insert_rows(Webinar, rows, returning=("id", "title"))
        for webinar_id, title in created:
            day, onboarding = held[title]
            self.webinars.append((day, webinar_id))
            if onboarding:
                self.onboarding_webinars.append((day, webinar_id))
        self.webinars.sort()
        self.onboarding_webinars.sort()
        self.counts["webinars"] = len(created)

    # --- inserting a batch (main thread) -----------------------------------------------

    def insert(self, batch: _Batch) -> None:
        ids = dict(insert_rows(Account, batch.accounts, returning=("external_id", "id")))
        account_ids = [ids[row["external_id"]] for row in batch.accounts]
        update_rows(
            Account,
            ["parent"],
            [
                (account_ids[position], account_ids[parent])
                for position, parent in enumerate(batch.parents)
                if parent is not None
            ],
        )
        self.counts["accounts"] += len(account_ids)
        for model, rows in batch.related.items():
            for row in rows:
                row["account_id"] = account_ids[row["account_id"]]
            insert_rows(model, rows)
            self.counts[self.tables[model]] += len(rows)

    # --- generating a batch (worker thread: pure Python, no database) -------------------

    def generate(self, start: int, stop: int) -> _Batch:
        batch = _Batch(accounts=[], parents=[], related={model: [] for model in self.tables})
        for position, index in enumerate(range(start, stop)):
            row, parent = self._account(index, position, batch.accounts)
            batch.accounts.append(row)
            batch.parents.append(parent)
            self._opportunities(position, batch.related[Opportunity])
            self._initiatives(position, batch.related[Initiative])
            stages = self._adoptions(position, row["customer_since"], batch.related[StageAdoption])
            self._decisions(row, position, batch.related)
            if self.activities:
                self._history(position, row, stages, batch.related)
        return batch

    def _arr(self) -> tuple[str | None, float]:
        draw = self.rng.random()
        if draw < ARR_UNKNOWN:
            return None, 0.0
        for share, log_low, log_span in LOG_BANDS:
            if draw < share:
                value = math.exp(log_low + self.rng.random() * log_span)
                return f"{value:.2f}", value
        return None, 0.0  # not reached: the last band's share is 1

    def _account(self, index: int, position: int, batch: list[dict]) -> tuple[dict, int | None]:
        random_ = self.rng.random
        as_of = self.as_of_ordinal
        parent = int(random_() * position) if position and random_() < 0.05 else None
        if parent is not None:
            region_id = batch[parent]["region_id"]
        else:
            slot = bisect.bisect(self.region_cumulative, random_())
            region_id = self.regions[min(slot, len(self.regions) - 1)][0]
        arr, arr_value = self._arr()
        tams = self.tams_of_region[region_id]
        tam_id = tams[int(random_() * len(tams))] if arr_value >= 5_000 else None
        has_lam = random_() < 0.6
        days = int(random_() * 1096)  # customer for up to three years
        since = as_of - days
        onboarding = days < 60 or random_() < 0.026  # about 8% still onboarding
        engaged = since + 2 + int(random_() * 19) if days >= 2 else None
        onboarded = None if onboarding else since + 20 + int(random_() * 71)
        if onboarding:
            first_value = engaged + 1 + int(random_() * 30) if engaged and random_() < 0.5 else None
        else:
            first_value = engaged + 1 + int(random_() * max(1, onboarded - engaged))
        licensed = (
            max(5, int(arr_value / (150 + random_() * 450))) if arr else 5 + int(random_() * 96)
        )
        has_users = random_() >= 0.03
        plan = SUCCESS_PLANS[int(random_() * len(SUCCESS_PLANS))]
        qualified = random_() < 0.1
        pinned = random_() < 0.002
        row = {
            "external_id": f"BENCH-{index:08d}",
            "name": f"Bench Customer {index}",
            "region_id": region_id,
            "parent_id": None,  # set once the batch has ids
            "managed": not (parent is not None and random_() < 0.5),
            "tam_id": tam_id,
            "arr": arr,
            "lam": f"{arr_value * (1 + 3 * random_()):.2f}" if has_lam and arr else None,
            "lam_confidence": ("high" if random_() < 0.55 else "low") if has_lam else "",
            "customer_since": date.fromordinal(since),
            "first_engaged_on": date.fromordinal(min(engaged, as_of)) if engaged else None,
            "first_value_on": date.fromordinal(min(first_value, as_of)) if first_value else None,
            "onboarded_on": date.fromordinal(min(onboarded, as_of)) if onboarded else None,
            "renewal_date": date.fromordinal(since + 365 * (1 + days // 365)),
            "licensed_users": licensed if has_users else None,
            "active_users": int(licensed * (0.1 + 0.9 * random_())) if has_users else None,
            "health": HEALTH[int(random_() * len(HEALTH))],
            "at_risk": random_() < 0.05,
            "in_triage": random_() < 0.03,
            "success_plan": plan,
            "success_plan_green_on": (
                date.fromordinal(as_of - int(random_() * 300)) if plan == "green" else None
            ),
            "success_plan_management_qualified": qualified,
            "success_plan_management_qualified_on": (
                date.fromordinal(as_of - int(random_() * 300)) if qualified else None
            ),
            "critical_project": random_() < 0.10,
            "key_logo": random_() < 0.03,
            "channel_engaged": random_() < 0.03,
            "org_change": random_() < 0.05,
            "weekly_engagement": random_() < 0.05,
            "tam_handover": random_() < 0.03,
            "digital": random_() < 0.02,
            "last_nps": int(random_() * 11) if random_() < 0.8 else None,
            "segment_id": None,
            "segment_override_id": self.rng.choice(self.segment_ids) if pinned else None,
            "segment_override_reason": "Bench: pinned by TAM operations" if pinned else "",
            "priority": None,
            "priority_reasons": "",
        }
        return row, parent

    def _opportunities(self, account: int, rows: list) -> None:
        """At most one open opportunity per kind (a unique constraint), plus some history."""
        random_, as_of = self.rng.random, self.as_of_ordinal
        if random_() < 0.10:
            rows.append(_opportunity(account, "tier_upgrade", as_of + 1 + int(random_() * 365)))
        if random_() < 0.10:
            rows.append(_opportunity(account, "growth", as_of + 1 + int(random_() * 365)))
        if random_() < 0.04:
            kind = "tier_upgrade" if random_() < 0.5 else "growth"
            status = "won" if random_() < 0.5 else "lost"
            rows.append(_opportunity(account, kind, as_of - 1 - int(random_() * 700), status))

    def _initiatives(self, account: int, rows: list) -> None:
        """This quarter's active initiatives for about 20%, last quarter's closed for 5%."""
        rng = self.rng
        if rng.random() < 0.20:
            for kind in rng.sample(INITIATIVE_KINDS, 1 if rng.random() < 0.8 else 2):
                rows.append(
                    {
                        "account_id": account,
                        "kind": kind,
                        "stage_id": (
                            rng.choice(self.stage_ids) if kind == "stage_adoption" else None
                        ),
                        "tam_hours_per_week": rng.choice(HOURS),
                        "starts_on": self.quarter.start,
                        "ends_on": self.quarter.end if rng.random() < 0.3 else None,
                        "status": "active",
                    }
                )
        if rng.random() < 0.05:
            rows.append(
                {
                    "account_id": account,
                    "kind": rng.choice(INITIATIVE_KINDS),
                    "stage_id": None,
                    "tam_hours_per_week": rng.choice(HOURS),
                    "starts_on": self.previous_quarter.start,
                    "ends_on": self.previous_quarter.end,
                    "status": "closed",
                }
            )

    def _adoptions(self, account: int, customer_since: date, rows: list) -> list[int]:
        """0 to 6 distinct stages, enabled since the account became a customer.

        With history, 10% and 50% of users are reached after realistic delays (most
        stages within 60 days and 6 months) rather than any day until `as_of`.
        """
        random_, as_of = self.rng.random, self.as_of_ordinal
        since = customer_since.toordinal()
        stages = self.stage_sets[int(random_() * STAGE_SETS)]
        for stage_id in stages:
            enabled = since + int(random_() * (as_of - since + 1))
            share = random_()
            rows.append(
                {
                    "account_id": account,
                    "stage_id": stage_id,
                    "enabled_on": date.fromordinal(enabled),
                    "users_share": f"{share:.4f}",
                    "initial_adoption_on": (
                        date.fromordinal(enabled + int(random_() * (as_of - enabled + 1)))
                        if share >= 0.1
                        else None
                    ),
                    "broad_adoption_on": (
                        date.fromordinal(enabled + int(random_() * (as_of - enabled + 1)))
                        if share >= 0.5
                        else None
                    ),
                }
            )
            if self.activities:
                self._adoption_delays(rows[-1], enabled, share)
        return stages

    def _adoption_delays(self, row: dict, enabled: int, share: float) -> None:
        """Exponential delays: 10% of users after 35 days on average (82% within 60 days),
        50% after 15 + 120 days on average (71% within 6 months); never after `as_of`."""
        random_, as_of = self.history_rng.random, self.as_of_ordinal
        initial = enabled + int(-35 * math.log(1 - random_())) if share >= 0.1 else None
        broad = enabled + 15 + int(-120 * math.log(1 - random_())) if share >= 0.5 else None
        if broad is not None:
            broad = max(broad, initial)
        row["initial_adoption_on"] = self._day(min(initial, as_of)) if initial else None
        row["broad_adoption_on"] = self._day(min(broad, as_of)) if broad else None

    def _decisions(self, row: dict, account: int, related: dict) -> None:
        """Approved exceptions on about 0.5%, approved reviews on 10% of EMEA Enterprise."""
        rng = self.rng
        if rng.random() < 0.005:
            tam_id = self._tam(row)
            related[PriorityException].append(
                {
                    "account_id": account,
                    "requested_priority": rng.randint(1, 2),
                    "justification": "Bench: executive sponsor asked for weekly contact.",
                    "requested_by_id": tam_id,
                    "status": "approved",
                    "reviewed_by_id": self.manager_of_tam[tam_id],
                    "reviewed_at": self.now,
                    "review_comment": "",
                    "expires_on": self.quarter.end,
                }
            )
        if row["region_id"] in self.emea_region_ids and rng.random() < 0.10:
            tam_id = self._tam(row)
            suggested = rng.randint(1, 4)
            related[PriorityReview].append(
                {
                    "account_id": account,
                    "fiscal_quarter": self.quarter.label,
                    "suggested_priority": suggested,
                    "proposed_priority": suggested if rng.random() < 0.7 else rng.randint(1, 4),
                    "justification": "Bench: reviewed in the quarterly book review.",
                    "proposed_by_id": tam_id,
                    "status": "approved",
                    "decided_priority": rng.randint(1, 2),
                    "decided_by_id": self.manager_of_tam[tam_id],
                    "decided_at": self.now,
                    "comment": "",
                }
            )

    # --- a year of history (activities=True) ------------------------------------------

    def _day(self, ordinal: int) -> date:
        return self.days[ordinal - self.day_base]

    def _history(self, account: int, row: dict, stages: list[int], related: dict) -> None:
        """The account's last year (from its customer-since date if later)."""
        as_of = self.as_of_ordinal
        since = row["customer_since"].toordinal()
        start = max(since, as_of - HISTORY_DAYS)
        arr = float(row["arr"]) if row["arr"] else 0.0
        activities = related[Activity]
        self._cadence_calls(account, row["tam_id"], arr, start, activities)
        self._ebrs(account, row["tam_id"], arr, start, activities)
        self._attendances(account, arr, since, start, activities)
        self._surveys(account, row, since, activities)
        self._playbooks(account, row["tam_id"], arr, stages, start, activities)
        self._license_saves(account, row, start, activities)
        self._usage(account, row, since, start, related[UsageSnapshot])
        self._arr_snapshots(account, row["arr"], arr, since, related[ArrSnapshot])

    def _activity(self, account: int, kind: str, day: int, logged_by=None, **fields) -> dict:
        return {
            "account_id": account,
            "kind": kind,
            "occurred_on": self._day(day),
            "logged_by_id": logged_by,
            **fields,
        }

    def _cadence_calls(self, account, tam_id, arr, start, rows) -> None:
        """Every `interval` days, give or take a quarter of it, for accounts with a TAM."""
        if tam_id is None:
            return
        interval = next((days for minimum, days in CADENCE if arr >= minimum), None)
        if interval is None:
            return
        random_ = self.history_rng.random
        day = start + int(random_() * interval)
        while day <= self.as_of_ordinal:
            rows.append(self._activity(account, "cadence_call", day, tam_id))
            day += interval - interval // 4 + int(random_() * (interval // 2 + 1))

    def _ebrs(self, account, tam_id, arr, start, rows) -> None:
        random_ = self.history_rng.random
        draw = random_()
        if arr >= 500_000:
            count = 2 if draw < 0.4 else 1 if draw < 0.9 else 0
        elif arr >= 100_000:
            count = 2 if draw < 0.15 else 1 if draw < 0.65 else 0
        elif arr >= 50_000:
            count = 1 if draw < 0.3 else 0
        else:
            count = 1 if draw < 0.03 else 0
        span = self.as_of_ordinal - start + 1
        for _ in range(count):
            rows.append(self._activity(account, "ebr", start + int(random_() * span), tam_id))

    def _attendances(self, account, arr, since, start, rows) -> None:
        """New customers at an onboarding webinar in their first 45 days (55%); anyone at
        0 to 4 of the webinars held since `start`, mid-size accounts more often."""
        rng = self.history_rng
        random_ = rng.random
        attended = set()
        if since > self.as_of_ordinal - HISTORY_DAYS and random_() < 0.55:
            first = bisect.bisect_left(self.onboarding_webinars, (since, 0))
            last = bisect.bisect_right(self.onboarding_webinars, (since + 45, 1 << 62))
            if last > first:
                attended.add(self.onboarding_webinars[first + int(random_() * (last - first))])
        likely = 0.55 if 20_000 <= arr < 500_000 else 0.3
        if random_() < likely:
            first = bisect.bisect_left(self.webinars, (start, 0))
            held = len(self.webinars) - first
            for _ in range(min(held, 1 + int(random_() * 4))):
                attended.add(self.webinars[first + int(random_() * held)])
        for day, webinar_id in sorted(attended):
            stayed = random_()
            rows.append(
                self._activity(
                    account,
                    "webinar_attendance",
                    day,
                    webinar_id=webinar_id,
                    stayed_whole_session=True
                    if stayed < 0.72
                    else False
                    if stayed < 0.95
                    else None,
                    feedback_score=rng.choice(FEEDBACK_SCORES) if random_() < 0.45 else None,
                )
            )

    def _surveys(self, account, row, since, rows) -> None:
        """Onboarding survey after onboarding (60%), six-month survey (45%), renewal survey
        about 110 days before each renewal (50%), within the year."""
        random_, as_of = self.history_rng.random, self.as_of_ordinal
        first_day = as_of - HISTORY_DAYS
        answered = []
        onboarded = row["onboarded_on"]
        if onboarded and onboarded.toordinal() >= first_day and random_() < 0.6:
            answered.append(("onboarding", onboarded.toordinal() + int(random_() * 15)))
        six_months = since + 182
        if first_day <= six_months <= as_of and random_() < 0.45:
            answered.append(("six_month", six_months + int(random_() * 15)))
        for year in (1, 2, 3):
            day = since + 365 * year - 110 + int(random_() * 21)
            if first_day <= day <= as_of and random_() < 0.5:
                answered.append(("renewal", day))
        for survey_kind, day in answered:
            nps = self.history_rng.choice(NPS_SCORES) if random_() < 0.92 else None
            csat = self.history_rng.choice(CSAT_SCORES) if nps is None or random_() < 0.9 else None
            rows.append(
                self._activity(
                    account,
                    "survey_response",
                    min(day, as_of),
                    survey_kind=survey_kind,
                    nps=nps,
                    csat=csat,
                )
            )

    def _playbooks(self, account, tam_id, arr, stages, start, rows) -> None:
        """Stage adoption (70%) and expansion playbooks of TAM-assigned accounts, started
        in the year; 85% of those whose 10 to 120 days are up are completed, expansions
        won 45% of the time."""
        if tam_id is None:
            return
        rng = self.history_rng
        random_, as_of = rng.random, self.as_of_ordinal
        if arr >= 100_000:
            count = int(random_() * 4)
        elif arr >= 50_000:
            count = int(random_() * 3)
        else:
            count = 1 if random_() < 0.25 else 0
        for _ in range(count):
            stage_adoption = random_() < 0.7
            started = start + int(random_() * (as_of - start + 1))
            due = started + 10 + int(random_() * 111)
            completed = due if due <= as_of and random_() < 0.85 else None
            if completed is None:
                outcome = "open"
            elif stage_adoption:
                outcome = "won"
            else:
                outcome = "won" if random_() < 0.45 else "lost"
            stage_id = None
            if stage_adoption:
                stage_id = rng.choice(stages) if stages else rng.choice(self.stage_ids)
            rows.append(
                self._activity(
                    account,
                    "playbook",
                    started,
                    tam_id,
                    playbook_kind="stage_adoption" if stage_adoption else "expansion",
                    stage_id=stage_id,
                    started_on=self._day(started),
                    completed_on=self._day(completed) if completed else None,
                    outcome=outcome,
                )
            )

    def _license_saves(self, account, row, start, rows) -> None:
        """A third of the accounts using under half their licences are flagged once or
        twice in the year (1% of the others); 45% saved, 40% not, 15% unknown yet."""
        random_, as_of = self.history_rng.random, self.as_of_ordinal
        licensed, active = row["licensed_users"], row["active_users"]
        low = bool(licensed) and active < licensed * 0.5
        if random_() >= (0.35 if low else 0.01):
            return
        for _ in range(1 if random_() < 0.75 else 2):
            saved = random_()
            rows.append(
                self._activity(
                    account,
                    "license_save",
                    start + int(random_() * (as_of - start + 1)),
                    row["tam_id"],
                    saved=True if saved < 0.45 else False if saved < 0.85 else None,
                )
            )

    def _usage(self, account, row, since, start, rows) -> None:
        """A snapshot every 4 weeks back from `as_of`: licences drift up to today's count,
        new customers ramp up their use over 4 months and turn green over 3."""
        licensed_now, active_now = row["licensed_users"], row["active_users"]
        if licensed_now is None:
            return
        random_ = self.history_rng.random
        utilisation = active_now / licensed_now if licensed_now else 0.0
        day, weeks = self.as_of_ordinal, 0
        while day >= start:
            age = day - since
            licensed = max(1, round(licensed_now * (1 - 0.003 * weeks * random_())))
            ramp = min(1.0, 0.15 + age / 120)
            active = min(licensed, int(licensed * utilisation * ramp * (0.9 + 0.2 * random_())))
            if weeks == 0:
                health = row["health"]
            elif age < 30:
                health = "green" if random_() < 0.15 else HEALTH[5 + int(random_() * 5)]
            elif age < 90:
                health = "green" if random_() < 0.4 else HEALTH[int(random_() * len(HEALTH))]
            else:
                health = row["health"] if random_() < 0.75 else HEALTH[int(random_() * 10)]
            rows.append(
                {
                    "account_id": account,
                    "taken_on": self._day(day),
                    "licensed_users": licensed,
                    "active_users": active,
                    "health": health,
                }
            )
            day -= USAGE_EVERY_DAYS
            weeks += 4

    def _arr_snapshots(self, account, arr_text, arr, since, rows) -> None:
        """ARR at the start of each of the last five quarters the account was a customer
        then, drifting back from today's: per quarter 12% grew (5-50%), 6% contracted
        (3-30%)."""
        if not arr_text:
            return
        random_ = self.history_rng.random
        value = arr
        for quarter in reversed(self.arr_quarters):  # the current quarter first
            draw = random_()
            if draw < 0.12:
                value /= 1.05 + 0.45 * random_()  # grew during the quarter
            elif draw < 0.18:
                value /= 0.7 + 0.27 * random_()  # contracted during the quarter
            if quarter.start.toordinal() < since:
                return
            rows.append(
                {"account_id": account, "fiscal_quarter": quarter.label, "arr": f"{value:.2f}"}
            )

    def _tam(self, row: dict) -> int:
        """The account's TAM, or one of its region's when it has none."""
        return row["tam_id"] or self.rng.choice(self.tams_of_region[row["region_id"]])


def _user(username: str, role: str) -> dict:
    return {
        "username": username,
        "password": "!",  # unusable
        "email": f"{username}@bench.example.com",
        "first_name": "Bench",
        "last_name": username.rsplit("-", 1)[-1],
        "role": role,
        "team_id": None,
    }


def _opportunity(account: int, kind: str, close_ordinal: int, status: str = "open") -> dict:
    return {
        "account_id": account,
        "kind": kind,
        "close_date": date.fromordinal(close_ordinal),
        "status": status,
    }
