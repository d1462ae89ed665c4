"""What logging an activity does to the account's facts: pure, no Django.

The account's date fields (first engaged / first value / onboarded), its last NPS and its
success-plan state are what the clocks, the metrics and the priority rules read, the same
fields the CSV import writes. A logged activity therefore updates them, by these rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

GREEN_PLAN_MIN_OBJECTIVES = 3  # DESIGN section 2: fully green, at least 3 objectives


def milestone_problem(
    *, recorded_on: date | None, recorded_derived: bool, logged_on: date
) -> str | None:
    """Why a milestone logged on `logged_on` cannot replace the one recorded; None if it does.

    A milestone is the *first* time it happened, so the earliest date wins: logging it again
    with an earlier date corrects the record, a later (or the same) date changes nothing and
    is refused rather than kept as a second, contradicting entry. A first-value date derived
    from licence use is a stand-in until somebody enters one, so any logged date replaces it.
    """
    if recorded_on is None or recorded_derived or logged_on < recorded_on:
        return None
    return f"Already recorded on {recorded_on.isoformat()}; only an earlier date can correct it."


def becomes_last_nps(*, answered_on: date, latest_other_answer: date | None) -> bool:
    """A survey's NPS becomes the account's last NPS unless a later answer already holds it."""
    return latest_other_answer is None or answered_on >= latest_other_answer


def plan_state_problem(state: str, objectives_green: Sequence[bool]) -> str | None:
    """Whether the plan's objectives (green or not, after the change) support `state`."""
    if state == "green":
        if len(objectives_green) < GREEN_PLAN_MIN_OBJECTIVES:
            return (
                f"A fully green plan has at least {GREEN_PLAN_MIN_OBJECTIVES} objectives "
                f"(this one has {len(objectives_green)})."
            )
        if not all(objectives_green):
            waiting = sum(1 for green in objectives_green if not green)
            return f"A fully green plan has every objective green ({waiting} not yet)."
    if state == "objectives" and not objectives_green:
        return "Add an objective first: this state means objectives with due dates."
    return None
