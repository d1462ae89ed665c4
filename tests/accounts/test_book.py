"""The book of business page (/book/) and its CSV export (/book/export.csv).

Three people in every scope test: the owner TAM, a TAM of another team, the manager.
Today is frozen at 2026-11-20 so due dates and clocks are exact.
"""

import csv
import datetime
import html
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Activity, ActivityKind, Health, UsageSnapshot
from metrics.models import MetricDefinition, MetricTarget
from portal.book import BOOK_PAGE_SIZE, EXPORT_COLUMNS, REASON_LABELS
from prioritization import rules
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    TamFactory,
    region,
    segment,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0), tick=False):
        yield


def days_ago(days):
    return TODAY - datetime.timedelta(days=days)


def call(account, days, kind=ActivityKind.CADENCE_CALL):
    return ActivityFactory(account=account, kind=kind, occurred_on=days_ago(days))


def usage(account, days):
    return UsageSnapshot.objects.create(
        account=account, taken_on=days_ago(days), licensed_users=100, active_users=40
    )


def get_book(client, **params):
    response = client.get(reverse("book"), params)
    assert response.status_code == 200
    return response


def body(response):
    match = re.search(r"<tbody>(.*?)</tbody>", response.text, re.S)
    return match.group(1) if match else ""


def row_of(response, name):
    rows = [row for row in body(response).split("<tr>") if f">{html.escape(name)}</a>" in row]
    assert len(rows) == 1, f"{name} not shown once"
    return rows[0]


def names(response):
    found = re.findall(r'<a href="/accounts/\d+/">([^<]+)</a>', body(response))
    return [html.unescape(name) for name in found]


def export(client, **params):
    response = client.get(reverse("book_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # the BOM is for Excel
    return list(csv.DictReader(io.StringIO(text)))


# --- columns and values ------------------------------------------------------------------


def test_a_row_shows_every_column_a_tam_looks_at(client, tam):
    account = AccountFactory(
        tam=tam,
        name="Acme Corp",
        priority=1,
        priority_reasons="uptier_opportunity;churn_risk",
        segment=segment("named"),
        health=Health.RED,
        health_score=32,
        arr=Decimal("120000"),
        renewal_date=datetime.date(2027, 3, 31),
        success_plan="objectives",
    )
    call(account, 40)  # Pr1: every 30 days, so due 10 days ago
    call(account, 100, ActivityKind.EBR)
    client.force_login(tam)

    row = row_of(get_book(client), "Acme Corp")

    assert f'href="/accounts/{account.pk}/"' in row
    assert "Named" in row
    title = "Up-tier opportunity closing soon; At risk of contraction or churn"
    assert f'title="{title}">Pr1</abbr>' in row
    assert f'<span class="visually-hidden"> because: {title}</span>' in row
    # The computed band with its score (DESIGN 11).
    assert '<span class="health health-red">Red 32</span>' in row
    assert "$120,000" in row
    assert "Overdue 10 days" in row and "(due 2026-11-10)" in row
    assert "2026-08-12" in row  # last EBR, 100 days ago (one date format, issue 12)
    assert ">Objectives</span>" in row
    assert "2027-03-31" in row
    assert "Onboarded" in row  # the factory's account finished onboarding in 2024


def test_a_row_says_how_old_its_usage_data_and_health_input_are(client, tam):
    fresh = AccountFactory(tam=tam, name="Fresh", tam_sentiment_on=days_ago(40))
    usage(fresh, 19)
    usage(fresh, 12)  # the latest snapshot is what the age is read from
    usage(fresh, 26)
    AccountFactory(tam=tam, name="Unfed", tam_sentiment_on=None)
    client.force_login(tam)

    page = get_book(client)

    fresh_row, unfed_row = row_of(page, "Fresh"), row_of(page, "Unfed")
    assert "Usage data from 12 days ago" in fresh_row
    assert "Health input from 40 days ago" in fresh_row
    assert '<span class="muted">No usage data</span>' in unfed_row
    assert '<span class="muted">Health input date unknown</span>' in unfed_row


def test_sorting_by_data_age_puts_the_oldest_usage_first_and_none_last(client, tam):
    for name, days in (("Week old", 7), ("Month old", 30), ("Today", 0)):
        usage(AccountFactory(tam=tam, name=name), days)
    AccountFactory(tam=tam, name="Never fed")
    client.force_login(tam)

    assert names(get_book(client, sort="data_age")) == [
        "Month old", "Week old", "Today", "Never fed",
    ]  # fmt: skip
    assert names(get_book(client, sort="-data_age")) == [
        "Today", "Week old", "Month old", "Never fed",
    ]  # fmt: skip


def test_the_tam_column_is_for_people_who_see_several_books(client, tam, manager):
    AccountFactory(tam=tam, name="Acme Corp")
    client.force_login(tam)
    assert "TAM" not in [c.verbose_name for c in get_book(client).context["table"].columns]

    client.force_login(manager)
    response = get_book(client)

    assert "TAM" in [c.verbose_name for c in response.context["table"].columns]
    assert str(tam) in row_of(response, "Acme Corp")


def test_a_pinned_segment_shows_the_pin_and_the_computed_one(client, tam):
    AccountFactory(
        tam=tam,
        name="Pinned Ltd",
        segment=segment("mid-touch"),
        segment_override=segment("strategic"),
        segment_override_reason="Board-level sponsor",
    )
    client.force_login(tam)

    row = row_of(get_book(client), "Pinned Ltd")

    assert row.startswith('<td data-label="Account"><a href="/accounts/')
    assert "Strategic" in row and ">pinned</span>" in row
    assert "Pinned by an admin (Board-level sponsor); computed: Mid-Touch" in row


@pytest.mark.parametrize(
    ("priority", "region_code", "last_call_days", "expected"),
    [
        (1, "us-enterprise", 29, "Due 2026-11-21"),  # 30-day interval: due tomorrow
        (1, "us-enterprise", 30, "Due today"),
        (2, "us-enterprise", 75, "Overdue 15 days"),  # 60-day interval
        (2, "commercial-noram", 75, "Due 2026-12-05"),  # Commercial Pr2: 90 days
        (2, "commercial-noram", 91, "Overdue 1 day<"),
        (2, "emea-enterprise", 61, "Overdue 1 day<"),  # EMEA Pr2: 60 days, as in the US
        # Never called (the call booked for next week does not count): overdue, as the
        # dashboard's burn-down list says; before the one rule it read "due now".
        (1, "us-enterprise", None, '<span class="overdue">No call yet: overdue</span>'),
        (3, "us-enterprise", 400, "No cadence"),
        (None, "us-enterprise", None, "No cadence"),
    ],
)
def test_next_cadence_call_follows_the_priority_interval(
    client, tam, priority, region_code, last_call_days, expected
):
    account = AccountFactory(
        tam=tam, name="Cadence Co", priority=priority, region=region(region_code)
    )
    if last_call_days is not None:
        call(account, last_call_days)
    call(account, -5)  # booked for next week: not held yet, so it does not count
    client.force_login(tam)

    assert expected in row_of(get_book(client), "Cadence Co")


def test_onboarding_clocks_mark_the_late_ones(client, tam):
    AccountFactory(
        tam=tam,
        name="New Customer",
        customer_since=days_ago(20),
        first_engaged_on=None,
        first_value_on=None,
        onboarded_on=None,
    )
    AccountFactory(
        tam=tam,
        name="Halfway",
        customer_since=days_ago(50),
        first_engaged_on=days_ago(45),  # day 5 of 10
        first_value_on=days_ago(10),  # day 40 of 30: reached, after its target
        onboarded_on=None,
    )
    AccountFactory(tam=tam, name="No Start", customer_since=None, onboarded_on=None)
    client.force_login(tam)

    response = get_book(client)

    new = row_of(response, "New Customer")
    assert 'class="clock clock-late"' in new and "Engaged: late, day 20 of 10" in new
    assert "Value: day 20 of 30" in new and "Onboarded: day 20 of 45" in new
    halfway = row_of(response, "Halfway")
    assert "Engaged ✓" in halfway
    assert "Value ✓ day 40 of 30" in halfway and "clock-reached-late" in halfway
    assert "Onboarded: late, day 50 of 45" in halfway
    assert "No start date" in row_of(response, "No Start")


def test_clocks_use_the_segments_own_target(client, tam):
    MetricTarget.objects.create(
        metric=MetricDefinition.objects.get(key="time_to_onboard"),
        segment=segment("named"),
        target=60,
    )
    for name, seg in (("Named Co", "named"), ("Strategic Co", "strategic")):
        AccountFactory(
            tam=tam, name=name, segment=segment(seg), customer_since=days_ago(50), onboarded_on=None
        )
    client.force_login(tam)

    response = get_book(client)

    assert "Onboarded: day 50 of 60" in row_of(response, "Named Co")
    assert "Onboarded: late, day 50 of 45" in row_of(response, "Strategic Co")


def test_every_reason_code_the_rules_write_has_a_label():
    rule_codes = {
        rule.code
        for group in (
            rules.PRECEDENCE_RULES,
            rules.US_ENTERPRISE_RULES,
            rules.EMEA_PARAMETERS,
            rules.COMMERCIAL_RULES,
        )
        for rule in group
    }
    decision_codes = {
        "onboarding_complete", "p1_exception", "p2_exception", "emea_parameters", "default",
        "over_cap",
    }  # fmt: skip

    assert rule_codes | decision_codes <= set(REASON_LABELS)


# --- filters -----------------------------------------------------------------------------


@pytest.fixture
def mixed_book(tam):
    """Five accounts, each with one thing the filters look at."""
    made = {
        "Alpha": AccountFactory(tam=tam, name="Alpha", priority=1, health=Health.GREEN,
                                health_score=90, segment=segment("strategic")),
        # Red by the TAM's red sentiment whatever the score (DESIGN 11): a red band with a
        # score above Delta's yellow one, still sorted with the reds.
        "Bravo": AccountFactory(tam=tam, name="Bravo", priority=2, health=Health.RED,
                                health_score=70, segment=segment("named")),
        "Charlie": AccountFactory(tam=tam, name="Charlie", priority=2, health="",
                                  segment=segment("strategic"), segment_override=segment("named"),
                                  segment_override_reason="Pinned for the test"),
        "Delta": AccountFactory(tam=tam, name="Delta", priority=None, health=Health.YELLOW,
                                health_score=60),
        "Echo Alpha": AccountFactory(tam=tam, name="Echo Alpha", priority=1, health=Health.RED,
                                     health_score=40, segment=segment("mid-touch")),
    }  # fmt: skip
    call(made["Alpha"], 10)  # Pr1, on time
    call(made["Bravo"], 61)  # Pr2, one day overdue
    call(made["Echo Alpha"], 31)  # Pr1, one day overdue
    return made


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"priority": "1"}, ["Alpha", "Echo Alpha"]),
        ({"priority": "null"}, ["Delta"]),
        ({"segment": "named"}, ["Bravo", "Charlie"]),  # Charlie's pin wins
        ({"segment": "strategic"}, ["Alpha"]),
        ({"health": "red"}, ["Bravo", "Echo Alpha"]),
        ({"health": "unknown"}, ["Charlie"]),
        # Charlie (Pr2) was never called: overdue, as on the dashboard (rhythm/cadence.py).
        ({"overdue": "on"}, ["Bravo", "Charlie", "Echo Alpha"]),
        ({"q": "alpha"}, ["Alpha", "Echo Alpha"]),
        ({"q": "alpha", "priority": "1", "health": "red"}, ["Echo Alpha"]),
        ({}, ["Alpha", "Bravo", "Charlie", "Delta", "Echo Alpha"]),
    ],
)
def test_filters(client, tam, mixed_book, params, expected):
    if "segment" in params:
        params = {**params, "segment": segment(params["segment"]).pk}
    client.force_login(tam)

    response = get_book(client, **params)

    assert names(response) == expected
    # The total is counted apart from the rows (without the book's annotations).
    assert response.context["total"] == len(expected)
    assert [row["name"] for row in export(client, **params)] == expected


def test_manager_filters_by_a_tam_of_their_team_only(client, tam, manager, other_tam):
    teammate = TamFactory(team=tam.team)
    AccountFactory(tam=tam, name="Mine")
    AccountFactory(tam=teammate, name="Teammate's")
    AccountFactory(tam=other_tam, name="Elsewhere")
    client.force_login(manager)

    response = get_book(client)
    choices = list(response.context["filter"].form.fields["tam"].queryset)
    by_tam = get_book(client, tam=teammate.pk)
    outsider = get_book(client, tam=other_tam.pk)

    assert set(choices) == {tam, teammate}
    assert names(response) == ["Mine", "Teammate's"]
    assert names(by_tam) == ["Teammate's"]
    # Not a choice for this manager: the form says so, and nothing outside the scope shows.
    assert "tam" in outsider.context["filter"].form.errors
    assert "Elsewhere" not in outsider.text


def test_admin_can_filter_the_accounts_without_a_tam(client, tam, admin_user):
    AccountFactory(tam=tam, name="Owned")
    AccountFactory(tam=None, name="Orphan")
    client.force_login(admin_user)

    assert names(get_book(client)) == ["Orphan", "Owned"]
    assert names(get_book(client, tam="null")) == ["Orphan"]
    by_tam = get_book(client, tam=tam.pk)
    assert names(by_tam) == ["Owned"]
    assert '<label for="id_tam">TAM</label>' in by_tam.text
    assert '<select id="id_tam" name="tam">' in by_tam.text
    assert f'<option value="{tam.pk}" selected>{tam}</option>' in by_tam.text
    assert '<option value="null">No TAM</option>' in by_tam.text


def test_a_tam_gets_no_tam_filter_and_cannot_use_one(client, tam, other_tam):
    AccountFactory(tam=tam, name="Mine")
    AccountFactory(tam=other_tam, name="Theirs")
    client.force_login(tam)

    response = get_book(client, tam=other_tam.pk)

    assert "tam" not in response.context["filter"].form.fields
    assert names(response) == ["Mine"]


# --- sorting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["Alpha", "Bravo", "Charlie", "Delta", "Echo Alpha"]),
        ("-name", ["Echo Alpha", "Delta", "Charlie", "Bravo", "Alpha"]),
        ("priority", ["Alpha", "Echo Alpha", "Bravo", "Charlie", "Delta"]),
        ("-priority", ["Bravo", "Charlie", "Alpha", "Echo Alpha", "Delta"]),  # none last
        # Worst band first, the lower score first within it; unknown last either way.
        ("health", ["Echo Alpha", "Bravo", "Delta", "Alpha", "Charlie"]),
        ("-health", ["Alpha", "Delta", "Bravo", "Echo Alpha", "Charlie"]),
        # Overdue first, never called (Charlie, Pr2) ahead of the dated ones; Delta has no
        # cadence, last either way.
        ("next_call", ["Charlie", "Bravo", "Echo Alpha", "Alpha", "Delta"]),
        ("-next_call", ["Alpha", "Bravo", "Echo Alpha", "Charlie", "Delta"]),  # ties by name
        ("segment", ["Alpha", "Bravo", "Charlie", "Echo Alpha", "Delta"]),
        ("bogus", ["Alpha", "Bravo", "Charlie", "Delta", "Echo Alpha"]),
    ],
)
def test_sorting(client, tam, mixed_book, sort, expected):
    client.force_login(tam)

    assert names(get_book(client, sort=sort)) == expected
    assert [row["name"] for row in export(client, sort=sort)] == expected


def test_sorting_by_arr_and_last_ebr_puts_empty_values_last(client, tam):
    small = AccountFactory(tam=tam, name="Small", arr=Decimal(10))
    big = AccountFactory(tam=tam, name="Big", arr=Decimal(1000))
    AccountFactory(tam=tam, name="Unknown", arr=None)
    call(small, 5, ActivityKind.EBR)
    call(big, 50, ActivityKind.EBR)
    client.force_login(tam)

    assert names(get_book(client, sort="arr")) == ["Small", "Big", "Unknown"]
    assert names(get_book(client, sort="-arr")) == ["Big", "Small", "Unknown"]
    assert names(get_book(client, sort="-last_ebr")) == ["Small", "Big", "Unknown"]


def test_the_sorted_column_is_announced(client, tam, mixed_book):
    client.force_login(tam)

    text = get_book(client, sort="-priority").text

    assert 'aria-sort="descending"' in text
    assert "?sort=priority" in text  # clicking again sorts the other way


# --- pagination and CSV export -----------------------------------------------------------


def test_the_page_holds_50_rows_and_the_export_every_row_in_the_same_order(client, tam):
    for number in range(60):
        account = AccountFactory(tam=tam, name=f"Customer {number:02d}", priority=1 + number % 2)
        if number % 3:
            call(account, number)
    client.force_login(tam)
    params = {"sort": "-next_call"}

    first = get_book(client, **params)
    second = get_book(client, page=2, per_page=500, **params)  # per_page is not honoured
    rows = export(client, page=2, **params)  # the export ignores the page

    assert len(names(first)) == BOOK_PAGE_SIZE
    assert "Page 2 of 2 (60 accounts)" in second.text
    assert [row["name"] for row in rows] == names(first) + names(second)
    assert list(rows[0]) == list(EXPORT_COLUMNS)


def test_the_export_carries_the_values_with_reason_codes(client, tam):
    account = AccountFactory(
        tam=tam,
        name="=HYPERLINK(evil)",
        external_id="SF-1",
        priority=1,
        priority_reasons="p1_exception;default",
        segment=segment("named"),
        segment_override=segment("strategic"),
        segment_override_reason="Sponsor",
        health=Health.GREEN,
        health_score=82,
        arr=Decimal("120000.50"),
        customer_since=days_ago(20),
        first_engaged_on=days_ago(15),
        first_value_on=None,
        onboarded_on=None,
        renewal_date=datetime.date(2027, 3, 31),
        success_plan="green",
        tam_sentiment="yellow",
        tam_sentiment_on=days_ago(30),
    )
    call(account, 40)
    usage(account, 19)
    usage(account, 12)
    client.force_login(tam)

    (row,) = export(client)

    assert row == {
        "external_id": "SF-1",
        "name": "'=HYPERLINK(evil)",  # a spreadsheet must not run it
        "tam_email": tam.email,
        "region": "us-enterprise",
        "segment": "strategic",
        "segment_pinned": "true",
        "priority": "Pr1",
        "priority_reasons": "p1_exception;default",
        "health": "green",
        "arr": "120000.50",
        "customer_since": "2026-10-31",
        "first_engage_clock": "reached",
        "first_value_clock": "running",
        "onboard_clock": "running",
        "last_cadence_call": "2026-10-11",
        "next_cadence_call_due": "2026-11-10",
        "cadence_call_overdue": "true",
        "cadence_call_overdue_days": "10",
        "last_ebr": "",
        "success_plan": "green",
        "renewal_date": "2027-03-31",
        "usage_data_on": "2026-11-08",  # the latest snapshot's day
        "tam_sentiment_on": "2026-10-21",
        "tam_name": str(tam),  # the TAM's full name, for people
        "flags": "",  # paying, renewal ahead
        # For people (issue 12 point 8): the reasons in words, the segment by its name.
        "reasons": "Pr1 by approved exception; No Pr1 criterion met",
        "segment_name": "Strategic",
        "health_score": "82",  # beside `health`, the band (DESIGN 11)
        "tam_sentiment": "yellow",  # the TAM's own judgement, one input of the band
    }


def test_the_page_links_the_export_with_the_same_query(client, tam, mixed_book):
    client.force_login(tam)

    text = get_book(client, priority="1", sort="-arr", page="1").text

    assert f'href="{reverse("book_export")}?priority=1&amp;sort=-arr"' in text


# --- scope -------------------------------------------------------------------------------


def test_a_tam_never_sees_another_tams_accounts(client, tam, other_tam):
    teammate = TamFactory(team=tam.team)
    AccountFactory(tam=tam, name="Mine")
    AccountFactory(tam=teammate, name="Teammate's")
    AccountFactory(tam=other_tam, name="Theirs")
    client.force_login(tam)

    assert names(get_book(client)) == ["Mine"]
    assert names(get_book(client, q="s")) == []
    assert [row["name"] for row in export(client)] == ["Mine"]
    assert [row["name"] for row in export(client, tam=other_tam.pk)] == ["Mine"]


def test_a_manager_sees_the_team_and_an_admin_everything(
    client, tam, manager, other_tam, admin_user
):
    AccountFactory(tam=tam, name="Mine")
    AccountFactory(tam=TamFactory(team=tam.team), name="Teammate's")
    AccountFactory(tam=other_tam, name="Theirs")

    client.force_login(manager)
    assert names(get_book(client)) == ["Mine", "Teammate's"]
    assert [row["name"] for row in export(client)] == ["Mine", "Teammate's"]

    client.force_login(admin_user)
    assert names(get_book(client)) == ["Mine", "Teammate's", "Theirs"]
    assert len(export(client)) == 3


def test_the_export_requires_login(client):
    response = client.get(reverse("book_export"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- empty states ------------------------------------------------------------------------


def test_an_empty_book_says_where_accounts_come_from(client, tam):
    client.force_login(tam)

    response = get_book(client, priority="1")

    assert "No accounts in your book yet" in response.text
    assert "No accounts match" not in response.text
    assert "<table" not in response.text


def test_an_empty_team_says_so_to_the_manager(client, manager):
    client.force_login(manager)

    assert "No accounts in your team's books yet" in get_book(client).text


def test_no_match_offers_to_clear_the_filters(client, tam, mixed_book):
    client.force_login(tam)

    response = get_book(client, q="zzz", sort="-arr")

    assert "No accounts match these filters." in response.text
    assert f'<a href="{reverse("book")}?sort=-arr">Clear filters</a>' in response.text
    assert "No accounts in your book yet" not in response.text
    assert "<table" not in response.text


# --- query counts ------------------------------------------------------------------------


def _fill_book(tam, count):
    accounts = AccountFactory.create_batch(
        count, tam=tam, priority=1, priority_reasons="onboarding", segment=segment("named"),
        customer_since=days_ago(20), onboarded_on=None,
    )  # fmt: skip
    Activity.objects.bulk_create(
        Activity(account=account, kind=kind, occurred_on=days_ago(days))
        for account in accounts
        for kind, days in ((ActivityKind.CADENCE_CALL, 35), (ActivityKind.EBR, 90))
    )
    # Usage snapshots too: the data-age column reads the latest in the page query.
    UsageSnapshot.objects.bulk_create(
        UsageSnapshot(account=account, taken_on=days_ago(days), licensed_users=10, active_users=5)
        for account in accounts
        for days in (3, 10)
    )


def _queries(client, url, **params):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("who", ["tam", "manager"])
def test_the_page_costs_the_same_queries_for_20_and_500_accounts(client, tam, manager, who):
    client.force_login(tam if who == "tam" else manager)
    url, params = reverse("book"), {"sort": "-next_call", "overdue": "on"}
    _fill_book(tam, 20)
    small = _queries(client, url, **params)
    _fill_book(tam, 480)
    large = _queries(client, url, **params)

    # session, user, rhythm setting, segment choices, (manager: TAM choices), count, page
    # rows, 2 x targets
    assert small == large == (8 if who == "tam" else 9)


def test_the_export_costs_the_same_queries_for_20_and_500_accounts(client, tam):
    client.force_login(tam)
    url = reverse("book_export")
    _fill_book(tam, 20)
    small = _queries(client, url, sort="-last_ebr")
    _fill_book(tam, 480)
    large = _queries(client, url, sort="-last_ebr")

    # session, user, rhythm setting, 2 x clock targets, the rows (one cursor)
    assert small == large == 6


def test_the_empty_filtered_page_checks_the_scope_once(client, tam):
    _fill_book(tam, 3)
    client.force_login(tam)

    # session, user, rhythm setting, segment choices, count, "is the scope empty?"
    # (instead of the page rows, which an empty result does not read), 2 x clock targets
    assert _queries(client, reverse("book"), q="zzz") == 8
