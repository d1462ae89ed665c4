"""One source per rule (issue 9, point 4; DESIGN 13): every face that says whether a cadence
call is overdue says the same thing, before and after an admin edits the setting.

The faces: the book's "Next cadence call" cell (rendered rows) and its CSV, the book's
"Cadence call overdue" filter (page and CSV), the account page's "Cadence calls this
quarter" figure, the dashboard's burn-down lists (the page's counts and the full lists)
and the touch points due (rhythm.services.due_touchpoints). The accounts sit on every
boundary: last call 29/30/31, 59/60/61 and 89/90/91 days ago, never called, and called
only tomorrow (booked, not held); Pr1 and Pr2; each rule set.

The expected answer is written from DESIGN, not from the code under test: the interval
is Pr1 30 days, Pr2 60, Commercial Pr2 90 (then the admin's numbers); a call exactly
`interval` days ago is on time, one day more is overdue; never called is overdue; a call
dated in the future does not count (rhythm/cadence.py states the decisions).
"""

import csv
import datetime
import html
import io
import re

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Account
from lib.rule_sets import RuleSet
from metrics.burndown import burn_down_lists
from rhythm.services import due_touchpoints
from tests.factories import AccountFactory, ActivityFactory, region

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
REGIONS = {
    RuleSet.US_ENTERPRISE: "us-enterprise",
    RuleSet.EMEA_ENTERPRISE: "emea-enterprise",
    RuleSet.COMMERCIAL: "commercial-noram",
}
NEVER, TOMORROW_ONLY = "never called", "called tomorrow only"
CALLED = (29, 30, 31, 59, 60, 61, 89, 90, 91, NEVER, TOMORROW_ONLY)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0), tick=False):
        yield


@pytest.fixture
def grid(tam):
    """66 accounts (3 rule sets x Pr1, Pr2 x 11 histories) and a Pr3 account without
    cadence calls, all in `tam`'s book. Name -> (rule set, priority, days since the call)."""
    made = {}
    for rule_set, code in REGIONS.items():
        for priority in (1, 2):
            for called in CALLED:
                name = f"{rule_set.value} Pr{priority} {called}"
                account = AccountFactory(tam=tam, name=name, priority=priority, region=region(code))
                if called == TOMORROW_ONLY:
                    on = TODAY + datetime.timedelta(days=1)
                elif called == NEVER:
                    on = None
                else:
                    on = TODAY - datetime.timedelta(days=called)
                if on is not None:
                    ActivityFactory(account=account, kind="cadence_call", occurred_on=on)
                made[name] = (rule_set, priority, called)
    AccountFactory(tam=tam, name="Pr3 child", priority=3, region=region("us-enterprise"))
    return made


def expected_overdue(grid, pr1, pr2, commercial_pr2):
    def interval(rule_set, priority):
        if priority == 1:
            return pr1
        return commercial_pr2 if rule_set == RuleSet.COMMERCIAL else pr2

    return {
        name
        for name, (rule_set, priority, called) in grid.items()
        if called in (NEVER, TOMORROW_ONLY) or called > interval(rule_set, priority)
    }


# --- the faces --------------------------------------------------------------------------


def _book_pages(client, **params):
    """Every rendered row of the book (all pages): name -> its "Next cadence call" cell."""
    cells, page = {}, 1
    while True:
        response = client.get(reverse("book"), {**params, "page": page})
        assert response.status_code == 200
        if "<tbody>" not in response.text:
            return cells
        head = re.search(r"<thead>(.*?)</thead>", response.text, re.S)[1]
        headers = [
            re.sub(r"<[^>]+>", "", th).strip()
            for th in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)
        ]
        column = headers.index("Next cadence call")
        body = re.search(r"<tbody>(.*?)</tbody>", response.text, re.S)[1]
        for row in body.split("<tr>")[1:]:
            name = html.unescape(re.search(r'<a href="/accounts/\d+/">([^<]+)</a>', row)[1])
            cells[name] = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[column]
        if 'rel="next"' not in response.text:
            return cells
        page += 1


def _export(client, **params):
    response = client.get(reverse("book_export"), params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def book_rows_overdue(client):
    return {name for name, cell in _book_pages(client).items() if 'class="overdue"' in cell}


def book_csv_overdue(client):
    return {row["name"] for row in _export(client) if row["cadence_call_overdue"] == "true"}


def book_filter_overdue(client):
    page = set(_book_pages(client, overdue="on"))
    assert {row["name"] for row in _export(client, overdue="on")} == page
    return page


def account_page_overdue(client, tam):
    missed = set()
    for account in Account.objects.filter(tam=tam):
        response = client.get(reverse("account_detail", args=[account.pk]))
        figures = {figure.label: figure for figure in response.context["metrics"].figures}
        if figures["Cadence calls this quarter"].state == "missed":
            missed.add(account.name)
    return missed


def dashboard_overdue(client, manager, tam):
    """The full lists, and the dashboard page's counts and titles of the same lists."""
    lists = {item.key: item for item in burn_down_lists(Account.objects.filter(tam=tam), TODAY)}
    names = {
        name
        for key in ("pr1_cadence", "pr2_cadence")
        for name in lists[key].accounts.values_list("name", flat=True)
    }
    client.force_login(manager)
    shown = {item.key: item for item in client.get(reverse("dashboard:index")).context["burn_down"]}
    for key in ("pr1_cadence", "pr2_cadence"):
        assert shown[key].count == lists[key].accounts.count()
        assert shown[key].title == lists[key].title
    return names, shown["pr1_cadence"].title, shown["pr2_cadence"].title


def touchpoints_overdue(tam):
    return {item.name for item in due_touchpoints(tam, TODAY).cadence_calls if item.overdue}


def every_face(client, tam, manager):
    client.force_login(tam)
    faces = {
        "book rows": book_rows_overdue(client),
        "book CSV": book_csv_overdue(client),
        "book filter": book_filter_overdue(client),
        "account page": account_page_overdue(client, tam),
        "touch points": touchpoints_overdue(tam),
    }
    faces["dashboard"], pr1_title, pr2_title = dashboard_overdue(client, manager, tam)
    return faces, (pr1_title, pr2_title)


# --- the test ---------------------------------------------------------------------------


def test_every_face_agrees_on_overdue_cadence_calls_before_and_after_an_admin_edit(
    client, tam, manager, admin_user, grid
):
    faces, titles = every_face(client, tam, manager)

    expected = expected_overdue(grid, pr1=30, pr2=60, commercial_pr2=90)
    assert {face: names for face, names in faces.items() if names != expected} == {}
    # Spot checks of the boundary, written out (30-day Pr1, 90-day Commercial Pr2).
    assert "us_enterprise Pr1 30" not in expected and "us_enterprise Pr1 31" in expected
    assert "commercial Pr2 89" not in expected and "commercial Pr2 91" in expected
    assert "commercial Pr2 61" not in expected and "emea_enterprise Pr2 61" in expected
    assert {"us_enterprise Pr1 never called", "commercial Pr2 called tomorrow only"} <= expected
    assert "Pr3 child" not in expected
    assert titles == (
        "Pr1 without a cadence call in 30 days",
        "Pr2 without a cadence call in 60 days (Commercial 90)",
    )

    # An admin edits the one setting through its change form.
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:rhythm_rhythmsettings_change", args=[1]),
        {
            "pr1_cadence_days": 45,
            "pr2_cadence_days": 89,
            "commercial_pr2_cadence_days": 60,
            "renewal_window_days": 110,
        },
    )
    assert response.status_code == 302

    faces, titles = every_face(client, tam, manager)

    expected = expected_overdue(grid, pr1=45, pr2=89, commercial_pr2=60)
    assert {face: names for face, names in faces.items() if names != expected} == {}
    assert "us_enterprise Pr1 31" not in expected and "us_enterprise Pr1 59" in expected
    assert "emea_enterprise Pr2 89" not in expected and "emea_enterprise Pr2 90" in expected
    assert "commercial Pr2 60" not in expected and "commercial Pr2 61" in expected
    assert titles == (
        "Pr1 without a cadence call in 45 days",
        "Pr2 without a cadence call in 89 days (Commercial 60)",
    )


# --- the renewal window -----------------------------------------------------------------


def test_the_renewal_window_is_one_rule_for_the_dashboard_and_the_touch_points(
    client, tam, admin_user
):
    """Renewals 111 / 110 / 61 / 60 / 0 days away and yesterday; the dashboard's renewal
    survey list and the renewal touch points list the same accounts: those in the window
    (110 days, then 60 after the admin's edit), the renewal day included."""
    for days in (111, 110, 61, 60, 0, -1):
        AccountFactory(
            tam=tam, name=f"Renews in {days} days", renewal_date=TODAY + datetime.timedelta(days)
        )

    def faces():
        lists = {item.key: item for item in burn_down_lists(Account.objects.filter(tam=tam), TODAY)}
        survey = set(lists["renewal_survey"].accounts.values_list("name", flat=True))
        touch = {item.name for item in due_touchpoints(tam, TODAY).renewals}
        return survey, touch

    assert faces() == ({f"Renews in {d} days" for d in (110, 61, 60, 0)},) * 2

    client.force_login(admin_user)
    response = client.post(
        reverse("admin:rhythm_rhythmsettings_change", args=[1]),
        {
            "pr1_cadence_days": 30,
            "pr2_cadence_days": 60,
            "commercial_pr2_cadence_days": 90,
            "renewal_window_days": 60,
        },
    )
    assert response.status_code == 302

    assert faces() == ({f"Renews in {d} days" for d in (60, 0)},) * 2
