"""The engagement lifecycle: start, disengage, and who should be disengaged (page 004)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.engagement import disengagement_record, engagement_start
from accounts.models import Account, Activity, Disengagement, Engagement
from prioritization.disengagement import disengagement_candidates
from prioritization.models import PriorityAssessment
from segments.models import Segment
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    DisengagementFactory,
    EngagementFactory,
    ManagerFactory,
    OpportunityFactory,
    PriorityAssessmentFactory,
    region,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)
PROJECT = "https://gitlab.com/gitlab-com/account-management/northwind"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9), tick=False):
        yield


def seg(code):
    return Segment.objects.get(code=code)


def start(account, tam, by, **overrides):
    arguments = {
        "account": account,
        "kind": "new",
        "tam": tam,
        "started_on": datetime.date(2026, 11, 2),
        "collaboration_project_url": PROJECT,
        "template": "enterprise",
        "welcome_call_on": datetime.date(2026, 11, 5),
        "created_by": by,
    } | overrides
    return engagement_start(**arguments)


def disengage(account, by, **overrides):
    arguments = {
        "account": account,
        "recorded_by": by,
        "disengaged_on": datetime.date(2026, 11, 20),
        "reason": "downgrade",
        "explanation": "Renewed at $18k: below the TAM alignment threshold.",
    } | overrides
    return disengagement_record(**arguments)


ALL_CHECKED = {
    "call_held_face_to_face_with_sal_ae": True,
    "reason_explained": True,
    "assistance_options_reviewed": True,
    "follow_up_sent": True,
}


# --- starting an engagement ---------------------------------------------------------------


def test_new_engagement_aligns_the_tam_with_the_account(
    tam, manager, django_capture_on_commit_callbacks
):
    account = AccountFactory(tam=None, segment=seg("named"))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        engagement = start(account, tam, manager, notes="  Welcome call set up by the SAL. ")

    engagement.refresh_from_db()
    assert engagement.kind == "new"
    assert engagement.tam == tam
    assert engagement.template == "enterprise"
    assert engagement.collaboration_project_url == PROJECT
    assert engagement.has_collaboration_project
    assert engagement.welcome_call_on == datetime.date(2026, 11, 5)
    assert engagement.notes == "Welcome call set up by the SAL."
    assert engagement.created_by == manager
    # Page 004 step 2: the TAM becomes the account's TAM.
    account.refresh_from_db()
    assert account.tam == tam
    # The TAM's book changed: the account is recomputed once the start is committed.
    assert len(callbacks) == 1
    assert account.priority is not None


def test_upgrade_engagement_of_a_commercial_account_may_have_no_project_yet(tam):
    account = AccountFactory(tam=tam, region=region("commercial-noram"), segment=seg("digital"))

    engagement = start(
        account,
        tam,
        tam,
        kind="upgrade",
        template="commercial",
        collaboration_project_url="",
        welcome_call_on=None,
    )

    assert engagement.kind == "upgrade"
    assert engagement.template == "commercial"
    # Allowed (the Commercial TAM creates one where it helps) but flagged.
    assert not engagement.has_collaboration_project


def test_tam_may_engage_themself_with_an_account_without_tam(tam):
    account = AccountFactory(tam=None)

    start(account, tam, tam)

    account.refresh_from_db()
    assert account.tam == tam


def test_tam_may_not_take_another_tams_account_or_engage_someone_else(tam, other_tam):
    theirs = AccountFactory(tam=other_tam)
    free = AccountFactory(tam=None)

    with pytest.raises(PermissionDenied):
        start(theirs, tam, tam)
    with pytest.raises(PermissionDenied):
        start(free, other_tam, tam)
    # Another team's manager does not decide for this team either.
    with pytest.raises(PermissionDenied):
        start(free, tam, ManagerFactory())
    assert not Engagement.objects.exists()


def test_admin_may_engage_any_tam(admin_user, tam, other_tam):
    account = AccountFactory(tam=other_tam)

    start(account, tam, admin_user)

    account.refresh_from_db()
    assert account.tam == tam


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"template": "commercial"}, "template"),
        ({"collaboration_project_url": "http://gitlab.com/customer"}, "collaboration_project_url"),
        ({"collaboration_project_url": "not a link"}, "collaboration_project_url"),
        ({"collaboration_project_url": ""}, "collaboration_project_url"),
        ({"welcome_call_on": datetime.date(2026, 11, 1)}, "welcome_call_on"),
        (
            {"started_on": datetime.date(2026, 11, 25), "welcome_call_on": None},
            "started_on",
        ),
        ({"kind": "renewal"}, "kind"),
        ({"template": "startup"}, "template"),
    ],
    ids=[
        "enterprise-region-commercial-template",
        "http-link",
        "not-a-link",
        "enterprise-without-project",
        "welcome-call-before-start",
        "future-start",
        "unknown-kind",
        "unknown-template",
    ],
)
def test_engagement_start_rejects(tam, manager, overrides, field):
    account = AccountFactory(tam=None)

    with pytest.raises(ValidationError) as raised:
        start(account, tam, manager, **overrides)

    assert field in raised.value.message_dict
    assert not Engagement.objects.exists()
    account.refresh_from_db()
    assert account.tam is None


def test_commercial_region_needs_the_commercial_template(tam):
    account = AccountFactory(tam=tam, region=region("commercial-emea"))

    with pytest.raises(ValidationError) as raised:
        start(account, tam, tam, template="enterprise")

    assert raised.value.message_dict["template"] == [
        "Commercial EMEA accounts use the Commercial template."
    ]


def test_only_a_tam_is_engaged(manager):
    account = AccountFactory(tam=None)

    with pytest.raises(ValidationError) as raised:
        start(account, manager, manager)

    assert raised.value.message_dict["tam"] == ["Engage an active TAM."]


def test_an_engaged_account_is_not_engaged_again(tam, manager):
    account = AccountFactory(tam=tam)
    start(account, tam, tam, started_on=datetime.date(2026, 6, 1), welcome_call_on=None)

    with pytest.raises(ValidationError) as raised:
        start(account, tam, manager, kind="upgrade")

    assert "account" in raised.value.message_dict
    assert Engagement.objects.count() == 1


def test_database_keeps_one_engagement_start_per_day_and_an_https_link(account):
    EngagementFactory(account=account, started_on=datetime.date(2026, 6, 1))

    with pytest.raises(IntegrityError), transaction.atomic():
        EngagementFactory(account=account, started_on=datetime.date(2026, 6, 1))
    with pytest.raises(IntegrityError, match="engagement_project_url_https"), transaction.atomic():
        EngagementFactory(account=account, collaboration_project_url="http://example.com/x")
    with (
        pytest.raises(IntegrityError, match="engagement_welcome_call_after_start"),
        transaction.atomic(),
    ):
        EngagementFactory(
            account=account,
            started_on=datetime.date(2026, 7, 1),
            welcome_call_on=datetime.date(2026, 6, 30),
        )


# --- disengaging -----------------------------------------------------------------------------


def test_disengagement_keeps_the_checklist_and_the_account_as_it_was(tam):
    account = AccountFactory(tam=tam, arr=Decimal("18000"), segment=seg("digital"))
    engagement = EngagementFactory(account=account, started_on=datetime.date(2025, 3, 3))

    disengagement = disengage(account, tam, **ALL_CHECKED)

    disengagement.refresh_from_db()
    assert disengagement.engagement == engagement
    assert disengagement.tam == tam
    assert disengagement.recorded_by == tam
    assert disengagement.reason == "downgrade"
    assert disengagement.segment_at_disengagement == "digital"
    assert disengagement.arr_at_disengagement == Decimal("18000")
    assert disengagement.complete
    assert not disengagement.tam_released
    account.refresh_from_db()
    assert account.tam == tam  # kept unless a manager releases it


def test_an_incomplete_checklist_is_recorded_as_incomplete(tam):
    account = AccountFactory(tam=tam, segment=seg("onboarding"))

    disengagement = disengage(account, tam, reason_explained=True, follow_up_sent=True)

    assert disengagement.reason_explained
    assert disengagement.follow_up_sent
    assert not disengagement.call_held_face_to_face_with_sal_ae
    assert not disengagement.complete
    # An account whose TAM predates recorded engagements ends no engagement.
    assert disengagement.engagement is None


def test_manager_may_release_the_tam(tam, manager):
    account = AccountFactory(tam=tam, segment=seg("digital"))

    disengagement = disengage(account, manager, reason="churn", release_tam=True)

    assert disengagement.tam_released
    assert disengagement.tam == tam
    account.refresh_from_db()
    assert account.tam is None


def test_tam_may_not_release_themself_nor_disengage_another_book(tam, other_tam):
    account = AccountFactory(tam=tam, segment=seg("digital"))

    with pytest.raises(PermissionDenied):
        disengage(account, tam, release_tam=True)
    with pytest.raises(PermissionDenied):
        disengage(account, other_tam)
    assert not Disengagement.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"explanation": "  "}, "explanation"),
        ({"disengaged_on": datetime.date(2026, 11, 25)}, "disengaged_on"),
        ({"disengaged_on": datetime.date(2026, 2, 27)}, "disengaged_on"),
        ({"reason": "bored"}, "reason"),
    ],
    ids=["no-explanation", "future", "before-the-engagement-started", "unknown-reason"],
)
def test_disengagement_rejects(tam, overrides, field):
    account = AccountFactory(tam=tam)
    EngagementFactory(account=account, started_on=datetime.date(2026, 3, 2))

    with pytest.raises(ValidationError) as raised:
        disengage(account, tam, **overrides)

    assert field in raised.value.message_dict
    assert not Disengagement.objects.exists()


def test_an_account_is_disengaged_once(tam, manager):
    account = AccountFactory(tam=tam, segment=seg("digital"))
    disengage(account, tam)

    with pytest.raises(ValidationError) as raised:
        disengage(account, manager, disengaged_on=TODAY)

    assert raised.value.message_dict["account"] == [
        "Already disengaged on 2026-11-20 and not engaged since."
    ]


def test_an_account_without_tam_has_nobody_to_disengage(admin_user):
    account = AccountFactory(tam=None)

    with pytest.raises(ValidationError) as raised:
        disengage(account, admin_user)

    assert "account" in raised.value.message_dict


def test_history_stays_over_two_engagements(tam, manager):
    """Engaged, disengaged after a downgrade, engaged again for an upgrade: all kept."""
    account = AccountFactory(tam=None, segment=seg("named"))
    ActivityFactory(account=account, occurred_on=datetime.date(2025, 5, 1))
    PriorityAssessmentFactory(account=account, fiscal_quarter="FY26-Q2")
    first = start(
        account,
        tam,
        manager,
        started_on=datetime.date(2025, 3, 3),
        welcome_call_on=datetime.date(2025, 3, 10),
    )
    ended = disengage(
        account, manager, disengaged_on=datetime.date(2025, 9, 1), release_tam=True, **ALL_CHECKED
    )

    # Not before the disengagement.
    with pytest.raises(ValidationError):
        start(account, tam, manager, started_on=datetime.date(2025, 8, 1), welcome_call_on=None)
    second = start(account, tam, manager, kind="upgrade")

    assert Account.objects.filter(pk=account.pk).exists()
    assert list(account.engagements.all()) == [second, first]
    assert list(account.disengagements.all()) == [ended]
    assert ended.engagement == first
    assert Activity.objects.filter(account=account).count() == 1
    assert PriorityAssessment.objects.filter(account=account).count() == 1
    account.refresh_from_db()
    assert account.tam == tam
    # The second engagement is open: it is the one a disengagement would end now.
    assert disengage(account, tam).engagement == second


# --- candidates ------------------------------------------------------------------------------


def candidates(queryset=None):
    return {
        account.name: account.suggested_reason for account in disengagement_candidates(queryset)
    }


def engaged(name, segment, *, tam, **fields):
    """An account a TAM was engaged with, now in `segment`."""
    account = AccountFactory(
        name=name, tam=tam, segment=seg(segment) if segment else None, **fields
    )
    EngagementFactory(account=account, started_on=datetime.date(2025, 3, 3))
    return account


def test_an_account_that_fell_below_the_tam_assigned_segments_is_a_candidate(tam):
    engaged("fell to onboarding", "onboarding", tam=tam)
    engaged("fell to digital", "digital", tam=tam)
    engaged("fell below every segment", None, tam=tam, arr=Decimal("3000"))
    engaged("churned", None, tam=tam, arr=Decimal("0"))
    engaged("still named", "named", tam=tam)

    assert candidates() == {
        "fell to onboarding": "downgrade",
        "fell to digital": "downgrade",
        "fell below every segment": "downgrade",
        "churned": "churn",
    }


def test_assessment_history_shows_a_tam_aligned_account_engaged_before_the_portal(tam):
    was_named = AccountFactory(name="was named", tam=tam, segment=seg("digital"))
    PriorityAssessmentFactory(account=was_named, fiscal_quarter="FY26-Q4", computed_priority=2)
    was_pr1 = AccountFactory(name="was pr1", tam=tam, segment=seg("onboarding"))
    PriorityAssessmentFactory(
        account=was_pr1, fiscal_quarter="FY26-Q4", computed_priority=1, reasons="churn_risk"
    )
    # A TAM's book holds Digital-Only and Onboarding customers by design: only ever Pr4,
    # or Pr1 for the onboarding program, they were never TAM-assigned.
    always_digital = AccountFactory(name="always digital", tam=tam, segment=seg("digital"))
    PriorityAssessmentFactory(
        account=always_digital, computed_priority=4, effective_priority=4, reasons="digital"
    )
    onboarded = AccountFactory(name="onboarding program done", tam=tam, segment=seg("onboarding"))
    PriorityAssessmentFactory(
        account=onboarded, fiscal_quarter="FY27-Q3", computed_priority=1, reasons="onboarding"
    )
    AccountFactory(name="no history", tam=tam, segment=seg("digital"))

    assert candidates() == {"was named": "downgrade", "was pr1": "downgrade"}


def test_disengaged_and_reengaged_accounts(tam, manager):
    disengaged = engaged("disengaged", "digital", tam=tam)
    disengage(disengaged, tam)
    back_named = engaged("re-engaged, now named", "digital", tam=tam)
    disengage(back_named, tam, disengaged_on=datetime.date(2025, 9, 1))
    start(back_named, tam, manager, kind="upgrade")
    back_named.segment = seg("named")
    back_named.save(update_fields=["segment"])
    fell_again = engaged("re-engaged, fell again", "digital", tam=tam)
    disengage(fell_again, tam, disengaged_on=datetime.date(2025, 9, 1))
    EngagementFactory(account=fell_again, kind="new", started_on=datetime.date(2026, 2, 2))
    # Disengaged before engagements were recorded (no engagement to end), TAM kept.
    legacy = AccountFactory(name="legacy disengaged", tam=tam, segment=seg("digital"))
    PriorityAssessmentFactory(account=legacy, fiscal_quarter="FY26-Q4")
    DisengagementFactory(account=legacy)

    assert candidates() == {"re-engaged, fell again": "downgrade"}


def test_unsuccessful_upgrade_becomes_a_candidate_once_the_opportunity_is_lost(tam):
    account = AccountFactory(name="upgrade", tam=tam, segment=seg("digital"))
    EngagementFactory(account=account, kind="upgrade", started_on=datetime.date(2026, 5, 4))
    opportunity = OpportunityFactory(account=account, close_date=datetime.date(2026, 10, 30))

    # Still pursued: the strategic purpose of the engagement (page 004).
    assert candidates() == {}

    opportunity.status = "lost"
    opportunity.save(update_fields=["status"])

    assert candidates() == {"upgrade": "unsuccessful_upgrade"}


def test_what_still_justifies_the_tam_keeps_an_account_off_the_list(tam):
    engaged("onboarding in progress", "onboarding", tam=tam, onboarded_on=None)
    engaged("open up-tier", "digital", tam=tam)
    OpportunityFactory(account=Account.objects.get(name="open up-tier"))
    parent = AccountFactory(name="named parent", tam=tam, segment=seg("named"))
    engaged("child of a named parent", "digital", tam=tam, parent=parent)
    tam_cleared = engaged("no TAM", "digital", tam=tam)
    Account.objects.filter(pk=tam_cleared.pk).update(tam=None)
    # The effective segment counts: an override wins over the computed one.
    engaged(
        "pinned to named",
        "digital",
        tam=tam,
        segment_override=seg("named"),
        segment_override_reason="Key logo.",
    )
    engaged(
        "pinned to digital",
        "named",
        tam=tam,
        segment_override=seg("digital"),
        segment_override_reason="A reseller owns the relationship.",
    )

    assert candidates() == {"pinned to digital": "downgrade"}


def test_candidates_are_scoped_by_the_queryset_given(tam, other_tam, manager):
    engaged("mine", "digital", tam=tam)
    engaged("theirs", "digital", tam=other_tam)

    assert candidates(Account.objects.visible_to(tam)) == {"mine": "downgrade"}
    assert candidates(Account.objects.visible_to(manager)) == {"mine": "downgrade"}
    assert candidates(Account.objects.visible_to(other_tam)) == {"theirs": "downgrade"}


def test_candidates_take_one_query_whatever_the_number_of_accounts(tam, django_assert_num_queries):
    def grow(count):
        for _ in range(count):
            account = engaged(f"fell {Account.objects.count()}", "digital", tam=tam)
            DisengagementFactory(account=account, engagement=account.engagements.get())
            engaged(f"fell {Account.objects.count()}", "digital", tam=tam)
            OpportunityFactory(
                account=engaged(f"upgrade {Account.objects.count()}", "digital", tam=tam),
                status="lost",
            )
            PriorityAssessmentFactory(account=engaged("named", "named", tam=tam))

    grow(1)
    with django_assert_num_queries(1):  # the accounts, every condition in the one query
        few = list(disengagement_candidates(Account.objects.visible_to(tam)))
    grow(4)
    with django_assert_num_queries(1):
        more = list(disengagement_candidates(Account.objects.visible_to(tam)))

    assert (len(few), len(more)) == (2, 10)


# --- admin -----------------------------------------------------------------------------------


def test_admin_adds_an_engagement_with_the_models_checks(client, admin_user, tam):
    client.force_login(admin_user)
    account = AccountFactory(tam=tam, region=region("commercial-latam"))
    url = reverse("admin:accounts_engagement_add")
    fields = {
        "account": account.pk,
        "kind": "new",
        "template": "commercial",
        "tam": tam.pk,
        "started_on": "2026-11-02",
        "collaboration_project_url": "gitlab.com/gitlab-com/account-management/acme",
    }

    wrong_template = client.post(url, fields | {"template": "enterprise"})
    added = client.post(url, fields)

    assert wrong_template.context["adminform"].form.errors == {
        "template": ["Commercial LATAM accounts use the Commercial template."]
    }
    assert added.status_code == 302
    engagement = Engagement.objects.get()
    assert engagement.created_by == admin_user
    # Typed without a scheme, the link is an https one.
    assert engagement.collaboration_project_url == (
        "https://gitlab.com/gitlab-com/account-management/acme"
    )
