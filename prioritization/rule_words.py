"""A priority explanation in words (DESIGN 12, "Words, not codes"), for every face that
shows one: the account page's "Why Pr1" table and the admin's impact preview.

The pure formatting is prioritization/fact_words.py and reason_labels.py; this module adds
what only the database knows: the segments' names (an admin may rename a segment, not its
code) and the models' choice labels for the other codes a rule fact carries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from accounts.models import LamConfidence, SuccessPlanState
from segments.models import Segment

from .fact_words import facts_text
from .facts import RuleCheck
from .models import Source
from .reason_labels import reason_label


def fact_value_names() -> dict[str, dict[str, str]]:
    """The names of the codes rule facts carry, by fact key (one query, for the segments)."""
    return {
        "segment": dict(Segment.objects.values_list("code", "name")),
        "success_plan": {choice.value: choice.label for choice in SuccessPlanState},
        "lam_confidence": {choice.value: choice.label.lower() for choice in LamConfidence},
    }


@dataclass(frozen=True)
class CheckInWords:
    """One rule of an explanation as people read it; `code` only for the admin's hint."""

    code: str
    description: str  # the rule's own sentence, with the region's numbers
    fired: bool
    facts: list[str]  # "ARR: $75,000", "At risk: no"


def checks_in_words(
    checks: Iterable[RuleCheck], value_names: Mapping[str, Mapping[str, str]] | None = None
) -> list[CheckInWords]:
    """`value_names`: `fact_value_names()`, read once for a page of explanations."""
    names = fact_value_names() if value_names is None else value_names
    return [
        CheckInWords(check.code, check.description, check.fired, facts_text(check.facts, names))
        for check in checks
    ]


def source_text(source: str) -> str:
    """Who decided the priority: "Model", "Approved exception", "Manager review"."""
    try:
        return Source(source).label
    except ValueError:
        return source


def reasons_described(
    reasons_text: str, descriptions: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """(code, sentence) for each reason: the rule's own description where the region's
    rules describe it (with its numbers), else the reason's short label."""
    descriptions = descriptions or {}
    return [
        (code, descriptions.get(code) or reason_label(code))
        for code in reasons_text.split(";")
        if code
    ]
