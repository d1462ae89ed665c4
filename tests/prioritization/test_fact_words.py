"""The facts a rule looked at, in words (prioritization/fact_words.py, DESIGN 12)."""

import datetime
from decimal import Decimal

from prioritization.fact_words import FACT_WORDS, fact_label, fact_text, facts_text
from prioritization.reason_labels import reason_labels, reasons_sentence
from prioritization.rule_sets import COMMERCIAL_RULES, EMEA_PARAMETERS, US_ENTERPRISE_RULES
from prioritization.rules import (
    PRECEDENCE_RULES,
    AccountFacts,
    PortfolioContext,
    RuleParameters,
)

CONTEXT = PortfolioContext(
    as_of=datetime.date(2026, 12, 1),
    quarter_label="FY27-Q4",
    quarter_start=datetime.date(2026, 11, 1),
    quarter_end=datetime.date(2027, 1, 31),
)


def test_money_facts_read_in_dollars():
    # RuleCheck.facts keeps money as text with cents (prioritization/facts.money).
    assert fact_text("arr", "75000.00") == "ARR: $75,000"
    assert fact_text("lam", None) == "LAM: unknown"


def test_shares_booleans_dates_and_priorities_read_as_words():
    assert fact_text("headroom_percent", "50.00") == "LAM above ARR by: 50%"
    assert fact_text("at_risk", False) == "At risk: no"
    assert fact_text("key_logo", True) == "Key logo or case study: yes"
    assert fact_text("customer_since", "2026-09-30") == "Customer since: 2026-09-30"
    assert fact_text("onboarded_on", None) == "Onboarded: not yet"
    assert fact_text("exception_priority", 1) == "Approved exception: Pr1"
    assert fact_text("quarter", "FY27-Q4") == "Quarter: FY2027 Q4"
    assert fact_text("open_uptier_close_dates", []) == "Open up-tier opportunities closing: none"
    assert fact_text("stage_adoption_hours_per_week", "4.00") == "Stage adoption: 4 hours a week"


def test_codes_read_as_the_names_the_caller_gives():
    names = {"segment": {"mid-touch": "Mid-Touch"}, "success_plan": {"none": "None"}}
    assert fact_text("segment", "mid-touch", names) == "Segment: Mid-Touch"
    # Without a name the code still reads as words, never with underscores.
    assert fact_text("segment", "mid-touch") == "Segment: mid-touch"
    assert fact_label("a_new_fact") == "A new fact"


def test_every_fact_a_rule_looks_at_has_a_label():
    """A fact added to a rule without a label would show its key: every rule's facts
    have a label of their own."""
    facts = AccountFacts(account_id=1, rule_set="commercial", arr=Decimal("75000.00"))
    rules = (*PRECEDENCE_RULES, *US_ENTERPRISE_RULES, *EMEA_PARAMETERS, *COMMERCIAL_RULES)
    missing = [
        f"{rule.code}: {key}"
        for rule in rules
        for key in rule.facts(facts, RuleParameters(), CONTEXT)
        if key not in FACT_WORDS
    ]
    assert missing == []


def test_a_commercial_rules_arr_fact_reads_in_dollars():
    """The low-stage-adoption rule (DESIGN 4, Commercial) at ARR 75,000 with no stage."""
    facts = AccountFacts(account_id=1, rule_set="commercial", arr=Decimal("75000"))
    rule = next(rule for rule in COMMERCIAL_RULES if rule.code == "low_stage_adoption")
    check = rule.check(facts, RuleParameters(), CONTEXT)

    assert check.fired  # 0 stages < 3 at $75,000 >= $75,000
    assert check.description == "Fewer than 3 stages adopted at ARR of $75,000 or more"
    assert facts_text(check.facts) == ["Stages adopted: 0", "ARR: $75,000"]


def test_reasons_read_as_their_labels_in_the_rules_order():
    assert reason_labels("uptier_opportunity;churn_risk") == [
        "Up-tier opportunity closing soon",
        "At risk of contraction or churn",
    ]
    assert reasons_sentence("p1_exception;default") == (
        "Pr1 by approved exception; No Pr1 criterion met"
    )
    assert reasons_sentence("") == "no reason recorded"
