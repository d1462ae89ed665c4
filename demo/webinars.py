"""Webinars: per quarter a weekly onboarding session, two topic webinars and sometimes a
workshop, hosted by TAMs; new customers attend onboarding sessions, a few customers the
topic ones."""

from __future__ import annotations

import random
from bisect import bisect_left
from datetime import date, timedelta

from accounts.models import ActivityKind, Webinar
from lib.fiscal import FiscalQuarter

from .draws import DemoCalendar, weekday_into
from .rows import DemoAccount
from .tables import (
    EARLY_TOPIC_WEBINAR_DAYS,
    FEEDBACK_GIVEN_RATE,
    FEEDBACK_SCORES,
    LATE_TOPIC_WEBINAR_DAYS,
    ONBOARDING_WEBINAR_ATTENDANCE,
    ONBOARDING_WEBINAR_SESSIONS,
    ONBOARDING_WEBINAR_WEEKDAY,
    SECOND_ONBOARDING_SESSION,
    STAYED_WHOLE_SESSION_RATE,
    TOPIC_WEBINAR_ATTENDANCE,
    WORKSHOP_CHANCE,
    WORKSHOP_DAYS,
)
from .words import ONBOARDING_WEBINARS, TOPIC_WEBINARS


def webinars(calendar: DemoCalendar, host_ids: list[int], rng: random.Random) -> list[Webinar]:
    """Per quarter: a weekly onboarding webinar, two topic webinars (one in the quarter's
    first weeks), sometimes a workshop; only those already held, each hosted by a TAM."""
    held = []
    for quarter in calendar.quarters:
        for webinar in _quarter_programme(quarter, rng):
            if webinar.held_on <= calendar.as_of:
                webinar.host_id = rng.choice(host_ids)
                held.append(webinar)
    # The webinar platform's ids, so an export of the demo re-imports (DESIGN 10); numbered
    # after the draws, so they change no other value.
    for number, webinar in enumerate(held, start=1):
        webinar.external_id = f"WEB-{number:05d}"
    return held


def _quarter_programme(quarter: FiscalQuarter, rng: random.Random) -> list[Webinar]:
    day = quarter.start + timedelta(days=(ONBOARDING_WEBINAR_WEEKDAY - quarter.start.weekday()) % 7)
    programme = []
    while day <= quarter.end:
        title = ONBOARDING_WEBINARS[len(programme) % len(ONBOARDING_WEBINARS)]
        programme.append(_webinar(title, held_on=day, onboarding=True))
        day += timedelta(weeks=1)
    topic_days = (EARLY_TOPIC_WEBINAR_DAYS, LATE_TOPIC_WEBINAR_DAYS)
    for title, days in zip(rng.sample(TOPIC_WEBINARS, 2), topic_days, strict=True):
        programme.append(_webinar(title, held_on=weekday_into(quarter, days, rng)))
    if rng.random() < WORKSHOP_CHANCE:
        title = f"Hands-on workshop: {rng.choice(TOPIC_WEBINARS)}"
        held_on = weekday_into(quarter, WORKSHOP_DAYS, rng)
        programme.append(_webinar(title, held_on=held_on, kind=Webinar.Kind.WORKSHOP))
    return programme


def _webinar(
    title: str, *, held_on: date, onboarding: bool = False, kind: str = Webinar.Kind.WEBINAR
) -> Webinar:
    return Webinar(title=title, kind=kind, held_on=held_on, onboarding=onboarding)


def attendances(
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
        feedback = FEEDBACK_SCORES.draw(rng)
    return {
        "account": demo,
        "kind": ActivityKind.WEBINAR_ATTENDANCE,
        "occurred_on": webinar.held_on,
        "webinar": webinar,
        "stayed_whole_session": rng.random() < STAYED_WHOLE_SESSION_RATE,
        "feedback_score": feedback,
    }
