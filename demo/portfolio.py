"""The demo's entry point: `build_demo_portfolio` plans the people and accounts, draws the
rows about the accounts and writes everything in one transaction.

Every random draw comes from a `random.Random` stream per purpose derived from `seed`, so
the same seed and `as_of` give the same data, and adding a kind of history does not
reshuffle the names.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from accounts.models import Region, Stage

from .accounts import bands_for, book_owners, plan_accounts
from .activities import activities, closed_this_quarter, quarter_closing_expansions
from .draws import DemoCalendar
from .facts import arr_snapshots, initiatives, objectives, opportunities, stage_adoptions
from .lifecycle import date_sentiments
from .people import DemoDataConflict, create_people, demo_usernames, refuse_conflicts
from .rows import BookOwner, DemoAccount, DemoRows
from .tables import HISTORY_QUARTERS, TEAM_PLANS
from .triage import triage_cases
from .usage import usage_histories
from .webinars import attendances, webinars
from .writing import write_portfolio


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


def build_demo_portfolio(*, accounts: int, seed: int, as_of: date) -> DemoSummary:
    """Write the demo portfolio: 8 teams, ~60 TAMs, `accounts` accounts and their history.

    Raises DemoDataConflict, and writes nothing, when the database already has accounts,
    demo users or demo teams, or lacks the seeded regions and stages (run migrate).
    """
    if accounts < 1:
        raise ValueError("the demo needs at least one account")
    calendar = DemoCalendar.ending(as_of, HISTORY_QUARTERS)
    with transaction.atomic():
        regions, stages = _seeded_reference_data()
        refuse_conflicts()
        tams = create_people(regions, stream(seed, "people"))
        account_rng = stream(seed, "accounts")
        owners = book_owners(
            accounts,
            [BookOwner(tam_id=tam.pk, region=tam.team.region) for tam in tams],
            account_rng,
        )
        demo_accounts = plan_accounts(
            owners,
            bands_for(owners, account_rng),
            external_ids=[f"SF-{number:06d}" for number in range(1, accounts + 1)],
            calendar=calendar,
            rng=account_rng,
        )
        history_rng = stream(seed, "history")
        rows = rows_about_accounts(
            demo_accounts, calendar, stages, facts_rng=history_rng, history_rng=history_rng
        )
        usage_histories(demo_accounts, calendar, rows, stream(seed, "usage"))
        date_sentiments(demo_accounts, calendar, stream(seed, "sentiment"))
        webinar_rng = stream(seed, "webinars")
        rows.webinars = webinars(calendar, [tam.pk for tam in tams], webinar_rng)
        rows.activities += attendances(rows.webinars, demo_accounts, webinar_rng)
        write_portfolio(demo_accounts, rows)
        triage_cases(demo_accounts, calendar, stream(seed, "triage"))
    return _summary(seed, calendar, regions, demo_accounts, rows)


def stream(seed: int, purpose: str) -> random.Random:
    # One stream per purpose, so adding a kind of history does not reshuffle the names.
    return random.Random(f"{seed}:{purpose}")


def rows_about_accounts(
    demo_accounts: list[DemoAccount],
    calendar: DemoCalendar,
    stages: list[Stage],
    *,
    facts_rng: random.Random,
    history_rng: random.Random | None,
) -> DemoRows:
    """Each account's stage adoptions, initiatives and opportunities (what the priority
    rules read) from `facts_rng`; with a `history_rng`, also its success-plan objectives,
    ARR snapshots and timeline. Usage snapshots and webinars are drawn apart."""
    rows = DemoRows()
    closing = {}
    if history_rng is not None:
        closing = quarter_closing_expansions(demo_accounts, calendar, history_rng)
    for demo in demo_accounts:
        adoptions = stage_adoptions(demo, stages, facts_rng)
        rows.stage_adoptions += adoptions
        adopted = {adoption["stage_id"] for adoption in adoptions}
        rows.initiatives += initiatives(demo, calendar, stages, adopted, facts_rng)
        rows.opportunities += opportunities(demo, calendar, facts_rng)
        if history_rng is None:
            continue
        rows.objectives += objectives(demo, calendar, history_rng)
        rows.snapshots += arr_snapshots(demo, calendar, history_rng)
        rows.activities += activities(demo, calendar, stages, history_rng)
        if demo in closing:
            play = closed_this_quarter(demo, calendar, closing[demo], stages, history_rng)
            rows.activities.append(play)
    return rows


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
        users=len(demo_usernames()),
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
