"""The dashboard's lists in full (issue 12, point 5; DESIGN 12, "Every list has its full
view"): every row of the scope, sortable, 50 a page, a CSV of the whole list.

The list used is "Not onboarded after 45 days" (key `onboarding`): an account is on it
when its customer-since is more than 45 days ago (the default threshold) and it has no
onboarded date. `AccountFactory` accounts became customers on 2024-03-01, long before
today (2026-11-24), so `onboarded_on=None` puts an account on the list and the
factory's own onboarded date keeps it off.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Health
from people.models import Team
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    AdminFactory,
    ManagerFactory,
    PriorityExceptionFactory,
    PriorityReviewFactory,
    TamFactory,
    TeamFactory,
    segment,
)

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example","Click")'


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9), tick=False):
        yield


@pytest.fixture
def ann(team):
    return TamFactory(team=team, username="ann", first_name="Ann", last_name="A")


@pytest.fixture
def bob(team):
    return TamFactory(team=team, username="bob", first_name="Bob", last_name="B")


@pytest.fixture
def other_team():
    return TeamFactory(name="Team B", manager=ManagerFactory(username="other.manager"))


def _late(tam, name, **fields):
    """An account on the onboarding list."""
    return AccountFactory(tam=tam, name=name, onboarded_on=None, **fields)


def _url(name, arg, team, **query):
    params = "&".join(
        f"{key}={value}" for key, value in {"scope": f"team-{team.pk}", **query}.items()
    )
    return f"{reverse(f'dashboard:{name}', args=[arg])}?{params}"


def _names(response):
    return [row.record.name for row in response.context["table"].paginated_rows]


def _csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_manager_sees_every_account_of_the_list_by_name_and_only_their_teams(
    client, manager, team, ann, bob, other_team
):
    for index in range(7):
        _late(ann if index % 2 else bob, f"Late {index}")
    AccountFactory(tam=ann, name="Onboarded on time")  # off the list
    _late(TamFactory(team=other_team), "Late elsewhere")  # another team's
    client.force_login(manager)

    response = client.get(_url("burn_down_list", "onboarding", team))

    assert response.status_code == 200
    # More than the dashboard's five, all of them, in name order, none from elsewhere.
    assert _names(response) == [f"Late {index}" for index in range(7)]
    assert "7 accounts." in response.content.decode()


def test_another_teams_manager_an_unknown_list_and_an_unknown_queue_get_404(
    client, team, other_team
):
    client.force_login(other_team.manager)
    assert client.get(_url("burn_down_list", "onboarding", team)).status_code == 404
    assert client.get(_url("burn_down_csv", "onboarding", team)).status_code == 404
    assert client.get(_url("queue_list", "exceptions", team)).status_code == 404

    client.force_login(team.manager)
    assert client.get(_url("burn_down_list", "no_such_list", team)).status_code == 404
    assert client.get(_url("queue_list", "triage", team)).status_code == 404


def test_an_admins_region_scope_lists_every_team_of_the_region(client, team, ann, other_team):
    _late(ann, "Ours")
    _late(TamFactory(team=other_team), "Theirs")
    client.force_login(AdminFactory())

    response = client.get(
        reverse("dashboard:burn_down_list", args=["onboarding"]) + f"?scope=region-{team.region_id}"
    )

    # Both teams are in the factories' default region (US Enterprise).
    assert Team.objects.get(pk=other_team.pk).region_id == team.region_id
    assert _names(response) == ["Ours", "Theirs"]


def test_a_tam_reads_only_their_own_accounts_of_their_team(client, team, ann, bob):
    _late(ann, "Ann's")
    _late(bob, "Bob's")
    client.force_login(ann)

    response = client.get(_url("burn_down_list", "onboarding", team))

    assert _names(response) == ["Ann's"]


def test_each_column_sorts_both_ways_and_an_unknown_sort_keeps_the_name_order(
    client, manager, team, ann, bob
):
    _late(bob, "Alpha", arr=Decimal("300"), health=Health.GREEN, health_score=90)
    _late(ann, "Bravo", arr=Decimal("100"), health=Health.RED, health_score=30)
    _late(ann, "Charlie", arr=None, health="")
    _late(ann, "Delta", arr=Decimal("200"), health=Health.RED, health_score=10)
    client.force_login(manager)

    def names(sort):
        return _names(client.get(_url("burn_down_list", "onboarding", team, sort=sort)))

    # Empty values last either way; equal values by name.
    assert names("arr") == ["Bravo", "Delta", "Alpha", "Charlie"]
    assert names("-arr") == ["Alpha", "Delta", "Bravo", "Charlie"]
    # Worst band first, the lower score first within it (DESIGN 11); unknown last.
    assert names("health") == ["Delta", "Bravo", "Alpha", "Charlie"]
    assert names("-health") == ["Alpha", "Bravo", "Delta", "Charlie"]
    assert names("tam") == ["Bravo", "Charlie", "Delta", "Alpha"]  # Ann before Bob
    assert names("-name") == ["Delta", "Charlie", "Bravo", "Alpha"]
    assert names("password") == ["Alpha", "Bravo", "Charlie", "Delta"]


def test_the_list_is_paginated_50_a_page_with_page_links(client, manager, team, ann):
    for index in range(51):
        _late(ann, f"Late {index:02d}")
    client.force_login(manager)

    first = client.get(_url("burn_down_list", "onboarding", team))
    second = client.get(_url("burn_down_list", "onboarding", team, page=2))
    beyond = client.get(_url("burn_down_list", "onboarding", team, page=9))

    assert len(_names(first)) == 50
    assert _names(second) == ["Late 50"]
    assert _names(beyond) == ["Late 50"]  # past the end: the last page
    page = first.content.decode()
    assert "Page 1 of 2" in page
    assert 'rel="next"' in page and "page=2" in page


@pytest.mark.parametrize("rows", [5, 50])
def test_the_page_costs_the_same_queries_however_long_the_list(
    client, manager, team, ann, rows, django_assert_num_queries
):
    for index in range(rows):
        _late(ann, f"Late {index:02d}", segment=None)
    for index in range(rows):
        account = AccountFactory(tam=ann, name=f"Asked {index:02d}")
        PriorityExceptionFactory(account=account, expires_on=datetime.date(2027, 1, 31))
    client.force_login(manager)
    client.get(_url("burn_down_list", "onboarding", team))  # warm the session

    # session and user (2), the manager's teams (1), the members (1), which of them the
    # manager may see (1), the thresholds and the rhythm settings (2), the count and the
    # page (2).
    with django_assert_num_queries(9):
        assert client.get(_url("burn_down_list", "onboarding", team)).status_code == 200
    # session and user (2), teams (1), members (1), visible (1), the count and the page (2).
    with django_assert_num_queries(7):
        assert client.get(_url("queue_list", "exceptions", team)).status_code == 200


BURN_DOWN_KEYS = (
    "first_engage", "first_value", "onboarding", "pr1_cadence", "pr2_cadence", "pr1_ebr",
    "pr1_success_plan", "low_utilisation", "renewal_survey", "red_without_case",
)  # fmt: skip


def _on_many_lists(tam, name, priority, answered_renewal_survey):
    """An account on every list its priority allows: never engaged nor onboarded, never
    called, low use, red, renewing in 30 days (in the 110-day window)."""
    account = AccountFactory(
        tam=tam, name=name, priority=priority, segment=segment("named"), first_engaged_on=None, first_value_on=None,
        onboarded_on=None, licensed_users=100, active_users=10, health=Health.RED,
        renewal_date=datetime.date(2026, 12, 24),
    )  # fmt: skip
    if answered_renewal_survey:
        ActivityFactory(account=account, kind="survey_response", survey_kind="renewal",
                        occurred_on=datetime.date(2026, 11, 1), csat=4)  # fmt: skip


@pytest.mark.parametrize("key", BURN_DOWN_KEYS)
def test_every_list_page_costs_the_same_queries_however_long_the_list(
    client, manager, team, ann, key
):
    client.force_login(manager)
    url = _url("burn_down_list", key, team)

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200
        return len(context), response.context["total"]

    client.get(url)  # warm the session
    for index in range(4):
        _on_many_lists(ann, f"Small {index}", 1 + index % 2, index % 4 == 3)
    small, small_total = queries()
    for index in range(120):  # more than a page on each list
        _on_many_lists(ann, f"Large {index:03d}", 1 + index % 2, index % 4 == 3)
    large, large_total = queries()

    assert 0 < small_total < 50 < large_total
    assert small == large


def test_the_csv_holds_the_whole_list_in_the_pages_order_with_names_guarded(
    client, manager, team, ann
):
    for index in range(51):
        _late(ann, f"Late {index:02d}", arr=Decimal(1000 + index))
    _late(ann, HYPERLINK, arr=Decimal("5"))
    client.force_login(manager)

    response = client.get(_url("burn_down_csv", "onboarding", team, sort="arr"))

    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    assert len(rows) == 52  # every row, not one page
    assert rows[0]["account"] == "'" + HYPERLINK  # the cheapest first, its formula guarded
    assert rows[0]["arr"] == "5.00"
    assert rows[1]["account"] == "Late 00"
    assert rows[1]["tam"] == "Ann A"
    assert rows[1]["tam_email"] == "ann@example.com"


def test_the_queue_lists_every_pending_request_and_downloads_them(client, manager, team, ann):
    for index in range(7):
        account = AccountFactory(tam=ann, name=f"Asked {index}")
        PriorityExceptionFactory(account=account, expires_on=datetime.date(2027, 1, 31))
    gone = AccountFactory(tam=ann, name="Expired ask")
    PriorityExceptionFactory(account=gone, expires_on=datetime.date(2026, 11, 1))
    proposal = AccountFactory(tam=ann, name=HYPERLINK)
    PriorityReviewFactory(account=proposal, fiscal_quarter="FY27-Q4")
    client.force_login(manager)

    exceptions = client.get(_url("queue_list", "exceptions", team, sort="account"))
    reviews = _csv_rows(client.get(_url("queue_csv", "reviews", team)))

    # An expired request can no longer take effect: not waiting (the dashboard's rule).
    assert [row.record.account.name for row in exceptions.context["table"].paginated_rows] == [
        f"Asked {index}" for index in range(7)
    ]
    assert [
        (row["account"], row["suggested_priority"], row["proposed_priority"]) for row in reviews
    ] == [("'" + HYPERLINK, "Pr2", "Pr1")]


def test_the_queues_pager_counts_requests(client, manager, team, ann, monkeypatch):
    # The pager is the book's, which names what it counts; a queue lists requests.
    for index in range(3):
        PriorityExceptionFactory(
            account=AccountFactory(tam=ann, name=f"Asked {index}"),
            expires_on=datetime.date(2027, 1, 31),
        )
    monkeypatch.setattr("dashboard.full_lists.PAGE_SIZE", 2)
    client.force_login(manager)

    page = client.get(_url("queue_list", "exceptions", team)).content.decode()

    assert "Page 1 of 2 (3 requests)" in page


def test_an_empty_list_says_there_is_nothing_to_do(client, manager, team, ann):
    AccountFactory(tam=ann, name="Onboarded on time")
    client.force_login(manager)

    burn_down = client.get(_url("burn_down_list", "onboarding", team)).content.decode()
    queue = client.get(_url("queue_list", "reviews", team)).content.decode()

    assert "No account is on this list today" in burn_down
    assert "Download CSV" not in burn_down
    assert "Nothing is waiting for a decision" in queue


def test_the_dashboards_first_five_link_to_the_full_list(client, manager, team, ann):
    for index in range(7):
        _late(ann, f"Late {index}")
        account = AccountFactory(tam=ann, name=f"Asked {index}")
        PriorityExceptionFactory(account=account, expires_on=datetime.date(2027, 1, 31))
    client.force_login(manager)

    page = client.get(reverse("dashboard:index") + f"?scope=team-{team.pk}").content.decode()

    list_url = reverse("dashboard:burn_down_list", args=["onboarding"])
    queue_url = reverse("dashboard:queue_list", args=["exceptions"])
    assert f'<a href="{list_url}?scope=team-{team.pk}">All 7 →</a>' in page
    assert f'<a href="{queue_url}?scope=team-{team.pk}">All 7 →</a>' in page


def test_health_reads_as_the_computed_band_and_score_on_the_page_and_in_the_csv(
    client, manager, team, ann
):
    _late(ann, "Scored", health=Health.YELLOW, health_score=62)
    _late(ann, "Unscored", health="")
    asked = AccountFactory(tam=ann, name="Asked", health="")
    PriorityExceptionFactory(account=asked, expires_on=datetime.date(2027, 1, 31))
    client.force_login(manager)

    page = client.get(_url("burn_down_list", "onboarding", team)).content.decode()
    rows = _csv_rows(client.get(_url("burn_down_csv", "onboarding", team)))
    queue = _csv_rows(client.get(_url("queue_csv", "exceptions", team)))
    dashboard = client.get(reverse("dashboard:index") + f"?scope=team-{team.pk}")

    assert ">Yellow 62<" in page and '<span class="muted">Unknown</span>' in page
    assert [(row["account"], row["health"], row["health_score"]) for row in rows] == [
        ("Scored", "Yellow", "62"),
        ("Unscored", "", ""),
    ]
    assert (queue[0]["health"], queue[0]["health_score"]) == ("", "")
    # The review queue's account line: every measure N/A is "unknown", not "not set".
    assert "health unknown" in dashboard.content.decode()
