"""Burn-down lists: each at and on both sides of its threshold, scoped to the viewer."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Account
from metrics.burndown import burn_down_lists
from metrics.models import BurnDownThresholds
from rhythm.models import RhythmSettings
from segments.models import Segment
from tests.factories import AccountFactory, ActivityFactory, region

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


def test_cadence_lists_follow_each_rule_sets_interval(tam):
    """Commercial Pr2 is called every 90 days, US and EMEA Pr2 every 60 (rhythm/cadence.py):
    a Commercial Pr2 called 70 days ago is not listed (the book says "Due in 20 days");
    called 91 days ago it is. Before the one rule, the dashboard used 60 days for all."""
    for name, code, days in (
        ("Commercial 70", "commercial-noram", 70),
        ("Commercial 91", "commercial-noram", 91),
        ("EMEA 61", "emea-enterprise", 61),
    ):
        account = AccountFactory(tam=tam, name=name, priority=2, region=region(code))
        ActivityFactory(account=account, kind="cadence_call", occurred_on=_days_ago(days))

    lists = burn_down_lists(Account.objects.filter(tam=tam), TODAY)

    by_key = {item.key: item for item in lists}
    assert set(by_key["pr2_cadence"].accounts.values_list("name", flat=True)) == {
        "Commercial 91",
        "EMEA 61",
    }
    assert by_key["pr1_cadence"].title == "Pr1 without a cadence call in 30 days"
    assert by_key["pr2_cadence"].title == "Pr2 without a cadence call in 60 days (Commercial 90)"


def test_entries_dated_in_the_future_do_not_count(tam):
    """A call or EBR booked for tomorrow has not been held: before the one rule, a
    future-dated call emptied the dashboard's list while the book still said overdue."""
    booked = AccountFactory(tam=tam, name="Call booked for tomorrow", priority=1)
    ActivityFactory(account=booked, kind="cadence_call", occurred_on=_days_ago(-1))
    late = AccountFactory(tam=tam, name="Late, next call booked", priority=1)
    ActivityFactory(account=late, kind="cadence_call", occurred_on=_days_ago(40))
    ActivityFactory(account=late, kind="cadence_call", occurred_on=_days_ago(-3))
    ActivityFactory(account=late, kind="ebr", occurred_on=_days_ago(-3))

    lists = _lists(tam)

    assert lists["pr1_cadence"] == {"Call booked for tomorrow", "Late, next call booked"}
    assert lists["pr1_ebr"] == {"Call booked for tomorrow", "Late, next call booked"}


def test_the_rhythm_setting_moves_the_cadence_lists_and_the_renewal_window(tam):
    """Pr1 every 45 days, Commercial Pr2 every 60, renewal window 60 days."""
    RhythmSettings.objects.update(
        pr1_cadence_days=45, commercial_pr2_cadence_days=60, renewal_window_days=60
    )
    pr1 = AccountFactory(tam=tam, name="Pr1 called 31 days ago", priority=1)
    ActivityFactory(account=pr1, kind="cadence_call", occurred_on=_days_ago(31))
    commercial = AccountFactory(
        tam=tam, name="Commercial Pr2 61", priority=2, region=region("commercial-noram")
    )
    ActivityFactory(account=commercial, kind="cadence_call", occurred_on=_days_ago(61))
    AccountFactory(tam=tam, name="Renews in 60 days", renewal_date=TODAY + datetime.timedelta(60))
    AccountFactory(tam=tam, name="Renews in 61 days", renewal_date=TODAY + datetime.timedelta(61))

    by_key = {item.key: item for item in burn_down_lists(Account.objects.filter(tam=tam), TODAY)}

    assert not by_key["pr1_cadence"].accounts.exists()
    assert [a.name for a in by_key["pr2_cadence"].accounts] == ["Commercial Pr2 61"]
    assert by_key["pr1_cadence"].title == "Pr1 without a cadence call in 45 days"
    assert by_key["pr2_cadence"].title == "Pr2 without a cadence call in 60 days"
    assert [a.name for a in by_key["renewal_survey"].accounts] == ["Renews in 60 days"]
    assert by_key["renewal_survey"].title == "Renewal survey due (60 days before renewal)"


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
    booked = AccountFactory(tam=tam, name="Survey dated tomorrow",
                            renewal_date=TODAY + datetime.timedelta(50))  # fmt: skip
    ActivityFactory(account=booked, kind="survey_response", survey_kind="renewal",
                    occurred_on=TODAY + datetime.timedelta(days=1), csat=4)  # fmt: skip

    lists = _lists(tam)

    assert lists["low_utilisation"] == {"49 of 100 active"}
    assert lists["renewal_survey"] == {"Renews in 110 days", "Survey dated tomorrow"}


def test_a_renewal_survey_counts_from_the_day_its_window_opened(tam):
    # Renewal in 50 days, window 110 days: it opened 60 days ago (DESIGN pages 002/003).
    renewal = TODAY + datetime.timedelta(50)
    for name, answered_days_ago in (("On the opening day", 60), ("The day before", 61)):
        account = AccountFactory(tam=tam, name=name, renewal_date=renewal)
        ActivityFactory(account=account, kind="survey_response", survey_kind="renewal",
                        occurred_on=TODAY - datetime.timedelta(answered_days_ago),
                        csat=4)  # fmt: skip
    # Another kind of survey in the window does not answer the renewal's.
    other = AccountFactory(tam=tam, name="Other survey", renewal_date=renewal)
    ActivityFactory(account=other, kind="survey_response", survey_kind="onboarding",
                    occurred_on=TODAY - datetime.timedelta(5), csat=4)  # fmt: skip

    assert _lists(tam)["renewal_survey"] == {"The day before", "Other survey"}


def test_lists_are_scoped_to_the_book(tam, other_tam):
    AccountFactory(tam=other_tam, name="Not mine", priority=1)

    assert all("Not mine" not in names for names in _lists(tam).values())


def test_thresholds_are_editable(tam):
    BurnDownThresholds.objects.update(low_utilisation_share=Decimal("0.6"))
    AccountFactory(tam=tam, name="55 of 100 active", licensed_users=100, active_users=55)

    assert _lists(tam)["low_utilisation"] == {"55 of 100 active"}
