"""Priority rules against DESIGN section 4 and page 004 "Customer Prioritization".

Pure unit tests: facts in, assessment out, no database. The as-of date is 2026-11-24,
in fiscal quarter FY27-Q4 (2026-11-01..2027-01-31; the fiscal year starts in February).
"""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

import pytest

from lib.dates import add_months
from prioritization import rules
from prioritization.rules import (
    AccountFacts,
    EmeaRanking,
    InitiativeFact,
    PortfolioContext,
    RuleParameters,
    assess,
    decide,
    emea_score,
    explain,
    lam_headroom,
    reaches_rule_set,
)

D = Decimal
AS_OF = date(2026, 11, 24)
QUARTER_START = date(2026, 11, 1)
QUARTER_END = date(2027, 1, 31)
NEXT_QUARTER_START = date(2027, 2, 1)
DAY = timedelta(days=1)

PARAMS = RuleParameters()
CONTEXT = PortfolioContext(
    as_of=AS_OF,
    quarter_label="FY27-Q4",
    quarter_start=QUARTER_START,
    quarter_end=QUARTER_END,
)

US_PR1_ORDER = ("uptier_opportunity", "stage_adoption", "infra_change", "churn_risk")
EMEA_PARAMETERS = (
    "org_change",
    "lifecycle_onboarding",
    "infra_change",
    "weekly_engagement",
    "lam_gap",
    "expansion_play",
    "tam_handover",
)
COMMERCIAL_RULES = (
    "top_arr",
    "churn_risk",
    "no_objectives",
    "critical_project",
    "uptier_opportunity",
    "key_logo",
    "channel",
    "low_stage_adoption",
)


# --- builders ------------------------------------------------------------------------


def facts(**overrides) -> AccountFacts:
    """A TAM-assigned Named account in US Enterprise, onboarded, with nothing else going on."""
    values = {
        "account_id": 1,
        "rule_set": "us_enterprise",
        "segment": "named",
        "tam_assigned": True,
        "tam_id": 100,
        "customer_since": date(2024, 3, 1),
        "onboarded_on": date(2024, 4, 15),
        "arr": D("250000"),
        "success_plan": "green",
        "stages_adopted": 5,
    }
    values.update(overrides)
    return AccountFacts(**values)


def commercial(**overrides) -> AccountFacts:
    """The same quiet account in a Commercial region: none of the eight criteria hold."""
    return facts(**{"rule_set": "commercial", **overrides})


def emea(**overrides) -> AccountFacts:
    """The same quiet account in EMEA Enterprise: no parameter fires (score 0)."""
    return facts(**{"rule_set": "emea_enterprise", **overrides})


def initiative(kind, hours, starts_on=QUARTER_START, ends_on=None) -> InitiativeFact:
    return InitiativeFact(
        kind=kind,
        hours_per_week=None if hours is None else D(hours),
        starts_on=starts_on,
        ends_on=ends_on,
    )


def context(**overrides) -> PortfolioContext:
    return replace(CONTEXT, **overrides)


def check(assessment, code):
    """The single check with this code (every rule evaluated is recorded once)."""
    found = [c for c in assessment.checks if c.code == code]
    assert len(found) == 1, (
        f"expected one {code!r} check, got {[c.code for c in assessment.checks]}"
    )
    return found[0]


def fired(assessment, code) -> bool:
    return check(assessment, code).fired


def exception_check(assessment):
    """The exception step's check (DESIGN names its reasons, not its check's code)."""
    found = [c for c in assessment.checks if "exception_priority" in c.facts]
    assert len(found) == 1, [c.code for c in assessment.checks]
    return found[0]


def test_quiet_baselines_are_pr2_default():
    """Builders' baseline: nothing fires in any rule set, so every region says Pr2 `default`."""
    for account in (facts(), commercial(), emea()):
        result = assess(account, PARAMS, CONTEXT)
        assert (result.priority, result.reasons, result.source) == (2, ("default",), "model")
        assert result.computed_priority == 2


# --- add_months -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # leap year: clamps to the 29th
        (date(2026, 11, 24), 6, date(2027, 5, 24)),
        (date(2026, 11, 24), 9, date(2027, 8, 24)),
        (date(2026, 11, 24), 0, date(2026, 11, 24)),
    ],
)
def test_add_months_clamps_to_month_end(day, months, expected):
    """DESIGN 4: "in the next N months" ends at as-of + N calendar months, clamped."""
    assert add_months(day, months) == expected


# --- US Enterprise: open up-tier opportunity closing in (D, D + 6 months] ---------------

SIX_MONTHS = date(2027, 5, 24)


@pytest.mark.parametrize(
    ("close_on", "fires"),
    [
        (SIX_MONTHS, True),  # exactly as-of + 6 months: inside the window
        (SIX_MONTHS - DAY, True),
        (AS_OF + DAY, True),
        (SIX_MONTHS + DAY, False),  # one day beyond the window
        (AS_OF, False),  # closing today is not "in the next 6 months"
        (AS_OF - DAY, False),  # in the past
        (date(2025, 1, 1), False),
    ],
)
def test_us_uptier_opportunity_window(close_on, fires):
    """DESIGN 4 US: open tier_upgrade opportunity closing in (D, D + 6 months] -> Pr1."""
    result = assess(facts(uptier_close_dates=(close_on,)), PARAMS, CONTEXT)
    assert fired(result, "uptier_opportunity") is fires
    expected = (1, ("uptier_opportunity",)) if fires else (2, ("default",))
    assert (result.priority, result.reasons) == expected


def test_us_uptier_any_close_date_in_window_is_enough():
    """DESIGN 4 US: one qualifying opportunity among past and far-off ones fires the rule."""
    dates = (AS_OF - DAY, SIX_MONTHS + DAY, date(2027, 1, 10))
    result = assess(facts(uptier_close_dates=dates), PARAMS, CONTEXT)
    assert fired(result, "uptier_opportunity")


def test_us_uptier_window_is_a_parameter():
    """DESIGN 4: "6 months" is an editable rule-set parameter."""
    three_months = replace(PARAMS, uptier_window_months=3)
    account = facts(uptier_close_dates=(date(2027, 4, 1),))
    assert fired(assess(account, PARAMS, CONTEXT), "uptier_opportunity")
    assert not fired(assess(account, three_months, CONTEXT), "uptier_opportunity")


def test_us_uptier_check_reports_the_close_dates_it_looked_at():
    """DESIGN 4: every assessment shows the facts each rule looked at."""
    dates = (SIX_MONTHS + DAY, date(2027, 1, 10))
    result = assess(facts(uptier_close_dates=dates), PARAMS, CONTEXT)
    uptier = check(result, "uptier_opportunity")
    assert uptier.fired
    assert uptier.facts["open_uptier_close_dates"] == ["2027-01-10", "2027-05-25"]
    assert uptier.facts["window_ends"] == "2027-05-24"


# --- US Enterprise: stage adoption / infrastructure change > 2 TAM hours per week -------


@pytest.mark.parametrize(
    ("kind", "code"),
    [("stage_adoption", "stage_adoption"), ("infrastructure_change", "infra_change")],
)
@pytest.mark.parametrize(
    ("hours", "fires"),
    [("2", False), ("2.00", False), ("2.01", True), ("10", True), ("0", False), (None, False)],
)
def test_us_initiative_hours_must_exceed_two(kind, code, hours, fires):
    """DESIGN 4 US: an initiative active in Q with > 2 TAM hours per week -> Pr1."""
    result = assess(facts(initiatives=(initiative(kind, hours),)), PARAMS, CONTEXT)
    assert fired(result, code) is fires
    expected = (1, (code,)) if fires else (2, ("default",))
    assert (result.priority, result.reasons) == expected


@pytest.mark.parametrize(
    ("kind", "code"),
    [("stage_adoption", "stage_adoption"), ("infrastructure_change", "infra_change")],
)
@pytest.mark.parametrize(
    ("starts_on", "ends_on", "counts"),
    [
        (date(2026, 6, 1), None, True),  # started earlier, still running
        (QUARTER_START, AS_OF, True),  # ends on the as-of date: not ended before it
        (QUARTER_START, AS_OF - DAY, False),  # ended before the as-of date
        (date(2026, 6, 1), date(2026, 9, 30), False),  # ended last quarter
        (AS_OF + DAY, None, True),  # starting later in the same quarter ("upcoming")
        (QUARTER_END, None, True),  # starting on the quarter's last day
        (NEXT_QUARTER_START, None, False),  # starting next quarter
        (NEXT_QUARTER_START, date(2027, 3, 31), False),
    ],
)
def test_us_initiative_must_be_active_in_the_quarter(kind, code, starts_on, ends_on, counts):
    """DESIGN 4 US: only an initiative active in Q (current/upcoming, not ended) counts."""
    account = facts(initiatives=(initiative(kind, "5", starts_on, ends_on),))
    result = assess(account, PARAMS, CONTEXT)
    assert fired(result, code) is counts
    assert result.priority == (1 if counts else 2)


def test_us_initiative_of_another_kind_does_not_count():
    """DESIGN 4 US: stage hours do not fire the infra rule and vice versa; plays fire neither."""
    stage = assess(facts(initiatives=(initiative("stage_adoption", "8"),)), PARAMS, CONTEXT)
    assert not fired(stage, "infra_change")
    infra = assess(facts(initiatives=(initiative("infrastructure_change", "8"),)), PARAMS, CONTEXT)
    assert not fired(infra, "stage_adoption")
    play = assess(facts(initiatives=(initiative("expansion_play", "8"),)), PARAMS, CONTEXT)
    assert (play.priority, play.reasons) == (2, ("default",))


def test_us_initiative_any_single_initiative_over_threshold_fires():
    """DESIGN 4 US: "a stage_adoption initiative ... with > 2 hours": one busy one is enough."""
    account = facts(
        initiatives=(
            initiative("stage_adoption", "1"),
            initiative("stage_adoption", "3"),
            initiative("stage_adoption", "9", ends_on=AS_OF - DAY),
        )
    )
    result = assess(account, PARAMS, CONTEXT)
    assert fired(result, "stage_adoption")
    assert check(result, "stage_adoption").facts["stage_adoption_hours_per_week"] == "3.00"


def test_us_hours_threshold_is_a_parameter():
    """DESIGN 4: "2 hours" is an editable rule-set parameter."""
    account = facts(initiatives=(initiative("stage_adoption", "3"),))
    four_hours = replace(PARAMS, stage_adoption_min_hours=D(4))
    assert fired(assess(account, PARAMS, CONTEXT), "stage_adoption")
    assert not fired(assess(account, four_hours, CONTEXT), "stage_adoption")


def test_us_initiative_checks_report_hours():
    """DESIGN 4: the stage / infra checks report the hours they looked at."""
    result = assess(
        facts(initiatives=(initiative("infrastructure_change", "2.01"),)), PARAMS, CONTEXT
    )
    assert check(result, "infra_change").facts["infra_change_hours_per_week"] == "2.01"
    assert check(result, "stage_adoption").facts["stage_adoption_hours_per_week"] is None


# --- US Enterprise: churn risk, order of reasons, non-rules ---------------------------


def test_us_at_risk_is_pr1_churn_risk():
    """DESIGN 4 US: at risk of contraction or churn -> Pr1 (`churn_risk`)."""
    result = assess(facts(at_risk=True), PARAMS, CONTEXT)
    assert (result.priority, result.reasons) == (1, ("churn_risk",))
    assert check(result, "churn_risk").facts == {"at_risk": True}


def test_us_all_four_rules_fire_in_flowchart_order():
    """DESIGN 4 US / 004 flowchart: reasons are the fired codes in the flowchart's order."""
    account = facts(
        at_risk=True,
        uptier_close_dates=(date(2027, 2, 1),),
        initiatives=(
            initiative("infrastructure_change", "3"),
            initiative("stage_adoption", "3"),
        ),
    )
    result = assess(account, PARAMS, CONTEXT)
    assert (result.priority, result.reasons, result.source) == (1, US_PR1_ORDER, "model")
    assert result.computed_reasons == US_PR1_ORDER


def test_us_two_rules_fire_keep_order():
    """DESIGN 4 US: reasons keep the flowchart order whatever subset fires."""
    account = facts(at_risk=True, initiatives=(initiative("stage_adoption", "3"),))
    assert assess(account, PARAMS, CONTEXT).reasons == ("stage_adoption", "churn_risk")


def test_us_lam_headroom_and_growth_are_not_rules():
    """DESIGN 4 US: LAM headroom and growth are context, not rules: alone they leave Pr2."""
    account = facts(
        arr=D("200000"),
        lam=D("5000000"),
        lam_confidence="high",
        growth_close_dates=(date(2027, 1, 15),),
    )
    assert lam_headroom(account, PARAMS)[0] is True  # the headroom is really there
    result = assess(account, PARAMS, CONTEXT)
    assert (result.priority, result.reasons) == (2, ("default",))


def test_us_in_triage_alone_is_not_a_us_rule():
    """DESIGN 4 US: only at-risk is the churn rule; triage and NPS are Commercial criteria."""
    result = assess(facts(in_triage=True, last_nps=2), PARAMS, CONTEXT)
    assert (result.priority, result.reasons) == (2, ("default",))


@pytest.mark.parametrize(
    ("lam", "confidence", "has_headroom"),
    [
        ("110000.01", "high", True),  # (LAM - ARR) / ARR just above 10%
        ("110000", "high", False),  # exactly 10% is not "> 10%"
        ("900000", "low", False),  # uncertain LAM never counts
        (None, "high", False),
    ],
)
def test_lam_headroom_definition(lam, confidence, has_headroom):
    """DESIGN 4: LAM headroom = LAM confidence high and (LAM - ARR) / ARR > 10%."""
    account = facts(arr=D("100000"), lam=None if lam is None else D(lam), lam_confidence=confidence)
    assert lam_headroom(account, PARAMS)[0] is has_headroom


# --- onboarding (precedence step 5) ---------------------------------------------------


@pytest.mark.parametrize("build", [facts, emea, commercial], ids=["us", "emea", "commercial"])
def test_onboarding_open_is_pr1_in_every_region(build):
    """DESIGN 4 step 5: customer-since set and onboarded date empty -> Pr1 (`onboarding`)."""
    account = build(customer_since=date(2026, 10, 1), onboarded_on=None, at_risk=True)
    result = assess(account, PARAMS, context(arr_ranks={1: 1}, emea_pr1_ids=frozenset({1})))
    assert (result.priority, result.reasons, result.source) == (1, ("onboarding",), "model")
    assert fired(result, "onboarding")
    assert not reaches_rule_set(account)


@pytest.mark.parametrize("build", [facts, emea, commercial], ids=["us", "emea", "commercial"])
def test_onboarded_account_goes_to_the_rule_set(build):
    """DESIGN 4 step 5 -> 6: once onboarded, the region's rule set decides."""
    account = build(customer_since=date(2026, 10, 1), onboarded_on=date(2026, 11, 15))
    result = assess(account, PARAMS, CONTEXT)
    assert (result.priority, result.reasons) == (2, ("default",))
    assert not fired(result, "onboarding")
    assert reaches_rule_set(account)


def test_unknown_customer_since_is_not_onboarding():
    """DESIGN 4 step 5: onboarding needs customer-since set; unknown -> the rule set decides."""
    account = facts(customer_since=None, onboarded_on=None)
    result = assess(account, PARAMS, CONTEXT)
    assert (result.priority, result.reasons) == (2, ("default",))
    assert not fired(result, "onboarding")
    at_risk = assess(replace(account, at_risk=True), PARAMS, CONTEXT)
    assert at_risk.reasons == ("churn_risk",)


def test_onboarding_check_reports_its_dates():
    """DESIGN 4: the onboarding check shows the customer-since and onboarded dates."""
    result = assess(facts(customer_since=date(2026, 10, 1), onboarded_on=None), PARAMS, CONTEXT)
    assert check(result, "onboarding").facts == {
        "customer_since": "2026-10-01",
        "onboarded_on": None,
    }


# --- Commercial -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ranks", "fires"),
    [({1: 1}, True), ({1: 30}, True), ({1: 31}, False), ({}, False), ({2: 1}, False)],
)
def test_commercial_top_arr_rank(ranks, fires):
    """DESIGN 4 Commercial: ARR rank <= 30 among the region's TAM-assigned -> Pr1 (`top_arr`)."""
    result = assess(commercial(), PARAMS, context(arr_ranks=ranks))
    assert fired(result, "top_arr") is fires
    assert (result.priority, result.reasons) == ((1, ("top_arr",)) if fires else (2, ("default",)))


def test_commercial_top_arr_rank_is_a_parameter():
    """DESIGN 4: "30 accounts" is an editable rule-set parameter."""
    top_ten = replace(PARAMS, top_arr_rank=10)
    assert not fired(assess(commercial(), top_ten, context(arr_ranks={1: 11})), "top_arr")
    assert fired(assess(commercial(), top_ten, context(arr_ranks={1: 10})), "top_arr")


@pytest.mark.parametrize(
    ("arr", "stages", "fires"),
    [
        ("75000", 2, True),  # ARR >= 75,000 and fewer than 3 stages
        ("75000", 0, True),
        ("74999.99", 2, False),  # below $75k: no_objectives covers it instead
        ("75000", 3, False),  # 3 stages is not "fewer than 3"
        ("500000", 3, False),
        (None, 0, False),
    ],
)
def test_commercial_low_stage_adoption(arr, stages, fires):
    """DESIGN 4 Commercial: fewer than 3 stages adopted and ARR >= 75,000 (`low_stage_adoption`)."""
    account = commercial(arr=None if arr is None else D(arr), stages_adopted=stages)
    result = assess(account, PARAMS, CONTEXT)
    assert fired(result, "low_stage_adoption") is fires
    expected = (1, ("low_stage_adoption",)) if fires else (2, ("default",))
    assert (result.priority, result.reasons) == expected


@pytest.mark.parametrize(
    ("overrides", "fires"),
    [
        ({"last_nps": 6}, True),
        ({"last_nps": 0}, True),
        ({"last_nps": 7}, False),
        ({"last_nps": 10}, False),
        ({"last_nps": None}, False),  # unknown NPS is not a risk
        ({"in_triage": True}, True),
        ({"at_risk": True}, True),
    ],
)
def test_commercial_churn_risk(overrides, fires):
    """DESIGN 4 Commercial: at risk or in triage or last NPS <= 6 -> Pr1 (`churn_risk`)."""
    result = assess(commercial(**overrides), PARAMS, CONTEXT)
    assert fired(result, "churn_risk") is fires
    expected = (1, ("churn_risk",)) if fires else (2, ("default",))
    assert (result.priority, result.reasons) == expected


@pytest.mark.parametrize(
    ("plan", "fires"),
    [("none", True), ("unclear", True), ("objectives", False), ("green", False)],
)
def test_commercial_no_objectives(plan, fires):
    """DESIGN 4 Commercial: success plan `none` or `unclear` -> Pr1 (`no_objectives`)."""
    result = assess(commercial(success_plan=plan), PARAMS, CONTEXT)
    assert fired(result, "no_objectives") is fires
    expected = (1, ("no_objectives",)) if fires else (2, ("default",))
    assert (result.priority, result.reasons) == expected


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"key_logo": True}, "key_logo"),
        ({"channel_engaged": True}, "channel"),
        ({"critical_project": True}, "critical_project"),
    ],
)
def test_commercial_flag_criteria(overrides, code):
    """DESIGN 4 Commercial: key logo / case study, channel partner, critical project -> Pr1."""
    result = assess(commercial(**overrides), PARAMS, CONTEXT)
    assert (result.priority, result.reasons) == (1, (code,))


NINE_MONTHS = date(2027, 8, 24)


@pytest.mark.parametrize(
    ("close_on", "fires"),
    [
        (NINE_MONTHS, True),  # exactly as-of + 9 months
        (SIX_MONTHS + DAY, True),  # beyond the US window, inside the Commercial one
        (AS_OF + DAY, True),
        (NINE_MONTHS + DAY, False),
        (AS_OF, False),  # closing today is not "within 9 months" ahead
        (AS_OF - DAY, False),
    ],
)
def test_commercial_uptier_within_nine_months(close_on, fires):
    """DESIGN 4 Commercial: open tier_upgrade opportunity closing within 9 months -> Pr1."""
    result = assess(commercial(uptier_close_dates=(close_on,)), PARAMS, CONTEXT)
    assert fired(result, "uptier_opportunity") is fires
    expected = (1, ("uptier_opportunity",)) if fires else (2, ("default",))
    assert (result.priority, result.reasons) == expected


def test_commercial_all_criteria_fire_in_design_order():
    """DESIGN 4 Commercial: every criterion that holds is a reason, in DESIGN's order."""
    account = commercial(
        arr=D("80000"),
        stages_adopted=1,
        at_risk=True,
        success_plan="unclear",
        critical_project=True,
        uptier_close_dates=(date(2027, 7, 1),),
        key_logo=True,
        channel_engaged=True,
    )
    result = assess(account, PARAMS, context(arr_ranks={1: 4}))
    assert (result.priority, result.reasons) == (1, COMMERCIAL_RULES)


def test_commercial_does_not_use_us_rules():
    """DESIGN 4 Commercial: initiatives' hours are not Commercial criteria."""
    account = commercial(initiatives=(initiative("stage_adoption", "10"),))
    assert assess(account, PARAMS, CONTEXT).reasons == ("default",)


def test_commercial_checks_record_every_criterion():
    """DESIGN 4: the assessment lists each Commercial rule evaluated, with its facts."""
    result = assess(commercial(last_nps=6, arr=D("90000")), PARAMS, context(arr_ranks={1: 31}))
    for code in COMMERCIAL_RULES:
        check(result, code)
    assert check(result, "top_arr").facts["arr_rank"] == 31
    assert check(result, "churn_risk").facts["last_nps"] == 6
    assert check(result, "low_stage_adoption").facts["stages_adopted"] == 5


# --- EMEA Enterprise: parameters and score --------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"org_change": True}, "org_change"),
        ({"licensed_users": 100, "active_users": 49}, "lifecycle_onboarding"),
        ({"initiatives": (initiative("infrastructure_change", "0.5"),)}, "infra_change"),
        ({"weekly_engagement": True}, "weekly_engagement"),
        ({"arr": D("100000"), "lam": D("150000"), "lam_confidence": "high"}, "lam_gap"),
        ({"initiatives": (initiative("expansion_play", "1"),)}, "expansion_play"),
        ({"tam_handover": True}, "tam_handover"),
    ],
)
def test_emea_each_parameter_adds_its_weight(overrides, code):
    """DESIGN 4 EMEA: each of the seven parameters of 004 adds its weight (default 1)."""
    account = emea(**overrides)
    assert emea_score(account, PARAMS, CONTEXT) == 1
    result = assess(account, PARAMS, context(emea_pr1_ids=frozenset({1})))
    assert (result.priority, result.reasons) == (1, ("emea_parameters", code))
    assert [c.code for c in result.checks if c.fired] == [code, "emea_parameters"]
    assert result.emea_score == 1


@pytest.mark.parametrize(
    ("overrides", "fires"),
    [
        ({"licensed_users": 100, "active_users": 49}, True),
        ({"licensed_users": 100, "active_users": 50}, False),  # half the users are active
        ({"licensed_users": 100, "active_users": 0}, True),
        ({"licensed_users": None, "active_users": 10}, False),
        ({"licensed_users": 100, "active_users": None}, False),
    ],
)
def test_emea_lifecycle_onboarding_parameter(overrides, fires):
    """DESIGN 4 EMEA / 004 "still onboarding majority of the user base": active < 50% licensed."""
    result = assess(emea(**overrides), PARAMS, CONTEXT)
    assert fired(result, "lifecycle_onboarding") is fires


@pytest.mark.parametrize(
    ("hours", "starts_on", "fires"),
    [
        ("0.5", QUARTER_START, True),  # any TAM hours this quarter
        ("0", QUARTER_START, False),
        (None, QUARTER_START, False),
        ("1", NEXT_QUARTER_START, False),  # not this quarter
    ],
)
def test_emea_infra_change_any_hours_this_quarter(hours, starts_on, fires):
    """DESIGN 4 EMEA: infrastructure change with any TAM hours this quarter."""
    account = emea(initiatives=(initiative("infrastructure_change", hours, starts_on),))
    assert fired(assess(account, PARAMS, CONTEXT), "infra_change") is fires


@pytest.mark.parametrize(
    ("lam", "confidence", "fires"),
    [("110000.01", "high", True), ("110000", "high", False), ("900000", "low", False)],
)
def test_emea_lam_gap_is_lam_headroom(lam, confidence, fires):
    """DESIGN 4 EMEA: LAM gap = LAM headroom (confidence high, (LAM - ARR) / ARR > 10%)."""
    account = emea(arr=D("100000"), lam=D(lam), lam_confidence=confidence)
    result = assess(account, PARAMS, CONTEXT)
    assert fired(result, "lam_gap") is fires
    assert check(result, "lam_gap").facts["lam_confidence"] == confidence


def test_emea_expansion_play_counts_stage_adoption():
    """DESIGN 4 EMEA / 004: a stage adoption this quarter is an expansion-play parameter."""
    account = emea(initiatives=(initiative("stage_adoption", "1"),))
    assert fired(assess(account, PARAMS, CONTEXT), "expansion_play")


def test_emea_score_is_the_sum_of_the_weights_of_fired_parameters():
    """DESIGN 4 EMEA: score = sum of the weights of the parameters that fired."""
    weights = replace(
        PARAMS,
        weight_org_change=D(3),
        weight_onboarding=D(5),
        weight_weekly_engagement=D("0.5"),
        weight_tam_handover=D(7),
    )
    account = emea(
        org_change=True,
        weekly_engagement=True,
        tam_handover=True,
        licensed_users=100,
        active_users=80,  # lifecycle_onboarding does not fire: its 5 does not count
    )
    assert emea_score(account, PARAMS, CONTEXT) == 3
    assert emea_score(account, weights, CONTEXT) == D("10.5")
    assert assess(account, weights, CONTEXT).emea_score == D("10.5")
    assert emea_score(emea(), weights, CONTEXT) == 0


def test_emea_score_zero_is_pr2_default():
    """DESIGN 4 EMEA: only accounts with score > 0 are ranked; score 0 -> Pr2 (`default`)."""
    result = assess(emea(), PARAMS, context(emea_pr1_ids=frozenset({1})))
    assert (result.priority, result.reasons) == (2, ("default",))
    assert not fired(result, "emea_parameters")


def test_emea_does_not_use_us_or_commercial_rules():
    """DESIGN 4 EMEA: at risk, up-tier and top ARR are not EMEA parameters."""
    account = emea(at_risk=True, uptier_close_dates=(date(2027, 1, 15),), success_plan="none")
    result = assess(account, PARAMS, context(arr_ranks={1: 1}))
    assert (result.priority, result.reasons) == (2, ("default",))


# --- EMEA Enterprise: per-TAM ranking and cap -----------------------------------------


def rank(accounts, params=PARAMS, ctx=CONTEXT) -> frozenset[int]:
    ranking = EmeaRanking()
    for account in accounts:
        score = emea_score(account, params, ctx)
        ranking.add(account.account_id, account.tam_id, score, account.arr, params.pr1_cap_per_tam)
    return ranking.pr1_ids()


def ten_scored_accounts(tam_id=100, first_id=1):
    """Seven accounts scoring 2 with modest ARR, then three scoring 1 with large ARR."""
    twos = [
        emea(
            account_id=first_id + i,
            tam_id=tam_id,
            arr=D(150_000 + i),
            org_change=True,
            weekly_engagement=True,
        )
        for i in range(7)
    ]
    ones = [
        emea(
            account_id=first_id + 7 + i,
            tam_id=tam_id,
            arr=D(900_000 - 100_000 * i),
            org_change=True,
        )
        for i in range(3)
    ]
    return twos + ones


def test_emea_top_eight_by_score_then_arr_are_pr1():
    """DESIGN 4 EMEA: per TAM, score > 0 ranked by score then ARR; the top 8 (cap) are Pr1."""
    accounts = ten_scored_accounts()
    # Stream them in an order unrelated to the ranking.
    pr1_ids = rank(list(reversed(accounts[7:])) + accounts[:7])
    assert pr1_ids == frozenset(range(1, 9))  # all seven 2s, then the largest of the 1s

    ctx = context(emea_pr1_ids=pr1_ids)
    top = assess(accounts[0], PARAMS, ctx)
    assert (top.priority, top.reasons, top.source) == (
        1,
        ("emea_parameters", "org_change", "weekly_engagement"),
        "model",
    )
    eighth = assess(accounts[7], PARAMS, ctx)
    assert (eighth.priority, eighth.reasons) == (1, ("emea_parameters", "org_change"))
    for ninth_or_tenth in accounts[8:]:
        result = assess(ninth_or_tenth, PARAMS, ctx)
        assert (result.priority, result.reasons) == (2, ("default", "over_cap"))
        assert not fired(result, "emea_parameters")
        assert fired(result, "org_change")


def test_emea_cap_is_per_tam():
    """DESIGN 4 EMEA: the cap of 8 applies within each TAM's book, not across the region."""
    accounts = ten_scored_accounts(tam_id=100, first_id=1) + ten_scored_accounts(
        tam_id=200, first_id=101
    )
    pr1_ids = rank(accounts)
    assert pr1_ids == frozenset(range(1, 9)) | frozenset(range(101, 109))


def test_emea_cap_is_a_parameter():
    """DESIGN 4: the per-TAM cap (default 8) is an editable rule-set parameter."""
    pr1_ids = rank(ten_scored_accounts(), params=replace(PARAMS, pr1_cap_per_tam=5))
    assert pr1_ids == frozenset(range(3, 8))  # the five largest of the seven 2s


def test_emea_fewer_scored_accounts_than_the_cap_are_all_pr1():
    """DESIGN 4 EMEA: "the top ones up to the cap": 3 scored accounts are all suggested Pr1."""
    accounts = [*ten_scored_accounts()[:3], emea(account_id=50, tam_id=100, arr=D(10**7))]
    assert rank(accounts) == frozenset({1, 2, 3})  # the unscored account is never ranked


@pytest.mark.parametrize("order", [1, -1], ids=["small-first", "large-first"])
def test_emea_score_ties_are_broken_by_arr(order):
    """DESIGN 4 EMEA: equal scores are ranked by ARR, whatever order they arrive in."""
    small = emea(account_id=1, tam_id=100, arr=D("300000"), tam_handover=True)
    large = emea(account_id=2, tam_id=100, arr=D("300000.01"), tam_handover=True)
    cap_one = replace(PARAMS, pr1_cap_per_tam=1)
    assert rank([small, large][::order], params=cap_one) == frozenset({2})


def test_emea_score_beats_arr():
    """DESIGN 4 EMEA: ranked by score first; a much larger account with a lower score loses."""
    busy = emea(account_id=1, tam_id=100, arr=D("100000"), org_change=True, tam_handover=True)
    big = emea(account_id=2, tam_id=100, arr=D("9000000"), org_change=True)
    assert rank([big, busy], params=replace(PARAMS, pr1_cap_per_tam=1)) == frozenset({1})


def test_emea_weights_change_the_ranking():
    """DESIGN 4 EMEA: weights are parameters; weight 0 makes a parameter not count."""
    changing = emea(account_id=1, tam_id=100, arr=D("900000"), org_change=True)
    engaged = emea(account_id=2, tam_id=100, arr=D("200000"), weekly_engagement=True)
    cap_one = replace(PARAMS, pr1_cap_per_tam=1)
    assert rank([changing, engaged], params=cap_one) == frozenset({1})  # tie -> larger ARR

    heavier = replace(cap_one, weight_weekly_engagement=D(2))
    assert rank([changing, engaged], params=heavier) == frozenset({2})

    ignored = replace(PARAMS, weight_org_change=D(0))
    assert emea_score(changing, ignored, CONTEXT) == 0
    assert rank([changing, engaged], params=ignored) == frozenset({2})
    result = assess(changing, ignored, context(emea_pr1_ids=frozenset({2})))
    assert (result.priority, result.reasons) == (2, ("default",))  # score 0: not over_cap
    # Switched off, it does not show as fired either: the explanation says what decided.
    assert not fired(result, "org_change")


def test_emea_parameters_check_reports_score_and_cap():
    """DESIGN 4: the EMEA assessment shows each parameter and the score it adds up to."""
    account = emea(org_change=True, tam_handover=True)
    result = assess(account, PARAMS, context(emea_pr1_ids=frozenset({1})))
    for code in EMEA_PARAMETERS:
        check(result, code)
    emea_check = check(result, "emea_parameters")
    assert emea_check.fired
    assert D(emea_check.facts["score"]) == 2
    assert emea_check.facts["cap_per_tam"] == 8


def test_emea_review_decision_wins_over_the_suggestion():
    """DESIGN 4 EMEA step 4: the manager-approved decision for the quarter is effective."""
    account = emea(org_change=True, review_priority=2)
    result = assess(account, PARAMS, context(emea_pr1_ids=frozenset({1})))
    assert (result.priority, result.source) == (2, "review")
    assert result.reasons[0] == "review"
    assert (result.computed_priority, result.computed_reasons) == (
        1,
        ("emea_parameters", "org_change"),
    )
    assert fired(result, "review")

    promoted = assess(emea(review_priority=1), PARAMS, CONTEXT)
    assert (promoted.priority, promoted.source, promoted.computed_priority) == (1, "review", 2)
    assert promoted.reasons == ("review", "default")


# --- precedence -----------------------------------------------------------------------


def test_unmanaged_child_is_pr3_even_at_risk_and_with_an_exception():
    """DESIGN 4 step 1: unmanaged child -> Pr3 (`unmanaged_child`); nothing overrides it."""
    account = facts(
        is_child=True,
        managed=False,
        at_risk=True,
        exception_priority=1,
        review_priority=1,
        customer_since=date(2026, 10, 1),
        onboarded_on=None,
    )
    result = assess(account, PARAMS, CONTEXT)
    assert (result.priority, result.reasons, result.source) == (3, ("unmanaged_child",), "model")
    assert result.computed_priority == 3
    # The assessment still records every rule that fired.
    assert fired(result, "unmanaged_child")
    assert fired(result, "churn_risk")
    assert fired(result, "onboarding")


def test_unmanaged_child_beats_digital():
    """DESIGN 4: step 1 comes before step 2."""
    result = assess(facts(is_child=True, managed=False, segment="digital"), PARAMS, CONTEXT)
    assert (result.priority, result.reasons) == (3, ("unmanaged_child",))


def test_managed_child_is_treated_normally():
    """DESIGN 4 step 1: only an unmanaged child is Pr3; a managed child follows the rules."""
    result = assess(facts(is_child=True, managed=True, at_risk=True), PARAMS, CONTEXT)
    assert (result.priority, result.reasons) == (1, ("churn_risk",))
    assert not fired(result, "unmanaged_child")
    assert check(result, "unmanaged_child").facts == {"child_account": True, "managed": True}


def test_unmanaged_parent_is_not_pr3():
    """DESIGN 4 step 1: Pr3 is "non-managed child accounts only"."""
    result = assess(facts(is_child=False, managed=False), PARAMS, CONTEXT)
    assert result.priority == 2


@pytest.mark.parametrize("segment", ["digital", None], ids=["digital-only", "no-segment"])
def test_digital_or_no_segment_is_pr4(segment):
    """DESIGN 4 step 2: Digital-Only segment or no segment -> Pr4 (`digital`), over everything after."""
    account = facts(
        segment=segment,
        tam_assigned=False,
        at_risk=True,
        exception_priority=1,
        review_priority=1,
    )
    result = assess(account, PARAMS, CONTEXT)
    assert (result.priority, result.reasons, result.source) == (4, ("digital",), "model")
    assert fired(result, "digital")
    assert check(result, "digital").facts["segment"] == segment


def test_trial_region_digital_tam_customer_is_pr4():
    """DESIGN 4 step 2: TAM-assigned, marked digital, in a digital-trial region -> Pr4."""
    account = facts(digital_tam_trial=True, digital=True, at_risk=True)
    result = assess(account, PARAMS, CONTEXT)
    assert (result.priority, result.reasons) == (4, ("digital",))
    assert check(result, "digital").facts["region_trials_digital_tam"] is True


def test_digital_mark_is_ignored_outside_trial_regions():
    """DESIGN 4 step 2: the digital flag is ignored in regions without the trial."""
    for build in (facts, emea, commercial):
        result = assess(build(digital=True, at_risk=True), PARAMS, CONTEXT)
        assert result.priority != 4
        assert not fired(result, "digital")
    assert assess(facts(digital=True, at_risk=True), PARAMS, CONTEXT).reasons == ("churn_risk",)


def test_trial_region_account_not_marked_digital_follows_the_rules():
    """DESIGN 4 step 2: in the trial region only an account marked digital is Pr4."""
    result = assess(facts(digital_tam_trial=True, digital=False), PARAMS, CONTEXT)
    assert (result.priority, result.reasons) == (2, ("default",))


def test_onboarding_segment_is_pr1_while_onboarding_open():
    """DESIGN 4 step 2 Decision: Onboarding segment -> Pr1 (`onboarding`) while not complete."""
    account = facts(
        segment="onboarding",
        tam_assigned=False,
        arr=D("30000"),
        customer_since=date(2026, 11, 2),
        onboarded_on=None,
    )
    result = assess(account, PARAMS, CONTEXT)
    assert (result.priority, result.reasons, result.source) == (1, ("onboarding",), "model")
    assert fired(result, "onboarding_segment")


def test_onboarding_segment_is_pr4_once_onboarded():
    """DESIGN 4 step 2 Decision: Onboarding segment, onboarding complete -> Pr4."""
    account = facts(
        segment="onboarding",
        tam_assigned=False,
        arr=D("30000"),
        customer_since=date(2026, 8, 1),
        onboarded_on=date(2026, 9, 15),
        at_risk=True,
    )
    result = assess(account, PARAMS, CONTEXT)
    assert (result.priority, result.reasons) == (4, ("onboarding_complete",))


def test_onboarding_segment_ignores_exception_and_review():
    """DESIGN 4: the Onboarding-segment decision is step 2, above exceptions and reviews."""
    account = facts(
        segment="onboarding",
        arr=D("30000"),
        onboarded_on=date(2026, 9, 15),
        exception_priority=1,
        review_priority=1,
    )
    result = assess(account, PARAMS, CONTEXT)
    assert (result.priority, result.reasons, result.source) == (
        4,
        ("onboarding_complete",),
        "model",
    )


def test_p2_exception_beats_the_rule_set():
    """DESIGN 4 step 3: an approved exception -> its priority; the model's answer is kept."""
    account = facts(at_risk=True, exception_priority=2)
    result = assess(account, PARAMS, CONTEXT)
    assert (result.priority, result.source) == (2, "exception")
    assert result.reasons[0] == "p2_exception"
    assert (result.computed_priority, result.computed_reasons) == (1, ("churn_risk",))
    assert exception_check(result).fired


def test_p1_exception_beats_the_rule_set():
    """DESIGN 4 step 3 / 004 flowchart "P1 exception": Pr2 by the model, Pr1 by exception."""
    result = assess(facts(exception_priority=1), PARAMS, CONTEXT)
    assert (result.priority, result.source, result.computed_priority) == (1, "exception", 2)
    assert result.reasons[0] == "p1_exception"


def test_exception_beats_onboarding():
    """DESIGN 4: step 3 (exception) comes before step 5 (onboarding open)."""
    account = facts(customer_since=date(2026, 10, 1), onboarded_on=None, exception_priority=2)
    result = assess(account, PARAMS, CONTEXT)
    assert (result.priority, result.source) == (2, "exception")
    assert result.reasons[0] == "p2_exception"
    assert (result.computed_priority, result.computed_reasons) == (1, ("onboarding",))


@pytest.mark.parametrize("build", [facts, emea, commercial], ids=["us", "emea", "commercial"])
def test_exception_applies_in_every_rule_set(build):
    """DESIGN 4 step 3 is region-independent."""
    result = assess(build(at_risk=True, org_change=True, exception_priority=2), PARAMS, CONTEXT)
    assert (result.priority, result.source) == (2, "exception")


def test_review_beats_the_model():
    """DESIGN 4 step 4: an approved review decision for the quarter -> its priority."""
    account = emea(tam_handover=True, review_priority=2)
    result = assess(account, PARAMS, context(emea_pr1_ids=frozenset({1})))
    assert (result.priority, result.source, result.computed_priority) == (2, "review", 1)
    assert result.reasons[0] == "review"


def test_review_beats_onboarding():
    """DESIGN 4: step 4 (review) comes before step 5 (onboarding open)."""
    account = emea(customer_since=date(2026, 10, 1), onboarded_on=None, review_priority=2)
    result = assess(account, PARAMS, CONTEXT)
    assert (result.priority, result.source, result.computed_priority) == (2, "review", 1)
    assert result.reasons[0] == "review"


def test_exception_beats_review():
    """DESIGN 4: step 3 (exception) comes before step 4 (review)."""
    account = emea(org_change=True, exception_priority=2, review_priority=1)
    result = assess(account, PARAMS, context(emea_pr1_ids=frozenset({1})))
    assert (result.priority, result.source) == (2, "exception")
    assert result.reasons[0] == "p2_exception"
    assert result.computed_priority == 1


@pytest.mark.parametrize(
    "account",
    [
        facts(at_risk=True),
        facts(exception_priority=2, at_risk=True),
        facts(segment="digital", exception_priority=1),
        facts(is_child=True, managed=False),
        emea(org_change=True, review_priority=2),
        commercial(key_logo=True, exception_priority=2),
        facts(customer_since=date(2026, 10, 1), onboarded_on=None, exception_priority=2),
    ],
)
def test_computed_priority_is_the_models_own_answer(account):
    """DESIGN 4: exceptions and reviews never change the computed (model) priority."""
    plain = replace(account, exception_priority=None, review_priority=None)
    ctx = context(emea_pr1_ids=frozenset({1}))
    model = assess(plain, PARAMS, ctx)
    result = assess(account, PARAMS, ctx)
    assert (result.computed_priority, result.computed_reasons) == (model.priority, model.reasons)
    assert model.source == "model"


# --- explainability -------------------------------------------------------------------


def test_us_assessment_records_every_rule_evaluated():
    """DESIGN 4: every assessment lists each rule evaluated, its facts, and whether it fired."""
    account = facts(uptier_close_dates=(date(2027, 3, 1),), exception_priority=2)
    result = assess(account, PARAMS, CONTEXT)
    codes = [c.code for c in result.checks]
    for code in ("unmanaged_child", "digital", "review", "onboarding", *US_PR1_ORDER):
        assert code in codes
    exception = exception_check(result)
    assert exception.fired
    assert exception.facts["exception_priority"] == 2
    assert [c for c in result.checks if c.fired] == [exception, check(result, "uptier_opportunity")]
    assert all(isinstance(c.facts, dict) for c in result.checks)
    assert check(result, "churn_risk").facts == {"at_risk": False}
    assert check(result, "review").facts["review_priority"] is None


def test_rule_set_checks_are_recorded_even_when_precedence_decides():
    """DESIGN 4: "the assessment records every rule that fired", also below the deciding one."""
    account = facts(segment=None, uptier_close_dates=(date(2027, 1, 1),), at_risk=True)
    result = assess(account, PARAMS, CONTEXT)
    assert result.reasons == ("digital",)
    assert fired(result, "uptier_opportunity")
    assert fired(result, "churn_risk")


# --- the explanation and the decision, case by case ------------------------------------

# DESIGN 4's precedence, in its order: the check each step records on the account page.
PRECEDENCE = (
    "unmanaged_child",
    "digital",
    "onboarding_segment",
    "exception",
    "review",
    "onboarding",
)


def decision_read_from(checks) -> tuple:
    """What the account page's explanation says was decided, read as DESIGN 4 reads it:
    (priority, reasons, computed priority, computed reasons, source).

    Only the checks are looked at (their codes, outcomes and the facts they show), never
    the account, so a decision that disagreed with its explanation could not match.
    """
    steps = [c for c in checks if c.code in PRECEDENCE]
    assert [c.code for c in steps] == list(PRECEDENCE), "the precedence is listed in order"
    fired_steps = {c.code: c for c in steps if c.fired}
    rule_set = [c for c in checks if c.code not in PRECEDENCE]

    # Steps 1 and 2: nothing overrides them.
    if "unmanaged_child" in fired_steps:
        return 3, ("unmanaged_child",), 3, ("unmanaged_child",), "model"
    if "digital" in fired_steps:
        return 4, ("digital",), 4, ("digital",), "model"
    if "onboarding_segment" in fired_steps:
        if fired_steps["onboarding_segment"].facts["onboarding_open"]:
            return 1, ("onboarding",), 1, ("onboarding",), "model"
        return 4, ("onboarding_complete",), 4, ("onboarding_complete",), "model"

    # The model's own answer below them: step 5, else step 6.
    computed = (1, ("onboarding",)) if "onboarding" in fired_steps else rule_set_read_from(rule_set)

    # Steps 3 and 4: people's decisions, with the model's answer after their code.
    if "exception" in fired_steps:
        priority = fired_steps["exception"].facts["exception_priority"]
        return priority, (f"p{priority}_exception", *computed[1]), *computed, "exception"
    if "review" in fired_steps:
        priority = fired_steps["review"].facts["review_priority"]
        return priority, ("review", *computed[1]), *computed, "review"
    return *computed, *computed, "model"


def rule_set_read_from(rule_set_checks) -> tuple[int, tuple[str, ...]]:
    """Step 6 as its checks show it: the listed rules that fired (US, Commercial), or the
    EMEA parameters that fired and whether the TAM's ranking selected the account."""
    selection = [c for c in rule_set_checks if c.code == "emea_parameters"]
    fired = tuple(c.code for c in rule_set_checks if c.fired and c.code != "emea_parameters")
    if not selection:
        return (1, fired) if fired else (2, ("default",))
    if selection[0].fired:
        return 1, ("emea_parameters", *fired)
    return (2, ("default", "over_cap")) if fired else (2, ("default",))


# The night's context: account 1 suggested at Pr1 by its EMEA TAM's ranking and, in
# `TOP_ARR`, also ranked first by ARR in its Commercial region; `NOT_SELECTED`: neither.
SELECTED = context(emea_pr1_ids=frozenset({1}))
TOP_ARR = context(emea_pr1_ids=frozenset({1}), arr_ranks={1: 1})
NOT_SELECTED = CONTEXT
OPEN = {"customer_since": date(2026, 10, 1), "onboarded_on": None}


class Case(NamedTuple):
    """One precedence case of DESIGN 4 and the answer DESIGN 4 gives for it."""

    name: str
    account: AccountFacts
    expect: tuple[int, str]  # the priority and the first reason
    source: str = "model"
    ctx: PortfolioContext = SELECTED
    params: RuleParameters = PARAMS


PRECEDENCE_CASES = [
    # Step 1: an unmanaged child is Pr3 whatever else holds.
    Case(
        "unmanaged-child",
        facts(
            is_child=True,
            managed=False,
            at_risk=True,
            exception_priority=1,
            review_priority=1,
            **OPEN,
        ),
        expect=(3, "unmanaged_child"),
    ),
    Case(
        "unmanaged-child-emea",
        emea(is_child=True, managed=False, org_change=True, review_priority=1),
        expect=(3, "unmanaged_child"),
    ),
    Case(
        "managed-child", facts(is_child=True, managed=True, at_risk=True), expect=(1, "churn_risk")
    ),
    # Step 2: Digital-Only or no segment is Pr4, over exceptions and reviews.
    Case(
        "digital-segment",
        facts(segment="digital", tam_assigned=False, exception_priority=1),
        expect=(4, "digital"),
    ),
    Case(
        "no-segment", facts(segment=None, tam_assigned=False, at_risk=True), expect=(4, "digital")
    ),
    Case(
        "no-segment-emea-review",
        emea(segment=None, org_change=True, review_priority=1),
        expect=(4, "digital"),
    ),
    # Step 2: the digital trial region's TAM-assigned account marked digital is Pr4 ...
    Case(
        "trial-region-marked-digital",
        facts(digital_tam_trial=True, digital=True, at_risk=True),
        expect=(4, "digital"),
    ),
    # ... an unmarked one there, or a marked one elsewhere, follows the rules.
    Case(
        "trial-region-unmarked",
        facts(digital_tam_trial=True, at_risk=True),
        expect=(1, "churn_risk"),
    ),
    Case(
        "marked-digital-outside-trial",
        commercial(digital=True, key_logo=True),
        expect=(1, "key_logo"),
    ),
    # Step 2 (Decision): the Onboarding segment is Pr1 while open, Pr4 once complete,
    # above exceptions and reviews.
    Case(
        "onboarding-segment-open",
        facts(segment="onboarding", tam_assigned=False, exception_priority=2, **OPEN),
        expect=(1, "onboarding"),
    ),
    Case(
        "onboarding-segment-complete",
        emea(segment="onboarding", tam_assigned=False, at_risk=True, review_priority=1),
        expect=(4, "onboarding_complete"),
    ),
    # Step 3: an exception's priority, in every region, over the review and onboarding.
    Case(
        "p1-exception", facts(exception_priority=1), expect=(1, "p1_exception"), source="exception"
    ),
    Case(
        "p2-exception",
        facts(at_risk=True, exception_priority=2),
        expect=(2, "p2_exception"),
        source="exception",
    ),
    Case(
        "p2-exception-commercial",
        commercial(key_logo=True, exception_priority=2),
        expect=(2, "p2_exception"),
        source="exception",
    ),
    Case(
        "p1-exception-over-review",
        emea(exception_priority=1, review_priority=2),
        expect=(1, "p1_exception"),
        source="exception",
    ),
    Case(
        "p2-exception-over-onboarding",
        facts(exception_priority=2, **OPEN),
        expect=(2, "p2_exception"),
        source="exception",
    ),
    # Step 4: the quarter's review decides in EMEA only.
    Case(
        "emea-review-demotes",
        emea(org_change=True, review_priority=2),
        expect=(2, "review"),
        source="review",
    ),
    Case("emea-review-promotes", emea(review_priority=1), expect=(1, "review"), source="review"),
    Case(
        "emea-review-over-onboarding",
        emea(review_priority=2, **OPEN),
        expect=(2, "review"),
        source="review",
    ),
    Case("us-review-ignored", facts(at_risk=True, review_priority=2), expect=(1, "churn_risk")),
    Case(
        "commercial-review-ignored",
        commercial(review_priority=1),
        expect=(1, "top_arr"),
        ctx=TOP_ARR,
    ),
    # Step 5: onboarding open is Pr1 in every region, over the rule set.
    Case("us-onboarding-open", facts(at_risk=True, **OPEN), expect=(1, "onboarding")),
    Case("emea-onboarding-open", emea(org_change=True, **OPEN), expect=(1, "onboarding")),
    Case(
        "commercial-onboarding-open",
        commercial(key_logo=True, **OPEN),
        expect=(1, "onboarding"),
        ctx=TOP_ARR,
    ),
    # Step 6, US Enterprise: any rule that fires is Pr1, else Pr2 default.
    Case(
        "us-uptier",
        facts(uptier_close_dates=(date(2027, 1, 10),)),
        expect=(1, "uptier_opportunity"),
    ),
    Case(
        "us-stage-adoption",
        facts(initiatives=(initiative("stage_adoption", "3"),)),
        expect=(1, "stage_adoption"),
    ),
    Case(
        "us-infra-change",
        facts(initiatives=(initiative("infrastructure_change", "3"),)),
        expect=(1, "infra_change"),
    ),
    Case("us-churn-risk", facts(at_risk=True), expect=(1, "churn_risk")),
    Case(
        "us-all-four",
        facts(
            at_risk=True,
            uptier_close_dates=(date(2027, 1, 10),),
            initiatives=(
                initiative("stage_adoption", "3"),
                initiative("infrastructure_change", "3"),
            ),
        ),
        expect=(1, "uptier_opportunity"),
    ),
    Case(
        "us-uptier-beyond-window",
        facts(uptier_close_dates=(SIX_MONTHS + DAY,)),
        expect=(2, "default"),
    ),
    Case("us-quiet", facts(), expect=(2, "default")),
    # Step 6, Commercial: any criterion that holds is Pr1, else Pr2 default.
    Case("commercial-top-arr", commercial(), expect=(1, "top_arr"), ctx=TOP_ARR),
    Case("commercial-churn-nps", commercial(last_nps=6), expect=(1, "churn_risk")),
    Case(
        "commercial-no-objectives", commercial(success_plan="unclear"), expect=(1, "no_objectives")
    ),
    Case(
        "commercial-critical-project",
        commercial(critical_project=True),
        expect=(1, "critical_project"),
    ),
    Case(
        "commercial-uptier",
        commercial(uptier_close_dates=(NINE_MONTHS,)),
        expect=(1, "uptier_opportunity"),
    ),
    Case("commercial-key-logo", commercial(key_logo=True), expect=(1, "key_logo")),
    Case("commercial-channel", commercial(channel_engaged=True), expect=(1, "channel")),
    Case(
        "commercial-low-stage-adoption",
        commercial(stages_adopted=2, arr=D(75000)),
        expect=(1, "low_stage_adoption"),
    ),
    Case(
        "commercial-several",
        commercial(in_triage=True, channel_engaged=True, stages_adopted=1),
        expect=(1, "churn_risk"),
    ),
    Case("commercial-quiet", commercial(arr=D(74999)), expect=(2, "default")),
    # Step 6, EMEA: a scored account among its TAM's top is Pr1 (`emea_parameters` and the
    # parameters that fired), one beyond the cap Pr2 (`default`, `over_cap`), score 0 Pr2.
    Case("emea-org-change", emea(org_change=True), expect=(1, "emea_parameters")),
    Case(
        "emea-lifecycle-onboarding",
        emea(licensed_users=100, active_users=10),
        expect=(1, "emea_parameters"),
    ),
    Case(
        "emea-infra-change",
        emea(initiatives=(initiative("infrastructure_change", "0.5"),)),
        expect=(1, "emea_parameters"),
    ),
    Case("emea-weekly-engagement", emea(weekly_engagement=True), expect=(1, "emea_parameters")),
    Case(
        "emea-lam-gap",
        emea(arr=D(100000), lam=D(150000), lam_confidence="high"),
        expect=(1, "emea_parameters"),
    ),
    Case(
        "emea-expansion-play",
        emea(initiatives=(initiative("expansion_play", "1"),)),
        expect=(1, "emea_parameters"),
    ),
    Case("emea-tam-handover", emea(tam_handover=True), expect=(1, "emea_parameters")),
    Case(
        "emea-over-cap",
        emea(org_change=True, tam_handover=True),
        expect=(2, "default"),
        ctx=NOT_SELECTED,
    ),
    Case("emea-score-zero", emea(at_risk=True), expect=(2, "default")),
    Case(
        "emea-only-parameter-weighted-zero",
        emea(org_change=True),
        expect=(2, "default"),
        params=replace(PARAMS, weight_org_change=D(0)),
    ),
    Case(
        "emea-one-of-two-weighted-zero",
        emea(org_change=True, tam_handover=True),
        expect=(1, "emea_parameters"),
        params=replace(PARAMS, weight_org_change=D(0)),
    ),
]


@pytest.mark.parametrize("case", [pytest.param(case, id=case.name) for case in PRECEDENCE_CASES])
def test_the_explanation_reads_as_the_decision(case):
    """DESIGN 4: the first precedence step that fired in `explain()` is the one that decided
    in `decide()`, with DESIGN's priority and reason; when the rule set decides, the rules
    the explanation shows as fired are exactly the decision's reasons."""
    decision = decide(case.account, case.params, case.ctx)
    checks = explain(case.account, case.params, case.ctx)

    assert (decision.priority, decision.reasons[0]) == case.expect
    assert decision.source == case.source
    assert decision_read_from(checks) == (
        decision.priority,
        decision.reasons,
        decision.computed_priority,
        decision.computed_reasons,
        decision.source,
    )


def test_the_precedence_cases_cover_every_step_and_rule():
    """Every precedence step decides, and every rule of every rule set is a reason, in at
    least one case above: a rule added to a table without a case here fails this."""
    deciding_steps, reasons = set(), set()
    for case in PRECEDENCE_CASES:
        reasons |= set(decide(case.account, case.params, case.ctx).reasons)
        fired_steps = [c.code for c in explain(case.account, case.params, case.ctx) if c.fired]
        deciding_steps.add(next((code for code in fired_steps if code in PRECEDENCE), "rule_set"))
    rule_codes = {
        rule.code
        for table in (rules.US_ENTERPRISE_RULES, rules.COMMERCIAL_RULES, rules.EMEA_PARAMETERS)
        for rule in table
    }
    assert deciding_steps == {*PRECEDENCE, "rule_set"}
    assert reasons >= rule_codes | {
        "p1_exception", "p2_exception", "onboarding", "onboarding_complete", "emea_parameters",
        "over_cap", "default",
    }  # fmt: skip


@pytest.mark.parametrize("step", [decide, explain], ids=["decide", "explain"])
def test_an_unknown_rule_set_is_an_error(step):
    """Issue 9: a region whose rule set is not one of the three is an error, never US."""
    with pytest.raises(ValueError, match="apac_enterprise"):
        step(facts(rule_set="apac_enterprise"), PARAMS, CONTEXT)
