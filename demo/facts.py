"""The facts the rules and metrics read beside the account: stage adoption, initiatives,
opportunities, success-plan objectives and ARR at the start of each quarter."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from itertools import accumulate

from accounts.models import (
    InitiativeKind,
    InitiativeStatus,
    OpportunityKind,
    OpportunityStatus,
    Stage,
    SuccessPlanState,
)

from .draws import DemoCalendar, random_day, round_dollars
from .rows import DemoAccount
from .tables import (
    BROAD_ADOPTION_SHARE,
    CLOSED_OPPORTUNITY_CHANCE,
    CLOSED_OPPORTUNITY_STATUSES,
    INITIAL_ADOPTION_SHARE,
    INITIATIVE_BASE,
    INITIATIVE_KIND_WEIGHTS,
    INITIATIVE_SCALE,
    OBJECTIVE_COUNTS,
    OPEN_OPPORTUNITY_BASE,
    OPEN_OPPORTUNITY_MIXES,
    OPEN_OPPORTUNITY_SCALE,
    PREVIOUS_INITIATIVE_CHANCE,
    STAGE_POPULARITY,
    weighted_index,
)
from .words import OBJECTIVE_TITLES

FOUR_PLACES = Decimal("0.0001")  # users_share's precision


def pick_stages(stages: list[Stage], count: int, rng: random.Random) -> list[Stage]:
    """`count` distinct stages, popular ones (Create, Verify) first more often."""
    pool = list(stages)
    weights = [STAGE_POPULARITY.get(stage.name, 10) for stage in pool]
    picked = []
    while pool and len(picked) < count:
        cumulative = list(accumulate(weights))
        index = weighted_index(cumulative, cumulative[-1] + 0.0, rng)
        weights.pop(index)
        picked.append(pool.pop(index))
    return picked


def stage_adoptions(demo: DemoAccount, stages: list[Stage], rng: random.Random) -> list[dict]:
    account, until = demo.account, demo.active_until
    count = rng.randint(demo.band.fewest_stages, demo.band.most_stages)
    if (until - account.customer_since).days < 60:
        count = min(count, 2)  # new customers start with one or two stages
    adoptions = []
    for position, stage in enumerate(pick_stages(stages, count, rng)):
        if position == 0:
            enabled_on = account.customer_since + timedelta(days=rng.randint(0, 21))
        else:
            enabled_on = random_day(rng, account.customer_since, until)
        adoptions.append(_adoption(demo, stage, min(enabled_on, until), until, rng))
    return adoptions


def _adoption(
    demo: DemoAccount, stage: Stage, enabled_on: date, until: date, rng: random.Random
) -> dict:
    """Users take a stage up linearly to a final share over a ramp; the 10% and 50% dates
    are when that line crossed them, so they agree with the share now."""
    final_share = max(0.01, rng.betavariate(1.5, 2.0))
    ramp_days = rng.randint(30, 300)
    elapsed = (until - enabled_on).days
    share_now = Decimal(final_share * min(1.0, elapsed / ramp_days))
    share_now = share_now.quantize(FOUR_PLACES, rounding=ROUND_DOWN)

    def crossed_on(threshold: Decimal) -> date | None:
        if share_now < threshold:
            return None
        days = math.ceil(ramp_days * float(threshold) / final_share)
        return min(enabled_on + timedelta(days=days), until)

    return {
        "account": demo,
        "stage_id": stage.pk,
        "enabled_on": enabled_on,
        "users_share": share_now,
        "initial_adoption_on": crossed_on(INITIAL_ADOPTION_SHARE),
        "broad_adoption_on": crossed_on(BROAD_ADOPTION_SHARE),
    }


def initiatives(
    demo: DemoAccount,
    calendar: DemoCalendar,
    stages: list[Stage],
    adopted: set[int],
    rng: random.Random,
) -> list[dict]:
    """Work active this fiscal quarter on ~20% of accounts (more for large ones), and
    sometimes a closed one from last quarter, so quarter-on-quarter movements show."""
    chance = INITIATIVE_BASE + INITIATIVE_SCALE * demo.band.engagement
    if demo.churned_on or rng.random() >= chance:
        return []
    count = rng.choice((1, 1, 2))
    kinds = _weighted_sample(INITIATIVE_KIND_WEIGHTS, count, rng)
    not_adopted = [stage for stage in stages if stage.pk not in adopted] or stages
    rows = [
        _active_initiative(demo, kind, calendar, rng.choice(not_adopted), rng) for kind in kinds
    ]
    previous = calendar.current.previous
    if demo.account.customer_since < previous.start and rng.random() < PREVIOUS_INITIATIVE_CHANCE:
        rows.append(
            {
                "account": demo,
                "kind": kinds[0],
                "tam_hours_per_week": _tam_hours(rng),
                "starts_on": random_day(rng, previous.start, previous.start + timedelta(days=30)),
                "ends_on": previous.end,
                "status": InitiativeStatus.CLOSED,
            }
        )
    return rows


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
    demo: DemoAccount, kind: str, calendar: DemoCalendar, stage: Stage, rng: random.Random
) -> dict:
    quarter = calendar.current
    earliest = max(demo.account.customer_since, quarter.start - timedelta(days=90))
    ends_on = rng.choice((None, None, quarter.end, quarter.end + timedelta(days=90)))
    return {
        "account": demo,
        "kind": kind,
        "stage_id": stage.pk if kind == InitiativeKind.STAGE_ADOPTION else None,
        "tam_hours_per_week": _tam_hours(rng),
        "starts_on": random_day(rng, earliest, calendar.as_of),
        "ends_on": ends_on,
        "status": InitiativeStatus.ACTIVE,
    }


def opportunities(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> list[dict]:
    """Open opportunities closing within a year on ~15% of accounts (at most one open per
    kind: a database constraint), and some won or lost in the past 18 months."""
    as_of = calendar.as_of
    rows = []
    chance = OPEN_OPPORTUNITY_BASE + OPEN_OPPORTUNITY_SCALE * demo.band.engagement
    if not demo.churned_on and rng.random() < chance:
        rows += [
            {
                "account": demo,
                "kind": kind,
                "close_date": as_of + timedelta(days=rng.randint(7, 365)),
                "status": OpportunityStatus.OPEN,
            }
            for kind in OPEN_OPPORTUNITY_MIXES.draw(rng)
        ]
    if rng.random() < CLOSED_OPPORTUNITY_CHANCE:
        earliest = max(demo.account.customer_since, as_of - timedelta(days=540))
        status = CLOSED_OPPORTUNITY_STATUSES.draw(rng)
        rows.append(
            {
                "account": demo,
                "kind": rng.choice(OpportunityKind.values),
                "close_date": random_day(rng, earliest, as_of),
                "status": status,
            }
        )
    return rows


def objectives(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> list[dict]:
    """Objectives that match the plan state: unclear ones have no due date, a green plan
    has at least three, all green."""
    state = demo.account.success_plan
    counts = OBJECTIVE_COUNTS.get(state)
    if counts is None:
        return []
    return [
        {
            "account": demo,
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


def arr_snapshots(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> list[dict]:
    """ARR at the start of each quarter of the history, walked back from today's ARR; 0
    after a churn; none for quarters that started before the customer signed."""
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
            value = round_dollars(arr)
        snapshots.append({"account": demo, "fiscal_quarter": quarter.label, "arr": value})
    return snapshots
