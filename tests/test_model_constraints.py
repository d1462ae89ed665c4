"""The database itself keeps the structural rules (Meta.constraints), and the seeds are right.

Each rule gets a row the database must reject and a boundary row it must accept. Rows are
written with factories (`objects.create`), so no model validation runs: only the database
stands between a bad import or a buggy job and the data. A rejection must name its
constraint; PostgreSQL and SQLite both name check constraints, SQLite does not name the
constraint behind a unique violation, hence UNIQUE_ON_SQLITE.
"""

import datetime
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import ActivityKind, Region
from metrics.models import MetricDefinition
from people.models import User
from prioritization.models import RuleSetParameters
from rhythm.models import CapacityProfile, RhythmTask
from segments.models import Segment
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    ArrSnapshotFactory,
    CapacityProfileFactory,
    InitiativeFactory,
    MetricResultFactory,
    OpportunityFactory,
    PriorityAssessmentFactory,
    PriorityExceptionFactory,
    PriorityReviewFactory,
    RhythmTaskFactory,
    StageAdoptionFactory,
    UserFactory,
    WebinarFactory,
    segment,
    stage,
)

pytestmark = pytest.mark.django_db

UNIQUE_ON_SQLITE = "UNIQUE constraint failed"


@contextmanager
def violates(*names):
    """Expect an IntegrityError mentioning one of `names`, rolled back to a savepoint.

    The savepoint (transaction.atomic) keeps the test's transaction usable afterwards.
    """
    with pytest.raises(IntegrityError, match="|".join(names)), transaction.atomic():
        yield


def _stored(instance):
    """Read the row back, proving the database kept it as written."""
    instance.refresh_from_db()
    return instance


# --- accounts.Account ------------------------------------------------------------------


def test_account_external_id_is_unique():
    AccountFactory(external_id="CRM-1")
    with violates("external_id", UNIQUE_ON_SQLITE):
        AccountFactory(external_id="CRM-1")


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("arr", Decimal("-0.01"), "account_arr_non_negative"),
        ("lam", Decimal("-0.01"), "account_lam_non_negative"),
        ("last_nps", 11, "account_nps_0_10"),
    ],
)
def test_account_rejects_out_of_range(field, value, constraint):
    with violates(constraint):
        AccountFactory(**{field: value})


@pytest.mark.parametrize(
    ("field", "value"),
    [("arr", Decimal(0)), ("lam", Decimal(0)), ("last_nps", 0), ("last_nps", 10)],
)
def test_account_accepts_range_boundary(field, value):
    account = _stored(AccountFactory(**{field: value}))
    assert getattr(account, field) == value


def test_account_cannot_be_its_own_parent():
    account = AccountFactory()
    account.parent = account
    with violates("account_not_own_parent"):
        account.save(update_fields=["parent"])


def test_account_can_have_another_account_as_parent():
    parent = AccountFactory()
    child = _stored(AccountFactory(parent=parent, managed=False))
    assert child.parent == parent


def test_segment_override_requires_a_reason():
    with violates("account_segment_override_has_reason"):
        AccountFactory(segment_override=segment("named"), segment_override_reason="")


def test_segment_override_with_a_reason_is_accepted():
    account = _stored(
        AccountFactory(segment_override=segment("named"), segment_override_reason="Board decision")
    )
    assert account.effective_segment.code == "named"


# --- accounts.Opportunity, Initiative, StageAdoption ----------------------------------


def test_second_open_opportunity_of_a_kind_is_rejected():
    first = OpportunityFactory(kind="tier_upgrade", status="open")
    with violates("one_open_opportunity_per_kind", UNIQUE_ON_SQLITE):
        OpportunityFactory(account=first.account, kind="tier_upgrade", status="open")


def test_open_and_closed_opportunities_of_a_kind_coexist():
    account = AccountFactory()
    OpportunityFactory(account=account, kind="tier_upgrade", status="open")
    OpportunityFactory(account=account, kind="tier_upgrade", status="won")
    OpportunityFactory(account=account, kind="tier_upgrade", status="lost")
    OpportunityFactory(account=account, kind="growth", status="open")
    assert account.opportunities.count() == 4


def test_initiative_hours_must_not_be_negative():
    with violates("initiative_hours_non_negative"):
        InitiativeFactory(tam_hours_per_week=Decimal("-0.01"))


def test_initiative_zero_hours_accepted():
    assert _stored(InitiativeFactory(tam_hours_per_week=Decimal(0))).tam_hours_per_week == 0


def test_initiative_cannot_end_before_it_starts():
    starts_on = datetime.date(2026, 11, 1)
    with violates("initiative_ends_after_start"):
        InitiativeFactory(starts_on=starts_on, ends_on=starts_on - datetime.timedelta(days=1))


def test_initiative_may_end_the_day_it_starts():
    starts_on = datetime.date(2026, 11, 1)
    assert _stored(InitiativeFactory(starts_on=starts_on, ends_on=starts_on)).ends_on == starts_on


def test_one_adoption_per_stage():
    adoption = StageAdoptionFactory(stage=stage("Create"))
    with violates("one_adoption_per_stage", UNIQUE_ON_SQLITE):
        StageAdoptionFactory(account=adoption.account, stage=stage("Create"))
    StageAdoptionFactory(account=adoption.account, stage=stage("Verify"))
    assert adoption.account.stage_adoptions.count() == 2


@pytest.mark.parametrize("share", [Decimal("-0.0001"), Decimal("1.0001")])
def test_adoption_share_outside_0_1_rejected(share):
    with violates("adoption_share_0_1"):
        StageAdoptionFactory(users_share=share)


@pytest.mark.parametrize("share", [Decimal(0), Decimal(1)])
def test_adoption_share_boundary_accepted(share):
    assert _stored(StageAdoptionFactory(users_share=share)).users_share == share


# --- accounts.Activity ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("feedback_score", 0, "activity_feedback_1_5"),
        ("feedback_score", 6, "activity_feedback_1_5"),
        ("nps", 11, "activity_nps_0_10"),
        ("csat", 0, "activity_csat_1_5"),
        ("csat", 6, "activity_csat_1_5"),
    ],
)
def test_activity_score_out_of_range_rejected(field, value, constraint):
    with violates(constraint):
        ActivityFactory(**{field: value})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("feedback_score", 1),
        ("feedback_score", 5),
        ("nps", 0),
        ("nps", 10),
        ("csat", 1),
        ("csat", 5),
    ],
)
def test_activity_score_boundary_accepted(field, value):
    assert getattr(_stored(ActivityFactory(**{field: value})), field) == value


def test_survey_response_needs_a_survey_kind():
    with violates("activity_survey_kind_named"):
        ActivityFactory(kind=ActivityKind.SURVEY_RESPONSE, survey_kind="")
    survey = _stored(ActivityFactory(kind=ActivityKind.SURVEY_RESPONSE, survey_kind="onboarding"))
    assert survey.survey_kind == "onboarding"


def test_webinar_attendance_needs_a_webinar():
    with violates("activity_attendance_has_webinar"):
        ActivityFactory(kind=ActivityKind.WEBINAR_ATTENDANCE, webinar=None)
    webinar = WebinarFactory()
    attendance = _stored(ActivityFactory(kind=ActivityKind.WEBINAR_ATTENDANCE, webinar=webinar))
    assert attendance.webinar == webinar


# --- accounts.ArrSnapshot -------------------------------------------------------------


def test_one_arr_snapshot_per_account_per_quarter():
    snapshot = ArrSnapshotFactory(fiscal_quarter="FY27-Q4")
    with violates("one_arr_snapshot_per_quarter", UNIQUE_ON_SQLITE):
        ArrSnapshotFactory(account=snapshot.account, fiscal_quarter="FY27-Q4")
    ArrSnapshotFactory(account=snapshot.account, fiscal_quarter="FY28-Q1")
    assert snapshot.account.arr_snapshots.count() == 2


@pytest.mark.parametrize("label", ["2027Q4", "FY27-Q5", "FY27-Q0", "FY27Q4", "fy27-q4"])
def test_arr_snapshot_quarter_label_format_enforced(label):
    with violates("snapshot_quarter_label"):
        ArrSnapshotFactory(fiscal_quarter=label)


def test_arr_snapshot_quarter_label_accepted():
    assert _stored(ArrSnapshotFactory(fiscal_quarter="FY27-Q4")).fiscal_quarter == "FY27-Q4"


# --- prioritization -------------------------------------------------------------------


def test_one_priority_assessment_per_account_per_quarter():
    assessment = PriorityAssessmentFactory(fiscal_quarter="FY27-Q4")
    with violates("one_assessment_per_quarter", UNIQUE_ON_SQLITE):
        PriorityAssessmentFactory(account=assessment.account, fiscal_quarter="FY27-Q4")
    PriorityAssessmentFactory(account=assessment.account, fiscal_quarter="FY28-Q1")
    assert assessment.account.assessments.count() == 2


@pytest.mark.parametrize("field", ["computed_priority", "effective_priority"])
@pytest.mark.parametrize("priority", [0, 5])
def test_assessment_priority_outside_1_4_rejected(field, priority):
    with violates("assessment_priority_1_4"):
        PriorityAssessmentFactory(**{field: priority})


@pytest.mark.parametrize("priority", [1, 4])
def test_assessment_priority_boundary_accepted(priority):
    assessment = _stored(
        PriorityAssessmentFactory(computed_priority=priority, effective_priority=priority)
    )
    assert (assessment.computed_priority, assessment.effective_priority) == (priority, priority)


@pytest.mark.parametrize("priority", [0, 3, 4])
def test_exception_may_only_request_pr1_or_pr2(priority):
    with violates("exception_pr1_or_pr2"):
        PriorityExceptionFactory(requested_priority=priority)


@pytest.mark.parametrize("priority", [1, 2])
def test_exception_for_pr1_or_pr2_accepted(priority):
    assert _stored(PriorityExceptionFactory(requested_priority=priority)).requested_priority == (
        priority
    )


def test_exception_requires_a_justification():
    with violates("exception_justified"):
        PriorityExceptionFactory(justification="")


def test_one_review_per_account_per_quarter():
    review = PriorityReviewFactory(fiscal_quarter="FY27-Q4")
    with violates("one_review_per_quarter", UNIQUE_ON_SQLITE):
        PriorityReviewFactory(account=review.account, fiscal_quarter="FY27-Q4")
    PriorityReviewFactory(account=review.account, fiscal_quarter="FY28-Q1")
    assert review.account.priority_reviews.count() == 2


def test_approved_review_needs_a_decided_priority():
    with violates("review_approved_has_priority"):
        PriorityReviewFactory(status="approved", decided_priority=None)


def test_approved_review_with_decided_priority_and_pending_review_accepted():
    approved = _stored(PriorityReviewFactory(status="approved", decided_priority=1))
    pending = _stored(PriorityReviewFactory(status="pending", decided_priority=None))
    assert (approved.decided_priority, pending.decided_priority) == (1, None)


def _seeded_parameters():
    return RuleSetParameters.objects.get(region__code="emea-enterprise")


def test_rule_parameters_target_band_must_sit_within_the_cap():
    parameters = _seeded_parameters()
    parameters.pr1_cap_per_tam = 8
    parameters.pr1_target_min_per_tam = 9
    with violates("rules_target_band_within_cap"):
        parameters.save(update_fields=["pr1_cap_per_tam", "pr1_target_min_per_tam"])


def test_rule_parameters_target_band_may_equal_the_cap():
    parameters = _seeded_parameters()
    parameters.pr1_cap_per_tam = 8
    parameters.pr1_target_min_per_tam = 8
    parameters.save(update_fields=["pr1_cap_per_tam", "pr1_target_min_per_tam"])
    assert _stored(parameters).pr1_target_min_per_tam == 8


# --- metrics --------------------------------------------------------------------------


def test_one_metric_result_per_metric_scope_and_quarter():
    MetricResultFactory(scope_type="team", scope="Team A", fiscal_quarter="FY27-Q4")
    with violates("one_result_per_metric_scope_quarter", UNIQUE_ON_SQLITE):
        MetricResultFactory(scope_type="team", scope="Team A", fiscal_quarter="FY27-Q4")
    # Any one of the key's parts differing makes another row.
    MetricResultFactory(scope_type="team", scope="Team A", fiscal_quarter="FY28-Q1")
    MetricResultFactory(scope_type="team", scope="Team B", fiscal_quarter="FY27-Q4")
    MetricResultFactory(scope_type="region", scope="Team A", fiscal_quarter="FY27-Q4")


# --- rhythm ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["hours_per_week", "hours_per_month", "hours_per_quarter", "hours_per_year"]
)
def test_rhythm_hours_must_not_be_negative(field):
    with violates("rhythm_hours_non_negative"):
        RhythmTaskFactory(**{field: Decimal("-0.01")})


def test_rhythm_week_has_at_most_168_hours():
    with violates("rhythm_week_has_168_hours"):
        RhythmTaskFactory(hours_per_week=Decimal("168.01"))


@pytest.mark.parametrize("hours", [Decimal(0), Decimal(168)])
def test_rhythm_weekly_hours_boundary_accepted(hours):
    assert _stored(RhythmTaskFactory(hours_per_week=hours)).hours_per_week == hours


@pytest.mark.parametrize("hours", [Decimal(0), Decimal("0.99"), Decimal("80.01")])
def test_capacity_outside_1_80_hours_rejected(hours):
    with violates("capacity_hours_1_80"):
        CapacityProfileFactory(weekly_capacity_hours=hours)


@pytest.mark.parametrize("hours", [Decimal(1), Decimal(80)])
def test_capacity_boundary_accepted(hours):
    assert _stored(CapacityProfileFactory(weekly_capacity_hours=hours)).weekly_capacity_hours == (
        hours
    )


# --- people ---------------------------------------------------------------------------


def test_user_email_unique_ignoring_case():
    UserFactory(email="Foo@x.com")
    with violates("user_email_unique_ci"):
        UserFactory(email="foo@x.com")


def test_several_users_without_email_allowed():
    UserFactory(email="")
    UserFactory(email="")
    assert User.objects.filter(email="").count() == 2


# --- seeds (data migrations) ----------------------------------------------------------


def test_regions_seeded_with_their_rule_sets():
    regions = {r.code: (r.rule_set, r.digital_tam_trial) for r in Region.objects.all()}
    assert regions == {
        "us-enterprise": ("us_enterprise", False),
        "emea-enterprise": ("emea_enterprise", False),
        # APAC uses the US flowchart by Decision (DESIGN section 2).
        "apac-enterprise": ("us_enterprise", False),
        "public-sector": ("us_enterprise", True),
        "commercial-noram": ("commercial", False),
        "commercial-latam": ("commercial", False),
        "commercial-emea": ("commercial", False),
    }


def test_segments_seeded_in_order_with_thresholds():
    rows = list(
        Segment.objects.order_by("position").values_list(
            "code", "min_arr", "min_arr_inclusive", "lam_min_arr", "high_lam_usd", "tam_assigned"
        )
    )
    assert rows == [
        ("strategic", Decimal(500_000), True, None, None, True),
        ("named", Decimal(100_000), True, None, None, True),
        # Mid-Touch: ARR above 50,000 (strictly), or above 5,000 with high LAM.
        ("mid-touch", Decimal(50_000), False, Decimal(5_000), Decimal(100_000), True),
        ("onboarding", Decimal(20_000), True, None, None, False),
        ("digital", Decimal(5_000), True, None, None, False),
    ]


def test_every_region_has_default_rule_parameters():
    assert RuleSetParameters.objects.count() == Region.objects.count() == 7
    weights = [
        "weight_org_change",
        "weight_onboarding",
        "weight_infra_change",
        "weight_weekly_engagement",
        "weight_lam_gap",
        "weight_expansion_play",
        "weight_tam_handover",
    ]
    for region in Region.objects.select_related("rule_parameters"):
        parameters = region.rule_parameters
        assert parameters.uptier_window_months == 6, region.code
        assert parameters.stage_adoption_min_hours == 2, region.code
        assert parameters.infra_change_min_hours == 2, region.code
        assert parameters.top_arr_rank == 30, region.code
        assert parameters.low_stage_adoption_min_arr == 75_000, region.code
        assert parameters.min_stages_adopted == 3, region.code
        assert parameters.commercial_uptier_window_months == 9, region.code
        assert parameters.pr1_cap_per_tam == 8, region.code
        assert [getattr(parameters, weight) for weight in weights] == [1] * len(weights)


def test_rhythm_table_seeded_for_every_tam_assigned_segment():
    tam_assigned = set(Segment.objects.filter(tam_assigned=True).values_list("code", flat=True))
    assert tam_assigned == {"strategic", "named", "mid-touch"}
    assert set(RhythmTask.objects.values_list("segment__code", flat=True)) == tam_assigned
    for code in tam_assigned:
        tasks = RhythmTask.objects.filter(segment__code=code)
        assert tasks.count() == 13, code
        assert sum(task.hours_per_week for task in tasks) == Decimal("31.25"), code
        assert CapacityProfile.objects.get(segment__code=code).weekly_capacity_hours == Decimal(
            "31.25"
        )


def test_metric_definitions_seeded():
    assert MetricDefinition.objects.count() == 27
