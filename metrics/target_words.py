"""Metric figures and targets as people read them (DESIGN 5, 12): pure, no Django.

A target is stored as a number (shares as fractions, days, scores on the 1-5 scale) with
its metric's unit and direction (metrics/models.py); people read "at least 80%",
"within 45 days", "over 4.0 of 5". For the quarter-on-quarter metrics (direction up or
down) the stored target is last quarter's figure. The dashboard, the account page and the
admin's previews format through here.
"""

from __future__ import annotations

from lib.words import days_text, number_text, percent_text, score_text

NO_FIGURE = "no data"
NO_TARGET = "no target"


def metric_value_text(value: object, unit: str) -> str:
    """A figure in its unit: share 0.5 -> "50%", ratio 0.1 -> "+10%", days 45 -> "45 days",
    score 4 -> "4.0 of 5", count 3 -> "3"."""
    if value is None:
        return NO_FIGURE
    if unit == "share":
        return percent_text(value)
    if unit == "ratio":
        return percent_text(value, signed=True)
    if unit == "days":
        return days_text(value)
    if unit == "score":
        return score_text(value)
    return number_text(value)


def metric_target_text(target: object, unit: str, direction: str) -> str:
    """The target as a sentence: at_least 0.8 share -> "at least 80%", at_most 45 days ->
    "within 45 days", above 4 score -> "over 4.0 of 5", up with last quarter's 0.4 ->
    "above last quarter's 40%"."""
    if direction in ("up", "down"):
        if target is None:
            return "better than last quarter (no figure then)"
        word = "above" if direction == "up" else "below"
        return f"{word} last quarter's {metric_value_text(target, unit)}"
    if target is None:
        return NO_TARGET
    figure = metric_value_text(target, unit)
    if direction == "at_most":
        return f"within {figure}" if unit == "days" else f"at most {figure}"
    if direction == "above":
        return f"over {figure}"
    return f"at least {figure}"
