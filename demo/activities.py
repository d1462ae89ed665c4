"""The account's timeline: cadence and onboarding calls, EBRs, onboarding milestones,
survey answers, playbooks and success-plan changes, within the calendar's history.
Low-utilisation saves follow the usage snapshots (`usage`), webinar attendances the
webinar programme (`webinars`)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from accounts.models import (
    ActivityKind,
    Milestone,
    Outcome,
    PlaybookKind,
    Stage,
    SuccessPlanState,
    SurveyKind,
)
from lib.fiscal import FiscalQuarter
from segments.codes import SegmentCode

from .draws import DemoCalendar, random_day, years_later
from .lifecycle import csat_for, draw_nps
from .rows import AccountRow, DemoAccount
from .tables import (
    LAPSED_CADENCE_SHARE,
    ONBOARDING_CALLS,
    PLAYBOOK_DAYS,
    PLAYBOOK_WIN_RATE,
    PLAYBOOKS_PER_QUARTER,
    QUARTER_CLOSING_EXPANSIONS,
    RENEWAL_SURVEY_LEAD_DAYS,
    STRATEGIC_EXPANSIONS_PER_QUARTER,
    SURVEY_RESPONSE_CHANCE,
    ArrBand,
)
from .words import CADENCE_NOTES


def activities(
    demo: DemoAccount, calendar: DemoCalendar, stages: list[Stage], rng: random.Random
) -> list[dict]:
    return [
        *_cadence_calls(demo, calendar, rng),
        *_onboarding_calls(demo, calendar, rng),
        *_ebrs(demo, calendar, rng),
        *_milestones(demo, calendar),
        *_survey_responses(demo, calendar, rng),
        *_playbooks(demo, calendar, stages, rng),
        *_success_plan_changes(demo, calendar, rng),
    ]


def activity(demo: DemoAccount, kind: str, day: date, **details) -> dict:
    """An Activity row (see `rows`), logged by the account's TAM."""
    return {
        "account": demo,
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
            activity(demo, ActivityKind.CADENCE_CALL, day, notes=rng.choice(CADENCE_NOTES))
        )
        day += timedelta(days=max(7, interval + rng.randint(-7, 10)))
    return calls


def _onboarding_calls(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> list:
    """The Onboarding segment's six weekly calls from first engagement."""
    engaged = demo.account.first_engaged_on
    if demo.band.code != SegmentCode.ONBOARDING or engaged is None:
        return []
    calls = []
    for number in range(1, ONBOARDING_CALLS + 1):
        day = engaged + timedelta(weeks=number - 1, days=rng.randint(0, 2))
        if calendar.history_start <= day <= demo.active_until:
            notes = f"Onboarding call {number} of {ONBOARDING_CALLS}"
            calls.append(activity(demo, ActivityKind.CADENCE_CALL, day, notes=notes))
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
        activity(demo, ActivityKind.EBR, day, notes="Executive business review")
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
        activity(demo, ActivityKind.ONBOARDING_MILESTONE, day, milestone=milestone)
        for milestone, day in reached
        if day is not None and day >= calendar.history_start
    ]


def _survey_days(account: AccountRow) -> list[tuple[str, date]]:
    """Onboarding a week after onboarding; six-month half-way through each contract year
    (page 000, Digital-Only: "half-way through contract period"); renewal before each."""
    days = []
    if account.onboarded_on:
        days.append((SurveyKind.ONBOARDING, account.onboarded_on + timedelta(days=7)))
    half_way = account.customer_since + timedelta(days=183)
    for years in range(1, 5):
        days.append((SurveyKind.SIX_MONTH, years_later(half_way, years - 1)))
        renewal = years_later(account.customer_since, years)
        answered_on = renewal - timedelta(days=RENEWAL_SURVEY_LEAD_DAYS - 10)
        days.append((SurveyKind.RENEWAL, answered_on))
    return sorted(days, key=lambda kind_and_day: kind_and_day[1])


def _survey_responses(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> list:
    """Onboarding, six-month and renewal survey answers; the latest one carries the
    account's last NPS (or gives it one) so the two agree."""
    account = demo.account
    answered = [
        (kind, day)
        for kind, day in _survey_days(account)
        if calendar.history_start <= day <= demo.active_until
        and rng.random() < SURVEY_RESPONSE_CHANCE[kind]
    ]
    responses = []
    for position, (kind, day) in enumerate(answered, start=1):
        nps = draw_nps(rng, account.tam_sentiment)
        if position == len(answered) and account.last_nps is not None:
            nps = account.last_nps
        details = {"survey_kind": kind, "nps": nps, "csat": csat_for(nps, rng)}
        responses.append(activity(demo, ActivityKind.SURVEY_RESPONSE, day, **details))
    if responses and account.last_nps is None:
        # An answer logged on the page becomes the last NPS (DESIGN 10): so does the demo's,
        # or the account would hold what no import or page could reproduce.
        account.last_nps = responses[-1]["nps"]
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
    if kind == PlaybookKind.EXPANSION and band.code == SegmentCode.STRATEGIC:
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
    closes_on = random_day(rng, quarter.start, quarter.end)
    duration = rng.randint(*PLAYBOOK_DAYS)
    started_on = closes_on - timedelta(days=duration)
    if not earliest <= started_on <= demo.active_until:
        return []
    return [_playbook(demo, kind, started_on, duration, stages, rng)]


def quarter_closing_expansions(
    demo_accounts: list[DemoAccount], calendar: DemoCalendar, rng: random.Random
) -> dict[DemoAccount, str]:
    """Strategic accounts that closed an expansion play in the current quarter,
    with its outcome: one won, one lost, so the win rate has data even a few weeks in."""
    engaged_by = calendar.current.start - timedelta(days=PLAYBOOK_DAYS[1])
    candidates = [
        demo
        for demo in demo_accounts
        if demo.band.code == SegmentCode.STRATEGIC
        and demo.churned_on is None
        and demo.account.first_engaged_on is not None
        and demo.account.first_engaged_on <= engaged_by
    ]
    picked = rng.sample(candidates, min(len(candidates), len(QUARTER_CLOSING_EXPANSIONS)))
    outcomes = QUARTER_CLOSING_EXPANSIONS[: len(picked)]
    return dict(zip(picked, outcomes, strict=True))


def closed_this_quarter(
    demo: DemoAccount,
    calendar: DemoCalendar,
    outcome: str,
    stages: list[Stage],
    rng: random.Random,
) -> dict:
    completed_on = random_day(rng, calendar.current.start, calendar.as_of)
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
    return activity(
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
    reached_on = account.success_plan_green_on or random_day(
        rng, account.first_engaged_on, demo.active_until
    )
    changes = []
    if state == SuccessPlanState.GREEN and reached_on > account.first_engaged_on:
        objectives_on = random_day(rng, account.first_engaged_on, reached_on - timedelta(days=1))
        changes.append(
            activity(
                demo,
                ActivityKind.SUCCESS_PLAN_CHANGE,
                objectives_on,
                success_plan=SuccessPlanState.OBJECTIVES,
            )
        )
    changes.append(activity(demo, ActivityKind.SUCCESS_PLAN_CHANGE, reached_on, success_plan=state))
    return [change for change in changes if change["occurred_on"] >= calendar.history_start]
