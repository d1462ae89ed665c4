"""Today (DESIGN 12): the week's work, most urgent first (portal/today_rules.py, pure)
and the page (portal/today.py).

The rules behind each item are the ones the book and the dashboard read (rhythm/cadence.py,
rhythm/touchpoints.py, metrics/clocks.py), with their defaults: Pr1 called every 30 days,
EBR 6 months before renewal for Pr1/Pr2, the renewal window 110 days. "This week" is today
to today + 7, both included; overdue first (longest first), then by due date.
"""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from health.models import HealthHistory
from lib.dates import add_months
from portal.today_rules import (
    CADENCE_CALL,
    EBR,
    ONBOARDING_CLOCK,
    RED_WITHOUT_CASE,
    RENEWAL_TOUCHPOINT,
    TRIAGE_UPDATE,
    BandRow,
    TodayAccount,
    today_plan,
)
from tests.dashboard.test_dashboard import open_case
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    AdminFactory,
    ManagerFactory,
    PriorityExceptionFactory,
    PriorityReviewFactory,
    TamFactory,
    TeamFactory,
)

TODAY = datetime.date(2026, 11, 20)
NOON = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)
US = "us_enterprise"


def ago(days):
    return TODAY - datetime.timedelta(days=days)


def ahead(days):
    return TODAY + datetime.timedelta(days=days)


_ids = iter(range(1, 10_000))


def account(name, **facts):
    facts.setdefault("rule_set", US)
    return TodayAccount(account_id=next(_ids), name=name, **facts)


def plan_of(*accounts):
    return today_plan(accounts, TODAY)


def names(plan):
    return [(item.account_name, item.kind) for item in plan.items]


# --- the ranking ------------------------------------------------------------------------


def test_overdue_by_one_day_comes_before_due_today():
    # Pr1 every 30 days: a call 31 days ago was due yesterday (overdue by 1 day); a call
    # 30 days ago is due today and not overdue (rhythm/cadence.py's boundary).
    due_today = account("A due today", priority=1, last_cadence_call=ago(30))
    overdue = account("Z overdue", priority=1, last_cadence_call=ago(31))
    plan = plan_of(due_today, overdue)
    assert names(plan) == [("Z overdue", CADENCE_CALL), ("A due today", CADENCE_CALL)]
    first, second = plan.items
    assert first.overdue and first.overdue_days == 1 and first.due_on == ago(1)
    assert "overdue by 1 day" in first.why and "last call 2026-10-20" in first.why
    assert not second.overdue and second.due_on == TODAY
    assert "due today" in second.why
    assert plan.overdue_count == 1


def test_exactly_seven_days_ahead_is_this_week_and_eight_is_not():
    # Last call 23 days ago: due in 7 days (in); 22 days ago: due in 8 days (out).
    in_week = account("In", priority=1, last_cadence_call=ago(23))
    next_week = account("Out", priority=1, last_cadence_call=ago(22))
    plan = plan_of(in_week, next_week)
    assert names(plan) == [("In", CADENCE_CALL)]
    assert plan.items[0].due_on == ahead(7) and "due in 7 days" in plan.items[0].why
    assert plan.week_ends == ahead(7)


def test_never_called_leads_even_the_longest_overdue():
    long_overdue = account("A long overdue", priority=1, last_cadence_call=ago(200))
    never = account("B never called", priority=2)
    plan = plan_of(long_overdue, never)
    assert names(plan) == [("B never called", CADENCE_CALL), ("A long overdue", CADENCE_CALL)]
    assert plan.items[0].due_on is None and plan.items[0].overdue
    assert "no call held yet" in plan.items[0].why


def test_priorities_without_cadence_calls_and_an_empty_book_have_nothing_due():
    assert plan_of(account("Pr3", priority=3), account("None")).items == ()
    assert plan_of().items == () and plan_of().renewals == ()


# --- each kind of item ------------------------------------------------------------------


def test_ebr_due_six_months_before_renewal_until_held():
    # The EBR target is 6 months before renewal; one held on or after it counts.
    soon = account(
        "Soon", priority=1, renewal_date=add_months(ahead(3), 6), last_cadence_call=ago(1)
    )
    late = account("Late", priority=2, renewal_date=add_months(ago(2), 6), last_cadence_call=ago(1))
    held = account(
        "Held", priority=1, renewal_date=add_months(ago(2), 6), last_cadence_call=ago(1),
        last_ebr=ago(1),
    )  # fmt: skip
    plan = plan_of(soon, late, held)
    ebrs = [item for item in plan.items if item.kind == EBR]
    assert [item.account_name for item in ebrs] == ["Late", "Soon"]
    assert ebrs[0].overdue_days == 2 and "EBR overdue by 2 days" in ebrs[0].why
    assert ebrs[1].due_on == ahead(3) and "EBR due in 3 days" in ebrs[1].why
    assert add_months(ahead(3), 6).isoformat() in ebrs[1].why


def test_renewal_touch_point_due_when_its_window_opens_this_week():
    # The window opens 110 days before renewal: renewal in 117 days opens in 7 (in),
    # in 118 days opens in 8 (out). Pr3 has no cadence or EBR to add noise.
    in_week = account("In", priority=3, renewal_date=ahead(117))
    next_week = account("Out", priority=3, renewal_date=ahead(118))
    touched = account("Touched", priority=3, renewal_date=ahead(50), last_cadence_call=ago(5))
    plan = plan_of(in_week, next_week, touched)
    assert names(plan) == [("In", RENEWAL_TOUCHPOINT)]
    item = plan.items[0]
    # Due by the renewal (the deadline acted on); the window opens in 7 days.
    assert item.due_on == ahead(117) and not item.overdue
    assert item.window_opens_on == ahead(7) and not item.window_open
    assert "renewal survey" in item.why and ahead(117).isoformat() in item.why


def test_a_renewal_touch_point_ranks_by_how_close_the_renewal_is():
    # Renewing tomorrow, its window open for 109 days: due by tomorrow, so it comes
    # after the overdue call and before a call due in 3 days; renewing in 100 days (its
    # window opened 10 days ago) comes after this week's other work. Never overdue.
    tomorrow = account("Renews tomorrow", priority=3, renewal_date=ahead(1))
    later = account("Renews in 100 days", priority=3, renewal_date=ahead(100))
    call_soon = account("Call in 3 days", priority=1, last_cadence_call=ago(27))
    call_late = account("Call overdue", priority=1, last_cadence_call=ago(33))
    plan = plan_of(later, call_soon, tomorrow, call_late)
    assert names(plan) == [
        ("Call overdue", CADENCE_CALL),
        ("Renews tomorrow", RENEWAL_TOUCHPOINT),
        ("Call in 3 days", CADENCE_CALL),
        ("Renews in 100 days", RENEWAL_TOUCHPOINT),
    ]
    soon, far = plan.items[1], plan.items[3]
    assert (soon.due_on, soon.window_opens_on, soon.window_open) == (ahead(1), ago(109), True)
    assert (far.due_on, far.window_opens_on) == (ahead(100), ago(10))
    assert not soon.overdue and not far.overdue
    assert "renewal on 2026-11-21 (due in 1 day)" in soon.why


def test_onboarding_clock_late_or_running_out_this_week():
    targets = {"time_to_first_engage": 10, "time_to_first_value": 30, "time_to_onboard": 60}
    late = account("Late", customer_since=ago(11), clock_targets=targets)  # due yesterday
    soon = account("Soon", customer_since=ago(5), clock_targets=targets)  # due in 5 days
    engaged = account(
        "Engaged", customer_since=ago(11), first_engaged_on=ago(3), clock_targets=targets
    )  # next clock (first value) due in 19 days: not this week
    onboarded = account("Onboarded", customer_since=ago(400), onboarded_on=ago(300))
    plan = plan_of(soon, late, engaged, onboarded)
    assert names(plan) == [("Late", ONBOARDING_CLOCK), ("Soon", ONBOARDING_CLOCK)]
    assert plan.items[0].overdue_days == 1
    assert "First engaged" in plan.items[0].why and "10-day target" in plan.items[0].why


def test_renewals_in_the_next_ninety_days_both_ends_included():
    plan = plan_of(
        account("Day 90", priority=3, renewal_date=ahead(90), last_cadence_call=ago(1)),
        account("Day 91", priority=3, renewal_date=ahead(91)),
        account("Today", priority=3, renewal_date=TODAY, last_cadence_call=ago(1)),
        account("Passed", priority=3, renewal_date=ago(1)),
    )
    assert [(r.account_name, r.days_left) for r in plan.renewals] == [("Today", 0), ("Day 90", 90)]


# --- the page ---------------------------------------------------------------------------


@pytest.fixture
def at_noon():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def team():
    return TeamFactory(manager=ManagerFactory())


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_tam_lands_on_today_with_items_linked_to_the_account(client, team, at_noon):
    tam = TamFactory(team=team)
    late = AccountFactory(tam=tam, priority=1, name="Acme")
    ActivityFactory(account=late, occurred_on=ago(31))
    signed_in(client, tam)
    assert client.get("/").url == reverse("today")
    page = client.get(reverse("today")).content.decode()
    assert reverse("account_detail", args=[late.pk]) in page
    assert "overdue by 1 day" in page
    assert '<a href="/today/" aria-current="page">Today</a>' in page
    assert "Nothing due this week" not in page


@pytest.mark.django_db
def test_empty_state(client, team, at_noon):
    tam = TamFactory(team=team)
    AccountFactory(tam=tam, priority=3)
    page = signed_in(client, tam).get(reverse("today")).content.decode()
    assert "Nothing due this week." in page


@pytest.mark.django_db
def test_manager_sees_the_team_by_tam_and_can_filter(client, team, at_noon):
    ann = TamFactory(team=team, first_name="Ann", last_name="Lee")
    bob = TamFactory(team=team, first_name="Bob", last_name="Ray")
    outsider = TamFactory(team=TeamFactory(manager=ManagerFactory()))
    AccountFactory(tam=ann, priority=1, name="Ann's account")
    AccountFactory(tam=bob, priority=1, name="Bob's account")
    AccountFactory(tam=outsider, priority=1, name="Elsewhere")
    signed_in(client, team.manager)
    assert client.get("/").url == reverse("today")
    page = client.get(reverse("today")).content.decode()
    assert "Ann&#x27;s account" in page and "Bob&#x27;s account" in page
    assert "Elsewhere" not in page and "Ann Lee" in page
    only_ann = client.get(reverse("today"), {"tam": ann.pk}).content.decode()
    assert "Ann&#x27;s account" in only_ann and "Bob&#x27;s account" not in only_ann


@pytest.mark.django_db
def test_admin_lands_on_the_book(client):
    signed_in(client, AdminFactory())
    assert client.get("/").url == reverse("book")
    assert client.get(reverse("today")).url == reverse("book")


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 50])
def test_query_count_does_not_grow_with_the_book(
    client, team, at_noon, size, django_assert_num_queries
):
    tam = TamFactory(team=team)
    for number in range(size):
        account = AccountFactory(
            tam=tam, priority=1 + number % 4, renewal_date=ahead(number * 3),
            health="red" if number % 2 else "green", health_score=30 if number % 2 else 80,
            previous_priority=1 + (number + 1) % 4, priority_changed_on=ago(number % 9),
        )  # fmt: skip
        ActivityFactory(account=account, occurred_on=ago(number))
        if number % 4 == 1:
            open_case(account, opened_on=ago(20), next_update_due=ago(number % 3))
        HealthHistory.objects.create(account=account, on=ago(20), band="green", score=80)
        HealthHistory.objects.create(
            account=account, on=ago(number % 9), band=account.health, score=account.health_score
        )
    signed_in(client, tam)
    with django_assert_num_queries(14):
        # session, user; rhythm setting, 2 clock-target queries, the accounts, their open
        # risk cases, the week's health history rows; the workload: rhythm setting,
        # accounts, task rows, capacity profiles; the exceptions and proposals decided
        # this week
        response = client.get(reverse("today"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_decisions_of_the_last_seven_days_and_the_managers_waiting_requests(client, team, at_noon):
    tam = TamFactory(team=team)
    mine = AccountFactory(tam=tam, name="Decided")
    PriorityExceptionFactory(
        account=mine,
        requested_by=tam,
        status="approved",
        reviewed_by=team.manager,
        reviewed_at=NOON - datetime.timedelta(days=7),  # 7 days ago to the minute: in
        review_comment="Fine until the migration ends.",
        expires_on=ahead(30),
    )
    PriorityExceptionFactory(
        account=AccountFactory(tam=tam, name="Long ago"),
        requested_by=tam,
        status="rejected",
        reviewed_at=NOON - datetime.timedelta(days=7, seconds=1),  # just out
        expires_on=ahead(30),
    )
    PriorityExceptionFactory(
        account=AccountFactory(tam=tam, name="Waiting"), requested_by=tam, expires_on=ahead(30)
    )
    page = signed_in(client, tam).get(reverse("today")).content.decode()
    assert "Pr1 exception approved by" in page and "Fine until the migration ends." in page
    assert "exception rejected" not in page and "for your decision" not in page
    page = signed_in(client, team.manager).get(reverse("today")).content.decode()
    assert "1 request</strong> waits for your decision" in page


@pytest.mark.django_db
def test_the_page_shows_a_renewal_touch_point_by_its_renewal(client, team, at_noon):
    tam = TamFactory(team=team)
    AccountFactory(tam=tam, priority=3, name="Renewing", renewal_date=ahead(1))
    page = signed_in(client, tam).get(reverse("today")).content.decode()
    # 2026-11-21 less 110 days: the window opened on 2026-08-03.
    assert 'by 2026-11-21 <span class="muted">(window open since 2026-08-03)</span>' in page


@pytest.mark.django_db
def test_the_managers_waiting_requests_are_the_dashboards_review_queue(client, team, at_noon):
    """Today's "N waiting for your decision" counts what the dashboard's queue shows:
    exceptions not yet expired, this quarter's (FY27-Q4's) EMEA proposals and will-churn
    proposals (DESIGN 11: the TAM proposes, the team's manager signs off)."""
    tam = TamFactory(team=team)
    PriorityExceptionFactory(account=AccountFactory(tam=tam), expires_on=ahead(30))
    PriorityExceptionFactory(account=AccountFactory(tam=tam), expires_on=ago(1))  # expired
    PriorityReviewFactory(account=AccountFactory(tam=tam), fiscal_quarter="FY27-Q4")
    PriorityReviewFactory(account=AccountFactory(tam=tam), fiscal_quarter="FY27-Q3")  # past
    churning = AccountFactory(tam=tam)
    open_case(churning, will_churn_proposed_by=tam, will_churn_proposed_on=ago(2))
    open_case(AccountFactory(tam=tam))  # open, nobody proposed will churn
    elsewhere = AccountFactory(tam=TamFactory(team=TeamFactory(manager=ManagerFactory())))
    open_case(elsewhere, will_churn_proposed_by=elsewhere.tam, will_churn_proposed_on=ago(2))

    page = signed_in(client, team.manager).get(reverse("today")).content.decode()

    assert "3 requests</strong> wait for your decision" in page
    assert f'href="{reverse("dashboard:index")}#review-queue"' in page


@pytest.mark.django_db
def test_a_managers_query_count_does_not_grow_with_the_team(client, team, at_noon):
    def grow(size):
        tam = TamFactory(team=team)
        for number in range(size):
            account = AccountFactory(
                tam=tam, priority=1 + number % 4, renewal_date=ahead(number * 3)
            )
            ActivityFactory(account=account, occurred_on=ago(number))
            if number % 3 == 1:
                open_case(account, will_churn_proposed_by=tam, will_churn_proposed_on=ago(1))
            if number % 5 == 2:
                PriorityExceptionFactory(account=account, expires_on=ahead(30))

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("today")).status_code == 200
        return len(context)

    signed_in(client, team.manager)
    grow(5)
    small = queries()
    grow(40)
    assert queries() == small


# --- the triage register and what changed (DESIGN 11, 12) -------------------------------


def test_a_red_account_without_an_open_case_is_due_today():
    # The register's rule (red, no open case, not churned) is triage.selectors'; Today
    # lists what it says.
    bare = account("Bare", health="red", health_score=35, needs_triage_case=True)
    cased = account("Cased", health="red", health_score=20, has_open_case=True)
    green = account("Green", health="green", health_score=90)
    unknown = account("Unknown")
    plan = plan_of(bare, cased, green, unknown)
    assert names(plan) == [("Bare", RED_WITHOUT_CASE)]
    item = plan.items[0]
    assert item.due_on == TODAY and not item.overdue and item.about_triage
    assert item.why == "Health red (score 35) and no open triage case: open one or say why not"


def test_a_triage_update_due_this_week_or_overdue():
    # The week is today to today + 7: due in 7 days is in, in 8 days out.
    in_week = account("In", has_open_case=True, triage_update_due=ahead(7))
    next_week = account("Out", has_open_case=True, triage_update_due=ahead(8))
    overdue = account("Late", has_open_case=True, triage_update_due=ago(3))
    plan = plan_of(in_week, next_week, overdue)
    assert names(plan) == [("Late", TRIAGE_UPDATE), ("In", TRIAGE_UPDATE)]
    assert plan.items[0].overdue_days == 3
    assert plan.items[0].why == "Triage update overdue by 3 days on the open risk case"
    assert plan.items[1].why == "Triage update due in 7 days on the open risk case"


def test_an_account_at_risk_comes_first_on_its_day():
    # Red without a case and a cadence call both due today: the risk leads (KIND_ORDER).
    plan = plan_of(
        account("A call", priority=1, last_cadence_call=ago(30)),
        account("Z red", health="red", needs_triage_case=True),
    )
    assert names(plan) == [("Z red", RED_WITHOUT_CASE), ("A call", CADENCE_CALL)]


def test_priority_changes_of_the_last_seven_days_both_ends_included():
    plan = plan_of(
        account("Seven", priority=1, previous_priority=3, priority_changed_on=ago(7)),
        account("Eight", priority=1, previous_priority=3, priority_changed_on=ago(8)),
        account("Today", priority=2, previous_priority=None, priority_changed_on=TODAY),
        account("Same", priority=2, previous_priority=2, priority_changed_on=ago(1)),
    )
    assert [(c.account_name, c.on, c.what) for c in plan.changes] == [
        ("Today", TODAY, "Priority changed from none to Pr2"),
        ("Seven", ago(7), "Priority changed from Pr3 to Pr1"),
    ]


def test_band_changes_read_the_latest_changed_row_of_the_week():
    moved = account("Moved")
    first = account("First")
    scored = account("Scored")
    old = account("Old")
    rows = [
        # Moved: yellow to red 6 days ago, then a score change in red 2 days ago, and
        # red to yellow yesterday: the latest change is said.
        BandRow(moved.account_id, ago(6), "red", 40, "yellow"),
        BandRow(moved.account_id, ago(2), "red", 45, "red"),
        BandRow(moved.account_id, ago(1), "yellow", 55, "red"),
        # First: its health computed for the first time (no row before): no change.
        BandRow(first.account_id, ago(3), "green", 90, None),
        # Scored: the score moved within green: no band change.
        BandRow(scored.account_id, ago(3), "green", 85, "green"),
        # Old: 8 days ago, outside the week; unknown to green 7 days ago is in.
        BandRow(old.account_id, ago(8), "red", 10, "green"),
        BandRow(old.account_id, ago(7), "green", 80, ""),
    ]
    plan = today_plan([moved, first, scored, old], TODAY, band_rows=rows)
    assert [(c.account_name, c.on, c.what) for c in plan.changes] == [
        ("Moved", ago(1), "Health band changed from red to yellow (score 55)"),
        ("Old", ago(7), "Health band changed from unknown to green (score 80)"),
    ]


@pytest.mark.django_db
def test_the_page_shows_each_new_kind_linked_to_the_account(client, team, at_noon):
    tam = TamFactory(team=team)
    bare = AccountFactory(tam=tam, name="Red bare", health="red", health_score=35)
    cased = AccountFactory(tam=tam, name="Red cased", health="red", health_score=20)
    open_case(cased, opened_on=ago(20), next_update_due=ago(2))
    moved = AccountFactory(
        tam=tam, name="Moved", priority=3, previous_priority=2, priority_changed_on=ago(3)
    )
    banded = AccountFactory(tam=tam, name="Banded", health="yellow", health_score=60)
    HealthHistory.objects.create(account=banded, on=ago(30), band="green", score=80)
    HealthHistory.objects.create(account=banded, on=ago(2), band="yellow", score=60)
    # Outside the week: a case due in 8 days, a priority changed 8 days ago.
    later = AccountFactory(tam=tam, name="Later", health="yellow", health_score=55)
    open_case(later, opened_on=ago(20), next_update_due=ahead(8))
    AccountFactory(
        tam=tam, name="Long ago", priority=3, previous_priority=4, priority_changed_on=ago(8)
    )
    # Another TAM's red account is not this TAM's work. Pr3 has no cadence calls, so no
    # other item comes in.
    AccountFactory(tam=TamFactory(team=team), name="Theirs", health="red")
    # A churned customer (ARR 0) is off the register's list, so off Today too.
    AccountFactory(tam=tam, name="Churned", health="red", health_score=10, arr=0)

    response = signed_in(client, tam).get(reverse("today"))

    kinds = [(item.account_name, item.kind) for item in response.context["items"]]
    assert ("Red cased", TRIAGE_UPDATE) in kinds and ("Red bare", RED_WITHOUT_CASE) in kinds
    assert {name for name, _ in kinds}.isdisjoint({"Later", "Long ago", "Theirs", "Churned"})
    changes = [(c.account_name, c.what) for c in response.context["changes"]]
    assert changes == [
        ("Banded", "Health band changed from green to yellow (score 60)"),
        ("Moved", "Priority changed from Pr2 to Pr3"),
    ]
    page = response.content.decode()
    # The triage items open the account page at its triage section.
    assert f'href="{reverse("account_detail", args=[bare.pk])}#triage"' in page
    assert f'href="{reverse("account_detail", args=[cased.pk])}#triage"' in page
    assert f'href="{reverse("account_detail", args=[moved.pk])}">Moved</a>' in page
    assert "Triage update overdue by 2 days on the open risk case" in page
