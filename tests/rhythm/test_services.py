"""Workload and due touch points read from the database (rhythm/services.py, DESIGN 6).

The seeded tables: Strategic, Named and Mid-Touch have page 002's 13 rows (fixed rows
19.25 h a week) and 31.25 hours a week with 56 days of PTO (information only: every
yearly figure is divided by 52 weeks, rhythm/workload.py). Cadence calls a year are 365 /
the interval of the rhythm setting (seeded 30 / 60 / Commercial Pr2 90 days): Pr1 12.17,
Pr2 6.08, Commercial Pr2 4.06.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine

from lib.dates import add_months
from rhythm.models import CapacityProfile, RhythmSettings
from rhythm.services import due_touchpoints, team_workloads, workload_for_tam
from tests.factories import AccountFactory, ActivityFactory, TamFactory, region, segment

D = Decimal
WEEKS = D(52)
AS_OF = datetime.date(2026, 11, 20)
FIXED_HOURS = D("19.25")
PR1_CALLS = D(365) / D(30)
PR2_CALLS = D(365) / D(60)
COMMERCIAL_PR2_CALLS = D(365) / D(90)


def days_ago(days):
    return AS_OF - datetime.timedelta(days=days)


def call(account, on, kind="cadence_call"):
    return ActivityFactory(account=account, kind=kind, occurred_on=on)


def book(tam, priorities, code="named", **facts):
    return [
        AccountFactory(tam=tam, priority=priority, segment=segment(code), **facts)
        for priority in priorities
    ]


# --- workload -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_workload_for_a_tam_from_the_database(tam, other_tam):
    """3 Pr1 (one onboarding since 2026-10-01) + 6 Pr2 Named accounts, Named table:
    fixed 19.25 + onboarding 1 + (3 x 365/30 + 6 x 365/60 = 73 calls + 3 x 1.5 x 4 EBR
    + 9 renewal) h a year = 20.25 + 100 / 52 = 22.17 h a week. The other TAM's account is
    not counted."""
    onboarding = AccountFactory(
        tam=tam,
        priority=1,
        segment=segment("named"),
        customer_since=datetime.date(2026, 10, 1),
        onboarded_on=None,
    )
    book(tam, [1, 1, 2, 2, 2, 2, 2, 2])
    book(other_tam, [1])

    workload = workload_for_tam(tam, AS_OF)

    assert workload.table_segment == "named"
    assert workload.total_hours_per_week == pytest.approx(D("20.25") + D(100) / WEEKS)
    assert workload.capacity.weekly_hours == D("31.25")
    assert workload.weeks_per_year == WEEKS
    assert not workload.overburdened
    assert workload.drivers[0].account_id == onboarding.pk
    assert len(workload.drivers) == 9


@pytest.mark.django_db
def test_commercial_accounts_are_read_from_the_region(tam):
    """2 Commercial Pr2: 2 x 365/90 = 8.11 calls = 8.11 h a year / 52 = 0.156 h of
    cadence calls."""
    book(tam, [2, 2], region=region("commercial-noram"))
    workload = workload_for_tam(tam, AS_OF)
    cadence = next(row for row in workload.rows if row.task == "Cadence calls")
    assert cadence.hours_per_week == pytest.approx(2 * COMMERCIAL_PR2_CALLS / WEEKS)


@pytest.mark.django_db
def test_the_workload_reads_the_admins_cadence_intervals(tam):
    """Pr1 every 73 days in the rhythm setting: 365/73 = 5 calls a year, 1 h each."""
    RhythmSettings.objects.update(pr1_cadence_days=73, pr2_cadence_days=73)
    book(tam, [1])
    workload = workload_for_tam(tam, AS_OF)
    cadence = next(row for row in workload.rows if row.task == "Cadence calls")
    assert cadence.hours_per_week == pytest.approx(D(5) / WEEKS)
    assert "Pr1 every 73 days" in cadence.basis


@pytest.mark.django_db
def test_an_overburdened_tam_and_the_accounts_that_drive_it(tam):
    """10 onboarding Pr1 accounts: 19.25 + 10 x 1 + 10 x (12.17 + 6 + 1) / 52
    = 29.25 + 3.69 = 32.94 h > 31.25."""
    book(tam, [1] * 10, customer_since=datetime.date(2026, 11, 1), onboarded_on=None)
    workload = workload_for_tam(tam, AS_OF)
    assert workload.total_hours_per_week == pytest.approx(D("29.25") + 10 * (PR1_CALLS + 7) / WEEKS)
    assert workload.overburdened
    assert len(workload.drivers) == 10


@pytest.mark.django_db
def test_onboarding_is_open_as_of_the_date(tam):
    """Open on AS_OF: onboarded later than AS_OF (counts); a customer only from tomorrow,
    or already onboarded, does not. One onboarding customer = 1 h a week."""
    book(tam, [1], customer_since=days_ago(30), onboarded_on=AS_OF + datetime.timedelta(1))
    book(tam, [1], customer_since=AS_OF + datetime.timedelta(1), onboarded_on=None)
    book(tam, [1], customer_since=days_ago(60), onboarded_on=days_ago(1))
    onboarding = next(
        row for row in workload_for_tam(tam, AS_OF).rows if row.driver == "onboarding"
    )
    assert onboarding.hours_per_week == 1


@pytest.mark.django_db
def test_the_table_of_the_segment_most_of_the_book_is_in(tam):
    """2 Mid-Touch (one by override) and 1 Named: the Mid-Touch table and capacity; its
    36 PTO days are carried along but the year stays 52 weeks."""
    CapacityProfile.objects.filter(segment__code="mid-touch").update(
        weekly_capacity_hours=D(30), pto_days_per_year=36
    )
    book(tam, [2], code="mid-touch")
    book(tam, [2], segment_override=segment("mid-touch"), segment_override_reason="Pinned")
    book(tam, [2], code="named")
    workload = workload_for_tam(tam, AS_OF)
    assert workload.table_segment == "mid-touch"
    assert workload.capacity.weekly_hours == D(30)
    assert workload.capacity.pto_days_per_year == 36
    assert workload.weeks_per_year == WEEKS


@pytest.mark.django_db
def test_an_empty_book_falls_back_to_the_named_table(tam):
    """No accounts: the Named table's fixed rows, 19.25 h a week."""
    workload = workload_for_tam(tam, AS_OF)
    assert workload.table_segment == "named"
    assert workload.total_hours_per_week == FIXED_HOURS
    assert workload.drivers == ()


@pytest.mark.django_db
def test_workload_for_tam_queries(tam, django_assert_num_queries):
    book(tam, [1, 2, 2])
    with django_assert_num_queries(4):
        # 1. the rhythm setting (cadence intervals)
        # 2. the TAM's accounts, with region rule set and segment codes
        # 3. every segment's task rows
        # 4. every segment's capacity profile
        workload_for_tam(tam, AS_OF)


def staff_team(team, size):
    tams = [TamFactory(team=team) for _ in range(size)]
    for tam in tams:
        book(tam, [1, 2, 2])
    return tams


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 6])
def test_team_workloads_query_count_is_constant(team, size, django_assert_num_queries):
    """The same 5 queries for 2 TAMs as for 6."""
    tams = staff_team(team, size)
    with django_assert_num_queries(5):
        # 1. the rhythm setting (cadence intervals)
        # 2. the team's active TAMs
        # 3. all their accounts, with region rule set and segment codes
        # 4. every segment's task rows
        # 5. every segment's capacity profile
        result = team_workloads(team, AS_OF)
    assert [tam for tam, _ in result] == sorted(tams, key=lambda tam: tam.username)


@pytest.mark.django_db
def test_team_workloads_each_tam_their_own_book(team, other_tam):
    """TAM 1: 1 Pr1 = 19.25 + (12.17 + 6 + 1) / 52; TAM 2, no accounts: 19.25. The
    inactive TAM and the other team's TAM are left out."""
    first, second = TamFactory(team=team), TamFactory(team=team)
    TamFactory(team=team, is_active=False)
    book(first, [1])
    book(other_tam, [1, 1])

    result = dict(team_workloads(team, AS_OF))

    assert set(result) == {first, second}
    assert result[first].total_hours_per_week == pytest.approx(
        FIXED_HOURS + (PR1_CALLS + 7) / WEEKS
    )
    assert result[second].total_hours_per_week == FIXED_HOURS


@pytest.mark.django_db
def test_workload_defaults_to_today(tam):
    """Without as_of, today: onboarding that started tomorrow (2026-11-21) is not open."""
    book(tam, [1], customer_since=datetime.date(2026, 11, 21), onboarded_on=None)
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9), tick=False):
        workload = workload_for_tam(tam)
    onboarding = next(row for row in workload.rows if row.driver == "onboarding")
    assert onboarding.hours_per_week == 0


# --- cadence calls due ------------------------------------------------------------------------


def one_account(tam, priority, **facts):
    return AccountFactory(tam=tam, priority=priority, **facts)


@pytest.mark.django_db
def test_never_called_is_overdue_with_no_due_date(tam):
    """rhythm/cadence.py: a Pr1 or Pr2 account never called is overdue (as the dashboard
    lists it); a call booked for tomorrow has not been held."""
    account = one_account(tam, 1)
    call(account, AS_OF + datetime.timedelta(days=1))
    [due] = due_touchpoints(tam, AS_OF).cadence_calls
    assert (due.account_id, due.due_on, due.overdue, due.last_on) == (
        account.pk,
        None,
        True,
        None,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("priority", "commercial", "called_days_ago", "listed", "overdue"),
    [
        (1, False, 31, True, True),  # Pr1 every 30 days: due yesterday
        (1, False, 30, True, False),  # due today
        (1, False, 29, False, False),  # due tomorrow
        (2, False, 59, False, False),  # Pr2 every 60 days: due tomorrow
        (2, False, 61, True, True),
        (2, True, 89, False, False),  # Commercial Pr2 every 90 days
        (2, True, 91, True, True),
        (3, False, 400, False, False),  # Pr3: no cadence calls
    ],
)
def test_cadence_call_due_by_priority(tam, priority, commercial, called_days_ago, listed, overdue):
    code = "commercial-noram" if commercial else "us-enterprise"
    account = one_account(tam, priority, region=region(code))
    call(account, days_ago(called_days_ago))
    due = due_touchpoints(tam, AS_OF).cadence_calls
    assert [(item.account_id, item.overdue) for item in due] == (
        [(account.pk, overdue)] if listed else []
    )


@pytest.mark.django_db
def test_what_counts_as_the_last_cadence_call(tam):
    """The latest call counts; an EBR is not a cadence call; a call after AS_OF is not
    known on AS_OF. Last call 40 days ago: due 10 days ago, overdue."""
    account = one_account(tam, 1)
    call(account, days_ago(90))
    call(account, days_ago(40))
    call(account, days_ago(5), kind="ebr")
    call(account, AS_OF + datetime.timedelta(days=3))
    [due] = due_touchpoints(tam, AS_OF).cadence_calls
    assert (due.due_on, due.overdue, due.last_on) == (days_ago(10), True, days_ago(40))


@pytest.mark.django_db
def test_due_within_days_lists_what_comes_up(tam):
    """Pr2 called 59 days ago is due tomorrow: not due today, listed within 1 day."""
    call(one_account(tam, 2), days_ago(59))
    assert due_touchpoints(tam, AS_OF).cadence_calls == ()
    [due] = due_touchpoints(tam, AS_OF, within_days=1).cadence_calls
    assert (due.due_on, due.overdue) == (AS_OF + datetime.timedelta(1), False)


@pytest.mark.django_db
def test_cadence_calls_sorted_by_due_date_and_scoped_to_the_tam(tam, other_tam):
    """Pr1 never called (overdue, no date: first), Pr2 called 70 days ago (due 10 days
    ago), Pr1 35 days ago (due 5 days ago); the other TAM's overdue account is not
    listed."""
    late_pr2, late_pr1, never = one_account(tam, 2), one_account(tam, 1), one_account(tam, 1)
    call(late_pr2, days_ago(70))
    call(late_pr1, days_ago(35))
    call(one_account(other_tam, 1), days_ago(100))
    due = due_touchpoints(tam, AS_OF).cadence_calls
    assert [item.account_id for item in due] == [never.pk, late_pr2.pk, late_pr1.pk]
    assert [item.due_on for item in due] == [None, days_ago(10), days_ago(5)]


# --- EBRs due -----------------------------------------------------------------------------------


def renewing(tam, priority, renewal_date):
    return one_account(tam, priority, renewal_date=renewal_date)


@pytest.mark.django_db
def test_ebr_due_six_months_before_renewal(tam):
    """Renewal 2027-05-20: the EBR target is 2026-11-20, today: due, not overdue."""
    account = renewing(tam, 1, add_months(AS_OF, 6))
    [due] = due_touchpoints(tam, AS_OF).ebrs
    assert (due.account_id, due.due_on, due.overdue) == (account.pk, AS_OF, False)
    assert due.renewal_date == datetime.date(2027, 5, 20)


@pytest.mark.django_db
def test_ebr_not_due_before_the_target(tam):
    """Renewal 2027-05-21: target tomorrow."""
    renewing(tam, 1, add_months(AS_OF, 6) + datetime.timedelta(1))
    assert due_touchpoints(tam, AS_OF).ebrs == ()


@pytest.mark.django_db
def test_ebr_overdue_once_the_target_passed_without_an_ebr(tam):
    """Renewal 2027-05-19: target 2026-11-19, yesterday. An EBR the day before the
    target does not count; a Pr3 account owes no EBR."""
    account = renewing(tam, 2, add_months(AS_OF, 6) - datetime.timedelta(1))
    call(account, days_ago(2), kind="ebr")
    renewing(tam, 3, add_months(AS_OF, 6) - datetime.timedelta(1))
    [due] = due_touchpoints(tam, AS_OF).ebrs
    assert (due.account_id, due.due_on, due.overdue, due.last_on) == (
        account.pk,
        days_ago(1),
        True,
        days_ago(2),
    )


@pytest.mark.django_db
def test_ebr_held_on_or_after_the_target_clears_it(tam):
    account = renewing(tam, 1, add_months(AS_OF, 6) - datetime.timedelta(1))
    call(account, days_ago(1), kind="ebr")
    assert due_touchpoints(tam, AS_OF).ebrs == ()


# --- renewal touch points due -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("renewal_in_days", "listed"),
    [
        (111, False),  # the 110-day window opens tomorrow
        (110, True),  # opens today
        (1, True),
        (0, True),  # renewal today
        (-1, False),  # renewal passed: that cycle is over
    ],
)
def test_renewal_touch_point_window(tam, renewal_in_days, listed):
    renewal = AS_OF + datetime.timedelta(days=renewal_in_days)
    account = renewing(tam, 3, renewal)
    due = due_touchpoints(tam, AS_OF).renewals
    expected = [(account.pk, renewal - datetime.timedelta(days=110), False)]
    assert [(item.account_id, item.due_on, item.overdue) for item in due] == (
        expected if listed else []
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "touched_days_before_renewal", "listed"),
    [
        ("cadence_call", 110, False),  # a call on the day the window opens
        ("cadence_call", 111, True),  # a call the day before does not count
        ("ebr", 60, False),  # an EBR in the window counts too
    ],
)
def test_renewal_touch_point_cleared_by_a_call_or_ebr_in_the_window(
    tam, kind, touched_days_before_renewal, listed
):
    renewal = AS_OF + datetime.timedelta(days=50)
    account = renewing(tam, 3, renewal)
    call(account, renewal - datetime.timedelta(days=touched_days_before_renewal), kind=kind)
    assert bool(due_touchpoints(tam, AS_OF).renewals) is listed


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 8])
def test_due_touchpoints_query_count_is_constant(tam, size, django_assert_num_queries):
    for n in range(size):
        account = renewing(tam, 1 + n % 2, AS_OF + datetime.timedelta(days=30 + n))
        call(account, days_ago(120 + n))  # cadence overdue, before the renewal window
        call(account, days_ago(200), kind="ebr")  # before the EBR target
    with django_assert_num_queries(3):
        # 1. the rhythm setting (cadence intervals, renewal window)
        # 2. the TAM's accounts
        # 3. the last cadence call and last EBR per account (one grouped query)
        due = due_touchpoints(tam, AS_OF)
    assert len(due.cadence_calls) == len(due.ebrs) == len(due.renewals) == size


@pytest.mark.django_db
def test_touch_points_follow_the_rhythm_setting(tam):
    """Pr1 every 45 days, renewal window 60 days: a Pr1 account called 40 days ago is
    not due; one renewing in 61 days owes no renewal touch yet, one in 60 does."""
    RhythmSettings.objects.update(pr1_cadence_days=45, renewal_window_days=60)
    call(one_account(tam, 1), days_ago(40))
    renewing(tam, 3, AS_OF + datetime.timedelta(days=61))
    soon = renewing(tam, 3, AS_OF + datetime.timedelta(days=60))

    due = due_touchpoints(tam, AS_OF)

    assert due.cadence_calls == ()
    assert [(item.account_id, item.due_on) for item in due.renewals] == [(soon.pk, AS_OF)]
