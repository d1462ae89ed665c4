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


# Correcting an entry (issue 12 point 3): the fact an entry set is recomputed from the
# entries left after the correction. An entry is (occurred_on, id, value); the id breaks a
# tie between entries of one day, the later logged winning.
Entry = tuple[date, int, object]


def milestone_after_correction(
    *, recorded_on: date | None, corrected_was_on: date, entry_dates: Sequence[date]
) -> date | None:
    """The milestone's date once an entry that was on `corrected_was_on` is edited or removed.

    `entry_dates` are the milestone's entries after the correction. The earliest wins (a
    milestone is the first time). A recorded date other than the corrected entry's came from
    the import or another entry and still stands; the corrected entry's own date does not.
    """
    candidates = list(entry_dates)
    if recorded_on is not None and recorded_on != corrected_was_on:
        candidates.append(recorded_on)
    return min(candidates, default=None)


def latest_after_correction(
    *, recorded: object, held_by_corrected: bool, corrected_id: int, entries: Sequence[Entry]
) -> object:
    """The last NPS or the plan's state once an entry is edited or removed.

    `entries` are the answers (or state changes) left after the correction. The latest
    entry holds the fact when the corrected entry held it before or holds it now; otherwise
    the recorded value (which a later entry or the import set) stands. When the corrected
    entry held it and no entry is left, nothing is known any more: None.
    """
    latest = max(entries, key=lambda entry: (entry[0], entry[1]), default=None)
    if held_by_corrected or (latest is not None and latest[1] == corrected_id):
        return latest[2] if latest is not None else None
    return recorded


def holds_latest(*, entry: Entry, entries: Sequence[Entry]) -> bool:
    """Whether `entry` is the latest of `entries` (which include it)."""
    return max(entries, key=lambda item: (item[0], item[1])) == entry
