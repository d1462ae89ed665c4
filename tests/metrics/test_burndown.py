"""Burn-down lists: each at and on both sides of its threshold, scoped to the viewer."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Account
from metrics.burndown import burn_down_lists
from metrics.models import BurnDownThresholds
from segments.models import Segment
from tests.factories import AccountFactory, ActivityFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


def _lists(tam):
    return {
        item.key: set(item.accounts.values_list("name", flat=True))
        for item in burn_down_lists(Account.objects.filter(tam=tam), TODAY)
    }


def _days_ago(days):
    return TODAY - datetime.timedelta(days=days)


def test_onboarding_clocks_overdue(tam):
    AccountFactory(
        tam=tam,
        name="15 days, not engaged",
        customer_since=_days_ago(15),
        first_engaged_on=None,
        first_value_on=None,
        onboarded_on=None,
    )
    AccountFactory(
        tam=tam,
        name="14 days, not engaged",
        customer_since=_days_ago(14),
        first_engaged_on=None,
        first_value_on=None,
        onboarded_on=None,
    )
    AccountFactory(tam=tam, name="46 days, engaged", customer_since=_days_ago(46),
                   first_engaged_on=_days_ago(40), first_value_on=_days_ago(20),
                   onboarded_on=None)  # fmt: skip

    lists = _lists(tam)

    assert lists["first_engage"] == {"15 days, not engaged"}
    assert lists["first_value"] == set()  # 15 days is not past 30
    assert lists["onboarding"] == {"46 days, engaged"}


def test_cadence_calls_by_priority(tam):
    called = AccountFactory(tam=tam, name="Pr1 called 30 days ago", priority=1)
    ActivityFactory(account=called, kind="cadence_call", occurred_on=_days_ago(30))
    late = AccountFactory(tam=tam, name="Pr1 called 31 days ago", priority=1)
    ActivityFactory(account=late, kind="cadence_call", occurred_on=_days_ago(31))
    AccountFactory(tam=tam, name="Pr1 never called", priority=1)
    pr2 = AccountFactory(tam=tam, name="Pr2 called 59 days ago", priority=2)
    ActivityFactory(account=pr2, kind="cadence_call", occurred_on=_days_ago(59))
    pr2_late = AccountFactory(tam=tam, name="Pr2 called 61 days ago", priority=2)
    ActivityFactory(account=pr2_late, kind="cadence_call", occurred_on=_days_ago(61))

    lists = _lists(tam)

    assert lists["pr1_cadence"] == {"Pr1 called 31 days ago", "Pr1 never called"}
    assert lists["pr2_cadence"] == {"Pr2 called 61 days ago"}


def test_pr1_ebrs_and_success_plans(tam):
    strategic = Segment.objects.get(code="strategic")
    named = Segment.objects.get(code="named")
    recent = AccountFactory(tam=tam, name="EBR 11 months ago", priority=1, segment=named,
                            success_plan="green")  # fmt: skip
    ActivityFactory(account=recent, kind="ebr", occurred_on=datetime.date(2025, 12, 24))
    old = AccountFactory(tam=tam, name="EBR 12 months ago", priority=1, segment=strategic,
                         success_plan="green")  # fmt: skip
    ActivityFactory(account=old, kind="ebr", occurred_on=datetime.date(2025, 11, 24))
    AccountFactory(tam=tam, name="Strategic qualified", priority=1, segment=strategic,
                   success_plan_management_qualified=True)  # fmt: skip

    lists = _lists(tam)

    assert lists["pr1_ebr"] == {"EBR 12 months ago", "Strategic qualified"}
    # Strategic needs management qualification, green is not enough; Named needs green.
    assert lists["pr1_success_plan"] == {"EBR 12 months ago"}


def test_low_utilisation_and_renewal_surveys(tam):
    AccountFactory(tam=tam, name="49 of 100 active", licensed_users=100, active_users=49)
    AccountFactory(tam=tam, name="50 of 100 active", licensed_users=100, active_users=50)
    AccountFactory(tam=tam, name="Renews in 110 days", renewal_date=TODAY + datetime.timedelta(110))
    AccountFactory(tam=tam, name="Renews in 111 days", renewal_date=TODAY + datetime.timedelta(111))
    surveyed = AccountFactory(tam=tam, name="Surveyed", renewal_date=TODAY + datetime.timedelta(50))
    ActivityFactory(account=surveyed, kind="survey_response", survey_kind="renewal",
                    occurred_on=TODAY - datetime.timedelta(days=5), csat=4)  # fmt: skip

    lists = _lists(tam)

    assert lists["low_utilisation"] == {"49 of 100 active"}
    assert lists["renewal_survey"] == {"Renews in 110 days"}


def test_lists_are_scoped_to_the_book(tam, other_tam):
    AccountFactory(tam=other_tam, name="Not mine", priority=1)

    assert all("Not mine" not in names for names in _lists(tam).values())


def test_thresholds_are_editable(tam):
    BurnDownThresholds.objects.update(low_utilisation_share=Decimal("0.6"))
    AccountFactory(tam=tam, name="55 of 100 active", licensed_users=100, active_users=55)

    assert _lists(tam)["low_utilisation"] == {"55 of 100 active"}
