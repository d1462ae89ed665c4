"""The account's own fields once it is planned: LAM, onboarding dates and renewal, licence
use, health and NPS, churn, the success plan and the flags the priority rules read."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal

from accounts.models import Health, LamConfidence, SuccessPlanState
from segments.codes import SegmentCode

from .draws import DemoCalendar, next_anniversary, round_dollars, years_later
from .rows import AccountRow, DemoAccount
from .tables import (
    AT_RISK_CHANCE,
    CHURN_CHANCE,
    CHURN_LOOKBACK_DAYS,
    CHURNABLE_BANDS,
    DERIVED_FIRST_VALUE_SHARE,
    FAST_ONBOARDING_DAYS,
    HEALTH,
    HEALTH_BY_UTILISATION,
    HIGH_LAM_CONFIDENCE_SHARE,
    HIGH_LAM_SMALL_ACCOUNT_SHARE,
    IN_TRIAGE_CHANCE,
    LAST_NPS_SHARE,
    LOW_UTILISATION,
    LOW_UTILISATION_SHARE,
    NO_LAM_SHARE,
    NPS_BY_HEALTH,
    ONBOARDING_SNAPSHOT_WEEKS,
    PLAN_STATES_DIGITAL,
    PLAN_STATES_ONBOARDING,
    PLAN_STATES_TAM_ASSIGNED,
    SEAT_PRICES_USD,
    SENTIMENT_FRESH_DAYS,
    SENTIMENT_STALE_DAYS,
    STALE_SENTIMENT_CHANCE,
    TAM_ASSIGNED_ENGAGEMENT,
    UNKNOWN_USAGE_SHARE,
    ArrBand,
    Distribution,
    is_commercial,
)


def fill_account(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> None:
    _set_lam(demo, rng)
    _set_lifecycle_dates(demo, calendar, rng)
    _set_usage(demo.account, rng)
    _leave_first_value_to_derive(demo, calendar, rng)
    _set_health(demo.account, rng)
    _maybe_churn(demo, calendar, rng)
    _set_success_plan(demo, calendar, rng)
    _set_flags(demo, rng)


def draw_nps(rng: random.Random, health: str) -> int:
    return NPS_BY_HEALTH[health].draw(rng)


def csat_for(nps: int, rng: random.Random) -> int:
    """CSAT 1-5 that goes with an NPS answer, with some disagreement between the two."""
    jitter = rng.choice((-1, 0, 0, 0, 1))
    return min(5, max(1, 1 + round(nps * 0.4) + jitter))


def _set_lam(demo: DemoAccount, rng: random.Random) -> None:
    account = demo.account
    if rng.random() < NO_LAM_SHARE:
        return
    small = demo.band.code in (SegmentCode.ONBOARDING, SegmentCode.DIGITAL)
    if small and rng.random() < HIGH_LAM_SMALL_ACCOUNT_SHARE:
        # Evidence of a large addressable market lifts a small account into Mid-Touch.
        account.lam = round_dollars(rng.uniform(100_000, 600_000), step=1000)
        account.lam_confidence = LamConfidence.HIGH
        return
    headroom = math.exp(rng.uniform(0, math.log(5)))
    account.lam = max(account.arr, round_dollars(float(account.arr) * headroom, step=100))
    high = rng.random() < HIGH_LAM_CONFIDENCE_SHARE
    account.lam_confidence = LamConfidence.HIGH if high else LamConfidence.LOW


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
    account.renewal_date = next_anniversary(since, calendar.as_of)


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
        and account.customer_since >= calendar.recent_from
        and demo.value_on <= weekly_until
        and (account.onboarded_on is None or derived_by <= account.onboarded_on)
    )
    if derivable and rng.random() < DERIVED_FIRST_VALUE_SHARE:
        account.first_value_on = None


def _set_usage(account: AccountRow, rng: random.Random) -> None:
    if rng.random() < UNKNOWN_USAGE_SHARE:
        return
    seats = max(5, int(account.arr / rng.choice(SEAT_PRICES_USD)))
    if rng.random() < LOW_UTILISATION_SHARE:
        utilisation = rng.uniform(0.15, 0.5)
    else:
        utilisation = rng.uniform(0.6, 1.0)
    account.licensed_users = seats
    account.active_users = round(seats * utilisation)


def _set_health(account: AccountRow, rng: random.Random) -> None:
    if account.licensed_users:
        low = account.active_users < account.licensed_users * LOW_UTILISATION
        health = HEALTH_BY_UTILISATION["low" if low else "used"].draw(rng)
    else:
        health = HEALTH.draw(rng)
    account.tam_sentiment = health
    account.at_risk = rng.random() < AT_RISK_CHANCE[health]
    account.in_triage = rng.random() < IN_TRIAGE_CHANCE[health]
    if rng.random() < LAST_NPS_SHARE:
        account.last_nps = draw_nps(rng, health)


def date_sentiments(
    demo_accounts: list[DemoAccount], calendar: DemoCalendar, rng: random.Random
) -> None:
    """The day each TAM gave the sentiment (DESIGN 11 reads its age: stale after 90
    days), drawn from its own stream once the history is built, so the rest of the demo
    is drawn as before. Never before the customer signed (a new customer's sentiment is
    the TAM's first impression), nor after a churned customer left."""
    for demo in demo_accounts:
        account = demo.account
        if not account.tam_sentiment:
            continue
        stale = rng.random() < STALE_SENTIMENT_CHANCE[account.tam_sentiment]
        low, high = SENTIMENT_STALE_DAYS if stale else SENTIMENT_FRESH_DAYS[account.tam_sentiment]
        given_on = min(calendar.as_of, demo.active_until) - timedelta(days=rng.randint(low, high))
        account.tam_sentiment_on = max(given_on, account.customer_since)


def _maybe_churn(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> None:
    """A few smaller customers did not renew at their last renewal: ARR is 0 since then,
    which makes them disengagement candidates (DESIGN section 7)."""
    account = demo.account
    last_renewal = years_later(account.renewal_date, -1)
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
    account.tam_sentiment = Health.RED
    account.at_risk = account.in_triage = False


def _plan_states(band: ArrBand) -> Distribution:
    if band.engagement >= TAM_ASSIGNED_ENGAGEMENT:
        return PLAN_STATES_TAM_ASSIGNED
    if band.code == SegmentCode.ONBOARDING:
        return PLAN_STATES_ONBOARDING
    return PLAN_STATES_DIGITAL


def _set_success_plan(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> None:
    account = demo.account
    if account.first_engaged_on is None:
        return  # nobody has talked to the customer yet: no plan
    state = _plan_states(demo.band).draw(rng)
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
    if demo.band.code == SegmentCode.ONBOARDING:
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
    if demo.band.code not in (SegmentCode.STRATEGIC, SegmentCode.NAMED) or rng.random() >= 0.6:
        return
    account = demo.account
    qualified_on = account.success_plan_green_on + timedelta(days=rng.randint(0, 45))
    account.success_plan_management_qualified = True
    account.success_plan_management_qualified_on = min(qualified_on, calendar.as_of)


def _set_flags(demo: DemoAccount, rng: random.Random) -> None:
    account = demo.account
    big = demo.band.engagement >= 0.7
    account.key_logo = rng.random() < (0.2 if big else 0.01)
    account.channel_engaged = rng.random() < (0.08 if is_commercial(demo.region) else 0.03)
    account.org_change = rng.random() < 0.04
    account.weekly_engagement = rng.random() < (0.1 if big else 0.02)
    account.tam_handover = rng.random() < 0.03
    # The digital flag only means something where the region trials it (Public Sector).
    account.digital = demo.region.digital_tam_trial and rng.random() < 0.12
