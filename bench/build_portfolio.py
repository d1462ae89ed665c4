"""Fill an empty, migrated database with a synthetic portfolio for the recompute, metrics
and page benchmarks: the demo's portfolio (`demo/`), scaled up.

`build_portfolio(accounts, as_of=...)` creates one TAM per `accounts_per_tam` accounts,
spread over the regions as the demo's teams are (teams of `TAMS_PER_TEAM`, each with a
manager), then draws the accounts exactly as the demo does: books balanced by region
kind, ARR bands by region kind, parents, names, customer-since dates and the rest of the
account's fields (`demo.accounts`, `demo.lifecycle`), then its stage adoptions,
initiatives and opportunities (`demo.facts`). The benchmark adds what the demo leaves to
its users: approved priority exceptions on about 0.5% of accounts, approved reviews on
10% of EMEA Enterprise and pinned segments on 0.2%.

With `activities=True` (the metrics and page benchmarks) each account also gets the
demo's history over the last `HISTORY_QUARTERS` fiscal quarters: success-plan
objectives, ARR snapshots, the timeline, usage snapshots and webinar attendance. These
draws come from a second random generator, so the accounts and their facts are the same
with or without history, except today's active users, which the latest usage snapshot
sets.

Speed: the demo's generator writes plain rows, which go in through COPY on PostgreSQL
(`demo.writing`), `BATCH_SIZE` accounts at a time so memory stays bounded. Generating
is pure Python while writing mostly waits on PostgreSQL (COPY, index upkeep, the
deferred foreign-key checks at commit), so a worker thread generates the next batch
meanwhile: at most two batches are in memory. Book owners and ARR bands are drawn once
for the whole portfolio, so books and bands balance across batches.
"""

from __future__ import annotations

import math
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account, Region, Stage, Webinar
from core.bulk import insert_rows, update_rows
from demo.accounts import bands_for, book_owners, plan_accounts
from demo.draws import DemoCalendar
from demo.portfolio import rows_about_accounts
from demo.rows import BookOwner, DemoAccount, DemoRows
from demo.tables import ArrBand, tams_per_region
from demo.usage import usage_histories
from demo.webinars import attendances, webinars
from demo.writing import insert_plain_rows, write_accounts, write_rows
from people.models import Role, Team, User
from prioritization.models import PriorityException, PriorityReview
from segments.models import Segment

# Accounts planned, generated and written together; with history about 40 rows each. The
# same with or without history: parents, names and customer-since dates are drawn per batch.
BATCH_SIZE = 5_000
ACCOUNTS_PER_TAM = 50
TAMS_PER_TEAM = 8
HISTORY_QUARTERS = 5  # the current one and four before: a year and some weeks

EXCEPTION_CHANCE = 0.005
EMEA_REVIEW_REGION, EMEA_REVIEW_CHANCE = "emea-enterprise", 0.10
PINNED_SEGMENT_CHANCE = 0.002

# How `build_portfolio` names the tables it counts, by DemoRows list.
COUNTED_TABLES = {
    "opportunities": "opportunities",
    "initiatives": "initiatives",
    "stage_adoptions": "stage_adoptions",
    "objectives": "success_plan_objectives",
    "activities": "activities",
    "usage": "usage_snapshots",
    "snapshots": "arr_snapshots",
}
HISTORY_ONLY = {"objectives", "activities", "usage", "snapshots"}


def build_portfolio(
    accounts: int,
    *,
    seed: int = 1,
    as_of: date,
    activities: bool = False,
    accounts_per_tam: int = ACCOUNTS_PER_TAM,
) -> dict[str, int]:
    """Create `accounts` accounts and their related facts; returns rows created per table.

    `activities`: also the accounts' history (see the module docstring).
    `accounts_per_tam`: how many accounts per TAM (so TAMs and teams, the scopes the
    metrics are kept for, grow with the accounts unless this grows too).
    """
    if Account.objects.exists():
        raise ValueError("build_portfolio fills an empty database; accounts already exist")
    builder = _Builder(seed, as_of, activities=activities)
    builder.create_people(accounts, accounts_per_tam)
    builder.plan_books(accounts)
    if activities:
        builder.create_webinars()
    bounds = [
        (start, min(start + BATCH_SIZE, accounts)) for start in range(0, accounts, BATCH_SIZE)
    ]
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
    accounts: list[DemoAccount]
    rows: DemoRows
    exceptions: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)


class _Builder:
    def __init__(self, seed: int, as_of: date, *, activities: bool):
        self.rng = random.Random(seed)
        # History has its own generator: the accounts do not depend on `activities`.
        self.history_rng = random.Random(f"history-{seed}") if activities else None
        self.calendar = DemoCalendar.ending(as_of, HISTORY_QUARTERS)
        self.now = timezone.now()
        self.regions = list(Region.objects.filter(code__in=tams_per_region()).order_by("id"))
        self.stages = list(Stage.objects.order_by("id"))
        self.segment_ids = list(Segment.objects.order_by("id").values_list("id", flat=True))
        self.tams: list[BookOwner] = []
        self.owners: list[BookOwner] = []  # of every account, in order
        self.bands: list[ArrBand] = []
        self.manager_of_tam: dict[int, int] = {}
        self.webinars: list[Webinar] = []
        self.counts = {
            "users": 0,
            "teams": 0,
            "accounts": 0,
            **({"webinars": 0} if activities else {}),
            **{
                label: 0
                for name, label in COUNTED_TABLES.items()
                if activities or name not in HISTORY_ONLY
            },
            "priority_exceptions": 0,
            "priority_reviews": 0,
        }

    # --- people and books (main thread) ----------------------------------------------

    def create_people(self, accounts: int, accounts_per_tam: int) -> None:
        """TAMs per region as the demo's teams spread them, teams of TAMS_PER_TEAM."""
        demo_tams = tams_per_region()
        tams_total = max(len(self.regions), math.ceil(accounts / accounts_per_tam))
        plan = []  # (region, tams, teams)
        for region in self.regions:
            tams = max(1, round(tams_total * demo_tams[region.code] / sum(demo_tams.values())))
            plan.append((region, tams, math.ceil(tams / TAMS_PER_TEAM)))
        with transaction.atomic():
            managers = [
                _user(f"bench-manager-{region.code}-{team + 1}", Role.MANAGER)
                for region, _, teams in plan
                for team in range(teams)
            ]
            manager_ids = {
                username: user_id
                for user_id, username in insert_rows(User, managers, returning=("id", "username"))
            }
            teams = [
                {
                    "name": f"Bench {region.code} team {team + 1}",
                    "region_id": region.pk,
                    "manager_id": manager_ids[f"bench-manager-{region.code}-{team + 1}"],
                }
                for region, _, team_count in plan
                for team in range(team_count)
            ]
            team_rows = insert_rows(Team, teams, returning=("id", "name", "manager_id"))
            team_of = {name: (team_id, manager) for team_id, name, manager in team_rows}
            update_rows(User, ["team"], [(manager, team_id) for team_id, _, manager in team_rows])
            tams, tam_region, tam_manager = [], {}, {}
            for region, tam_count, _ in plan:
                for index in range(tam_count):
                    name = f"Bench {region.code} team {index // TAMS_PER_TEAM + 1}"
                    team_id, manager = team_of[name]
                    username = f"bench-tam-{region.code}-{index + 1}"
                    tams.append({**_user(username, Role.TAM), "team_id": team_id})
                    tam_region[username], tam_manager[username] = region, manager
            for tam_id, username in insert_rows(User, tams, returning=("id", "username")):
                self.tams.append(BookOwner(tam_id=tam_id, region=tam_region[username]))
                self.manager_of_tam[tam_id] = tam_manager[username]
        self.tams.sort(key=lambda tam: tam.tam_id)
        self.counts["users"] = len(managers) + len(tams)
        self.counts["teams"] = len(teams)

    def plan_books(self, accounts: int) -> None:
        """The owner and ARR band of every account, drawn once: a batch takes its slice."""
        self.owners = book_owners(accounts, self.tams, self.rng)
        self.bands = bands_for(self.owners, self.rng)

    def create_webinars(self) -> None:
        """The demo's webinar programme over the history, hosted by the TAMs."""
        hosts = [tam.tam_id for tam in self.tams]
        self.webinars = webinars(self.calendar, hosts, self.history_rng)
        with transaction.atomic():
            Webinar.objects.bulk_create(self.webinars, batch_size=1000)
        self.counts["webinars"] = len(self.webinars)

    # --- generating a batch (worker thread: pure Python, no database) ----------------

    def generate(self, start: int, stop: int) -> _Batch:
        demo_accounts = plan_accounts(
            self.owners[start:stop],
            self.bands[start:stop],
            external_ids=[f"BENCH-{index:08d}" for index in range(start, stop)],
            calendar=self.calendar,
            rng=self.rng,
        )
        rows = rows_about_accounts(
            demo_accounts,
            self.calendar,
            self.stages,
            facts_rng=self.rng,
            history_rng=self.history_rng,
        )
        if self.history_rng is not None:
            usage_histories(demo_accounts, self.calendar, rows, self.history_rng)
            rows.activities += attendances(self.webinars, demo_accounts, self.history_rng)
        batch = _Batch(accounts=demo_accounts, rows=rows)
        for demo in demo_accounts:
            self._decisions(demo, batch)
        return batch

    def _decisions(self, demo: DemoAccount, batch: _Batch) -> None:
        """What people decided about the account: an approved exception, an approved EMEA
        review, a segment pinned by TAM operations."""
        rng, account = self.rng, demo.account
        manager = self.manager_of_tam[account.tam_id]
        if rng.random() < EXCEPTION_CHANCE:
            batch.exceptions.append(
                {
                    "account": demo,
                    "requested_priority": rng.randint(1, 2),
                    "justification": "Bench: executive sponsor asked for weekly contact.",
                    "requested_by_id": account.tam_id,
                    "status": "approved",
                    "reviewed_by_id": manager,
                    "reviewed_at": self.now,
                    "expires_on": self.calendar.current.end,
                }
            )
        if demo.region.code == EMEA_REVIEW_REGION and rng.random() < EMEA_REVIEW_CHANCE:
            suggested = rng.randint(1, 4)
            batch.reviews.append(
                {
                    "account": demo,
                    "fiscal_quarter": self.calendar.current.label,
                    "suggested_priority": suggested,
                    "proposed_priority": suggested if rng.random() < 0.7 else rng.randint(1, 4),
                    "justification": "Bench: reviewed in the quarterly book review.",
                    "proposed_by_id": account.tam_id,
                    "status": "approved",
                    "decided_priority": rng.randint(1, 2),
                    "decided_by_id": manager,
                    "decided_at": self.now,
                }
            )
        if rng.random() < PINNED_SEGMENT_CHANCE:
            account.segment_override_id = rng.choice(self.segment_ids)
            account.segment_override_reason = "Bench: pinned by TAM operations"

    # --- writing a batch (main thread) -------------------------------------------------

    def insert(self, batch: _Batch) -> None:
        write_accounts(batch.accounts)
        write_rows(batch.rows)
        insert_plain_rows(PriorityException, batch.exceptions)
        insert_plain_rows(PriorityReview, batch.reviews)
        self.counts["accounts"] += len(batch.accounts)
        for name, label in COUNTED_TABLES.items():
            if label in self.counts:
                self.counts[label] += len(getattr(batch.rows, name))
        self.counts["priority_exceptions"] += len(batch.exceptions)
        self.counts["priority_reviews"] += len(batch.reviews)


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
