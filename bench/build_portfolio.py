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

Speed: the accounts are generated, flattened to plain rows (`demo.writing.flatten`) and
written with COPY batch by batch, `BATCH_SIZE` accounts at a time, so memory stays
bounded. Generating is pure Python and costs about as much as writing, which is Python
formatting rows and then waiting on PostgreSQL (COPY, index upkeep, the deferred
foreign-key checks at commit). So a worker process generates the next batch while this
one writes (a thread would hold the interpreter lock against the writer): two batches in
memory at most. Plain rows pickle several times faster than the generator's objects. The
first batch is small, so writing starts soon. Book owners and ARR bands are drawn once for
the whole portfolio, so books and bands balance across batches.
"""

from __future__ import annotations

import math
import multiprocessing
import random
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from itertools import pairwise

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
    SuccessPlanObjective,
    UsageSnapshot,
    Webinar,
)
from core.bulk import insert_rows, update_rows
from demo.accounts import bands_for, book_owners, plan_accounts
from demo.draws import DemoCalendar
from demo.lifecycle import date_sentiments
from demo.portfolio import rows_about_accounts
from demo.rows import BookOwner, DemoAccount
from demo.tables import ArrBand, tams_per_region
from demo.usage import usage_histories
from demo.webinars import attendances, webinars
from demo.writing import PlainBatch, flatten, write
from people.models import Role, Team, User
from prioritization.models import PriorityException, PriorityReview
from segments.models import Segment

# Accounts planned, generated and written together (with history, about 35 rows each); the
# same with or without history, since parents, names and customer-since dates are drawn
# per batch.
BATCH_SIZE = 5_000
FIRST_BATCH_SIZE = 1_000  # small, so that writing starts soon
ACCOUNTS_PER_TAM = 50
TAMS_PER_TEAM = 8
HISTORY_QUARTERS = 5  # the current one and four before: a year and some weeks

EXCEPTION_CHANCE = 0.005
EMEA_REVIEW_REGION, EMEA_REVIEW_CHANCE = "emea-enterprise", 0.10
PINNED_SEGMENT_CHANCE = 0.002

# The tables `build_portfolio` counts the rows of, as it names them.
COUNTED = {
    Opportunity: "opportunities",
    Initiative: "initiatives",
    StageAdoption: "stage_adoptions",
    PriorityException: "priority_exceptions",
    PriorityReview: "priority_reviews",
}
COUNTED_WITH_HISTORY = {
    SuccessPlanObjective: "success_plan_objectives",
    Activity: "activities",
    UsageSnapshot: "usage_snapshots",
    ArrSnapshot: "arr_snapshots",
}


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
    starts = [0, *range(FIRST_BATCH_SIZE, accounts, BATCH_SIZE)]
    bounds = iter(pairwise([*starts, accounts]))
    # Forked, the worker holds a copy of our database connection but never uses it, and
    # leaves through os._exit, which does not close it.
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(1, fork, initializer=_start_worker, initargs=(builder,)) as pool:
        pending = pool.submit(_generate_in_worker, *next(bounds))
        while pending:
            batch = pending.result()
            bound = next(bounds, None)  # the next batch is generated while this one writes
            pending = pool.submit(_generate_in_worker, *bound) if bound else None
            with transaction.atomic():
                write(batch)
            builder.count(batch)
            del batch
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return builder.counts


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
        self.counted = {**COUNTED, **(COUNTED_WITH_HISTORY if activities else {})}
        self.counts = {
            "users": 0,
            "teams": 0,
            "accounts": 0,
            **({"webinars": 0} if activities else {}),
            **dict.fromkeys(self.counted.values(), 0),
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

    # --- generating a batch (worker process: pure Python, no database) ---------------

    def generate(self, start: int, stop: int) -> PlainBatch:
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
            date_sentiments(demo_accounts, self.calendar, self.history_rng)
            rows.activities += attendances(self.webinars, demo_accounts, self.history_rng)
        exceptions, reviews = [], []
        for demo in demo_accounts:
            self._decisions(demo, exceptions, reviews)
        more = {PriorityException: exceptions, PriorityReview: reviews}
        return flatten(demo_accounts, rows, more)

    def _decisions(self, demo: DemoAccount, exceptions: list, reviews: list) -> None:
        """What people decided about the account: an approved exception, an approved EMEA
        review, a segment pinned by TAM operations."""
        rng, account = self.rng, demo.account
        manager = self.manager_of_tam[account.tam_id]
        if rng.random() < EXCEPTION_CHANCE:
            exceptions.append(
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
            reviews.append(
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

    # --- counting a batch written (main process) -------------------------------------

    def count(self, batch: PlainBatch) -> None:
        self.counts["accounts"] += len(batch.accounts)
        for model, rows in batch.tables.items():
            if model in self.counted:
                self.counts[self.counted[model]] += len(rows)


_worker_builder: _Builder | None = None  # the worker process's copy of the builder


def _start_worker(builder: _Builder) -> None:
    global _worker_builder
    _worker_builder = builder


def _generate_in_worker(start: int, stop: int) -> PlainBatch:
    # One worker, so one builder draws every batch in order, as a single process would.
    return _worker_builder.generate(start, stop)


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
