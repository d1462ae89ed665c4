"""Factories for every model the tests build; one place, so a model change is one edit."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import (
    Account,
    Activity,
    ActivityKind,
    Initiative,
    Opportunity,
    Region,
    Stage,
    StageAdoption,
)
from people.models import Role, Team, User
from prioritization.models import PriorityException


def region(code="us-enterprise"):
    """Regions are seeded by a data migration; tests use those rows."""
    return Region.objects.get(code=code)


def stage(name="Create"):
    return Stage.objects.get(name=name)


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    region = factory.LazyFunction(region)
    manager = factory.SubFactory("tests.factories.UserFactory", role=Role.MANAGER, team=None)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    role = Role.TAM
    team = None
    password = factory.django.Password("test-password-123")


class TamFactory(UserFactory):
    role = Role.TAM
    team = factory.SubFactory(TeamFactory)


class ManagerFactory(UserFactory):
    role = Role.MANAGER


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True
    is_superuser = True


class AccountFactory(DjangoModelFactory):
    class Meta:
        model = Account

    external_id = factory.Sequence(lambda n: f"ACC-{n:06d}")
    name = factory.Sequence(lambda n: f"Customer {n}")
    region = factory.LazyFunction(region)
    tam = factory.SubFactory(TamFactory)
    arr = Decimal("120000.00")
    customer_since = datetime.date(2024, 3, 1)
    onboarded_on = datetime.date(2024, 4, 10)


class OpportunityFactory(DjangoModelFactory):
    class Meta:
        model = Opportunity

    account = factory.SubFactory(AccountFactory)
    kind = "tier_upgrade"
    close_date = datetime.date(2026, 12, 31)


class InitiativeFactory(DjangoModelFactory):
    class Meta:
        model = Initiative

    account = factory.SubFactory(AccountFactory)
    kind = "stage_adoption"
    tam_hours_per_week = Decimal("3")
    starts_on = datetime.date(2026, 11, 1)


class StageAdoptionFactory(DjangoModelFactory):
    class Meta:
        model = StageAdoption

    account = factory.SubFactory(AccountFactory)
    stage = factory.LazyFunction(stage)
    enabled_on = datetime.date(2026, 1, 15)


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    account = factory.SubFactory(AccountFactory)
    kind = ActivityKind.CADENCE_CALL
    occurred_on = datetime.date(2026, 11, 2)


class PriorityExceptionFactory(DjangoModelFactory):
    class Meta:
        model = PriorityException

    account = factory.SubFactory(AccountFactory)
    requested_priority = 1
    justification = "Strategic customer with no LAM (page 004 example)."
    requested_by = factory.LazyAttribute(lambda e: e.account.tam)
    expires_on = datetime.date(2027, 1, 31)


# Models named by label so these factories need no new imports (tests/test_admin.py).


def metric_definition(key):
    """Metric definitions are seeded by a data migration; tests use those rows."""
    from metrics.models import MetricDefinition

    return MetricDefinition.objects.get(key=key)


class SuccessPlanObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = "accounts.SuccessPlanObjective"

    account = factory.SubFactory(AccountFactory)
    title = factory.Sequence(lambda n: f"Objective {n}")
    due_on = datetime.date(2026, 12, 15)


class WebinarFactory(DjangoModelFactory):
    class Meta:
        model = "accounts.Webinar"

    title = factory.Sequence(lambda n: f"Onboarding webinar {n}")
    held_on = datetime.date(2026, 11, 5)
    onboarding = True


class ArrSnapshotFactory(DjangoModelFactory):
    class Meta:
        model = "accounts.ArrSnapshot"

    account = factory.SubFactory(AccountFactory)
    fiscal_quarter = "FY27-Q4"
    arr = Decimal("120000.00")


class PriorityAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = "prioritization.PriorityAssessment"

    account = factory.SubFactory(AccountFactory)
    fiscal_quarter = "FY27-Q4"
    computed_priority = 2
    reasons = "default"
    effective_priority = 2


class PriorityReviewFactory(DjangoModelFactory):
    class Meta:
        model = "prioritization.PriorityReview"

    account = factory.SubFactory(AccountFactory)
    fiscal_quarter = "FY27-Q4"
    suggested_priority = 2
    proposed_priority = 1
    justification = "Organisational change and a TAM handover this quarter."
    proposed_by = factory.LazyAttribute(lambda r: r.account.tam)


class MetricResultFactory(DjangoModelFactory):
    class Meta:
        model = "metrics.MetricResult"

    metric = factory.LazyFunction(lambda: metric_definition("ebr_coverage"))
    scope_type = "company"
    scope = "all"
    fiscal_quarter = "FY27-Q4"
    numerator = Decimal(3)
    denominator = Decimal(4)
    value = Decimal("0.75")
    target = Decimal("0.75")
    attained = True


def segment(code="onboarding"):
    """Segments are seeded by a data migration; tests use those rows."""
    from segments.models import Segment

    return Segment.objects.get(code=code)


class RhythmTaskFactory(DjangoModelFactory):
    class Meta:
        model = "rhythm.RhythmTask"

    # Onboarding has no seeded rhythm rows, so new task names never collide with the seed.
    segment = factory.LazyFunction(segment)
    task = factory.Sequence(lambda n: f"Task {n}")
    hours_per_week = Decimal(1)


class CapacityProfileFactory(DjangoModelFactory):
    class Meta:
        model = "rhythm.CapacityProfile"

    # One profile per segment; the seed gives the TAM-assigned segments theirs.
    segment = factory.LazyFunction(segment)
    weekly_capacity_hours = Decimal("31.25")


class EngagementFactory(DjangoModelFactory):
    class Meta:
        model = "accounts.Engagement"

    account = factory.SubFactory(AccountFactory)
    kind = "new"
    tam = factory.LazyAttribute(lambda e: e.account.tam)
    started_on = datetime.date(2026, 3, 2)
    collaboration_project_url = factory.Sequence(
        lambda n: f"https://gitlab.com/gitlab-com/account-management/customer-{n}"
    )
    template = "enterprise"


class DisengagementFactory(DjangoModelFactory):
    class Meta:
        model = "accounts.Disengagement"

    account = factory.SubFactory(AccountFactory)
    tam = factory.LazyAttribute(lambda d: d.account.tam)
    disengaged_on = datetime.date(2026, 10, 15)
    reason = "downgrade"
    explanation = "ARR fell below the TAM alignment threshold after the renewal."
