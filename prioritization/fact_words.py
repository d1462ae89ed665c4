"""The facts a priority rule looked at, as people read them (DESIGN 12): pure, no Django.

`RuleCheck.facts` (prioritization/facts.py) keeps machine values: money as "75000.00",
dates as ISO text, booleans, codes. The account page and the impact preview show them
through `fact_text` ("arr": "75000.00" reads "ARR: $75,000"); the codes among them
(segment, success-plan state, LAM confidence) read as the names the caller passes in
`value_names`, which come from where those names live (the segments table, the models'
choices), so no label is kept twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from lib.fiscal import quarter_text
from lib.words import (
    date_text,
    dates_text,
    hours_text,
    money_text,
    number_text,
    percent_number_text,
    yes_no,
)


def _priority(value: object) -> str:
    return f"Pr{value}"


def _text(value: object) -> str:
    return str(value).replace("_", " ")


# key: (label, how its value reads, what None reads). The order of a rule's facts is the
# rule's own (prioritization/rules.py, rule_sets.py).
FACT_WORDS: dict[str, tuple[str, Callable[[object], str], str]] = {
    "child_account": ("Child account", yes_no, "no"),
    "managed": ("Managed", yes_no, "no"),
    "segment": ("Segment", _text, "none"),
    "marked_digital": ("Marked digital", yes_no, "no"),
    "region_trials_digital_tam": ("Region trials digital TAM customers", yes_no, "no"),
    "onboarding_open": ("Onboarding open", yes_no, "no"),
    "exception_priority": ("Approved exception", _priority, "none"),
    "review_priority": ("Review decision", _priority, "none"),
    "quarter": ("Quarter", quarter_text, "none"),
    "customer_since": ("Customer since", date_text, "unknown"),
    "onboarded_on": ("Onboarded", date_text, "not yet"),
    "open_uptier_close_dates": ("Open up-tier opportunities closing", dates_text, "none"),
    "window_ends": ("Window ends", date_text, "unknown"),
    "stage_adoption_hours_per_week": ("Stage adoption", hours_text, "none this quarter"),
    "infra_change_hours_per_week": ("Infrastructure change", hours_text, "none this quarter"),
    "at_risk": ("At risk", yes_no, "no"),
    "in_triage": ("In triage", yes_no, "no"),
    "last_nps": ("Last NPS", number_text, "none"),
    "org_change": ("Organisational change", yes_no, "no"),
    "active_users": ("Active users", number_text, "unknown"),
    "licensed_users": ("Licensed users", number_text, "unknown"),
    "weekly_engagement": ("Wishes weekly engagement", yes_no, "no"),
    "lam": ("LAM", money_text, "unknown"),
    "arr": ("ARR", money_text, "unknown"),
    "lam_confidence": ("LAM confidence", _text, "unknown"),
    "headroom_percent": ("LAM above ARR by", percent_number_text, "unknown"),
    "lam_headroom": ("LAM gap", yes_no, "no"),
    "lam_headroom_percent": ("LAM above ARR by", percent_number_text, "unknown"),
    "growth_in_next_months": ("Growth opportunity in the window", yes_no, "no"),
    "active_expansion_play": ("Active expansion play", yes_no, "no"),
    "active_stage_adoption": ("Active stage adoption", yes_no, "no"),
    "tam_handover": ("TAM handover", yes_no, "no"),
    "score": ("Parameter score", number_text, "none"),
    "cap_per_tam": ("Pr1 cap per TAM", number_text, "none"),
    "arr_rank": ("Rank by ARR in the region", number_text, "not ranked"),
    "success_plan": ("Success plan", _text, "none"),
    "critical_project": ("Critical project", yes_no, "no"),
    "key_logo": ("Key logo or case study", yes_no, "no"),
    "channel_engaged": ("Channel partner engaged", yes_no, "no"),
    "stages_adopted": ("Stages adopted", number_text, "none"),
}


def fact_label(key: str) -> str:
    """The fact's name: "arr" -> "ARR"; an unknown key reads as words ("new_fact" -> "New fact")."""
    if key in FACT_WORDS:
        return FACT_WORDS[key][0]
    return key.replace("_", " ").capitalize()


def fact_value_text(
    key: str, value: object, value_names: Mapping[str, Mapping[str, str]] | None = None
) -> str:
    """The fact's value as people read it; a code named in `value_names[key]` reads as
    its name (a segment's code as the segment's name)."""
    _label, formatter, none_word = FACT_WORDS.get(key, ("", _text, "none"))
    if value is None or value == [] or value == ():
        return none_word
    names = (value_names or {}).get(key)
    if names and str(value) in names:
        return names[str(value)]
    if isinstance(value, bool) and formatter is not yes_no:
        return yes_no(value)
    return formatter(value)


def fact_text(
    key: str, value: object, value_names: Mapping[str, Mapping[str, str]] | None = None
) -> str:
    """One fact: "ARR: $75,000", "At risk: no", "Segment: Strategic"."""
    return f"{fact_label(key)}: {fact_value_text(key, value, value_names)}"


def facts_text(
    facts: Mapping[str, object], value_names: Mapping[str, Mapping[str, str]] | None = None
) -> list[str]:
    """Each fact of a rule check, in the rule's order."""
    return [fact_text(key, value, value_names) for key, value in facts.items()]
