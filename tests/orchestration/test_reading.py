"""An account's row and the rows around it, as the facts the priority rules read
(DESIGN 4): each fact from its own column, whatever the order the facts are built in.

No database: the row, the related facts and the configuration are built by hand.
"""

from dataclasses import fields
from datetime import date
from decimal import Decimal

from lib.rule_sets import RuleSet
from orchestration.configuration import Configuration, RegionRules
from orchestration.reading import ACCOUNT_COLUMNS, RelatedFacts, account_facts, account_span
from prioritization.rules import AccountFacts, InitiativeFact, RuleParameters

REGION = 7
CONFIG = Configuration(
    thresholds=[],
    segment_id_of={"named": 2, "digital": 5},
    segment_code_of={2: "named", 5: "digital"},
    tam_assigned_codes=frozenset({"named"}),
    regions={REGION: RegionRules(RuleSet.COMMERCIAL, True, RuleParameters())},
)

# A value in every column that no other column of the row holds, so that a fact taken
# from the wrong column shows.
ROW = {
    "id": 41,
    "region_id": REGION,
    "tam_id": 903,
    "parent_id": 40,
    "managed": False,
    "digital": True,
    "arr": Decimal("120000.00"),
    "lam": Decimal("250000.00"),
    "lam_confidence": "high",
    "customer_since": date(2024, 3, 1),
    "onboarded_on": date(2024, 4, 15),
    "at_risk": False,
    "in_triage": False,
    "last_nps": 4,
    "success_plan": "unclear",
    "critical_project": True,
    "key_logo": False,
    "channel_engaged": True,
    "org_change": False,
    "weekly_engagement": True,
    "tam_handover": False,
    "licensed_users": 300,
    "active_users": 120,
    "segment_id": 5,
    "segment_override_id": None,
    "priority": 2,
    "priority_reasons": "default",
    "previous_priority": None,
    "priority_changed_on": None,
    "health": "",
    "health_score": None,
}

AS_READ = (
    "tam_id", "managed", "digital", "customer_since", "onboarded_on", "arr", "lam",
    "lam_confidence", "last_nps", "success_plan", "critical_project", "key_logo",
    "channel_engaged", "org_change", "weekly_engagement", "tam_handover", "licensed_users",
    "active_users",
)  # fmt: skip


def test_every_fact_comes_from_its_own_column_or_related_row():
    initiative = InitiativeFact("stage_adoption", Decimal(3), date(2026, 11, 1))
    related = RelatedFacts(
        uptier_dates={41: (date(2027, 1, 10),)},
        growth_dates={41: (date(2027, 2, 20), date(2027, 3, 5))},
        initiatives={41: (initiative,)},
        stage_counts={41: 2},
        exceptions={41: (1, 77)},
        reviews={41: (3, 78)},
    )

    facts = account_facts(ROW, "named", CONFIG, related)

    expected = {name: ROW[name] for name in AS_READ} | {
        "account_id": 41,
        "rule_set": RuleSet.COMMERCIAL,
        "segment": "named",
        "tam_assigned": True,  # Named is a TAM-assigned segment
        "digital_tam_trial": True,  # the region's
        "is_child": True,  # it has a parent
        "at_risk": False,
        "in_triage": False,
        "stages_adopted": 2,
        "uptier_close_dates": (date(2027, 1, 10),),
        "growth_close_dates": (date(2027, 2, 20), date(2027, 3, 5)),
        "initiatives": (initiative,),
        "exception_priority": 1,
        "review_priority": 3,
    }
    assert {item.name for item in fields(AccountFacts)} == set(expected)
    assert {item.name: getattr(facts, item.name) for item in fields(AccountFacts)} == expected
    assert set(AS_READ) <= set(ACCOUNT_COLUMNS)


def test_an_account_with_nothing_around_it_and_an_open_case():
    """No related rows: no stages, dates, initiatives or decisions. An open risk case
    makes it at risk and in triage for the rules (DESIGN 11) whatever its flags say."""
    facts = account_facts(
        ROW | {"parent_id": None}, "digital", CONFIG, RelatedFacts(open_cases={41})
    )

    assert (facts.is_child, facts.tam_assigned, facts.segment) == (False, False, "digital")
    assert (facts.at_risk, facts.in_triage) == (True, True)
    assert facts.stages_adopted == 0
    assert facts.uptier_close_dates == facts.growth_close_dates == facts.initiatives == ()
    assert facts.exception_priority is facts.review_priority is None


def test_a_chunk_reads_its_related_rows_by_id_range_a_selection_by_ids():
    """A chunk of consecutive accounts reads by range; a handful, or accounts holding
    fewer than half the ids of their range (a ranking chunk's EMEA accounts), by their
    ids, so that the rows of the accounts between are not read."""
    chunk = [{"id": account_id} for account_id in range(1000, 2000)]
    with_gaps = chunk[::2]  # 500 accounts, ids 1000 to 1998: half the ids, still a range
    sparse = chunk[::3]  # 334 accounts, ids 1000 to 1999: a third
    handful = chunk[:5]

    assert account_span(chunk) == {"account_id__gte": 1000, "account_id__lte": 1999}
    assert account_span(with_gaps) == {"account_id__gte": 1000, "account_id__lte": 1998}
    assert account_span(sparse) == {"account_id__any": list(range(1000, 2000, 3))}
    assert account_span(handful) == {"account_id__any": [1000, 1001, 1002, 1003, 1004]}
    assert account_span([]) == {"account_id__any": []}
