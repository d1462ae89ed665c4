"""The dashboard's health and triage panels and the "Red without a triage case" burn-down
list (DESIGN 11: "the dashboard use[s] the computed band"; "the dashboard shows the
team's open cases, overdue updates, and ARR at risk by reason and classification";
"when an account's band turns red without an open case, it is listed").

An open case is `open` or `will_churn`; a closed one (saved, downgraded, churned) counts
nowhere. An update is overdue when its day is before today: due today is not overdue yet.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Health
from tests.dashboard.test_dashboard import TODAY, URL, _account, open_case
from tests.factories import AdminFactory, ManagerFactory, TamFactory, TeamFactory
from triage.models import CaseStatus, RiskClassification, RiskReason

pytestmark = pytest.mark.django_db

YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9), tick=False):
        yield


@pytest.fixture
def ann(team):
    return TamFactory(team=team, username="ann", first_name="Ann", last_name="A")


@pytest.fixture
def elsewhere():
    """A TAM of another team, whose accounts and cases the team's figures leave out."""
    return TamFactory(team=TeamFactory(name="Team B", manager=ManagerFactory(username="mgr.b")))


@pytest.fixture
def triage_book(ann, elsewhere):
    """Six accounts of the team, by band; two open cases (one overdue), one closed."""
    made = {
        "Green 1": _account(ann, "Green 1", health=Health.GREEN, health_score=90),
        "Green 2": _account(ann, "Green 2", health=Health.GREEN, health_score=76),
        "Yellow": _account(ann, "Yellow", health=Health.YELLOW, health_score=60),
        "Red cased": _account(ann, "Red cased", health=Health.RED, health_score=20),
        "Red bare": _account(ann, "Red bare", health=Health.RED, health_score=35),
        "Red saved": _account(ann, "Red saved", health=Health.RED, health_score=45),
        "Unknown": _account(ann, "Unknown", health=""),
        "Theirs": _account(elsewhere, "Theirs", health=Health.RED, health_score=10),
    }
    open_case(
        made["Red cased"],
        reason=RiskReason.COMPETITION,
        classification=RiskClassification.UNEXPECTED_AVOIDABLE,
        arr_at_risk=Decimal("50000"),
        next_update_due=YESTERDAY,  # overdue by a day
    )
    open_case(
        made["Yellow"],
        reason=RiskReason.BUDGET,
        classification=RiskClassification.EXPECTED_AVOIDABLE,
        arr_at_risk=Decimal("20000"),
        next_update_due=TODAY,  # due today: not overdue yet
    )
    open_case(
        made["Red saved"],
        status=CaseStatus.SAVED,
        closed_on=YESTERDAY,
        outcome_comment="Renewed after the migration.",
        next_update_due=None,
        arr_at_risk=Decimal("99000"),
    )
    open_case(made["Theirs"], arr_at_risk=Decimal("70000"), next_update_due=YESTERDAY)
    return made


def _dashboard(client, user, **query):
    client.force_login(user)
    return client.get(URL, query)


def test_the_health_panel_counts_the_scopes_accounts_by_computed_band(
    client, manager, team, triage_book
):
    response = _dashboard(client, manager)

    panel = response.context["health"]
    # 7 accounts of the team: 2 green, 1 yellow, 3 red, 1 unknown; "Theirs" is elsewhere.
    assert panel.total == 7
    assert [(band.key, band.count) for band in panel.bands] == [
        ("green", 2), ("yellow", 1), ("red", 3), ("unknown", 1),
    ]  # fmt: skip
    assert [round(band.share, 3) for band in panel.bands] == [0.286, 0.143, 0.429, 0.143]
    page = response.content.decode()
    assert '<span class="health health-red">Red</span></th><td>3</td><td>43%</td>' in page


def test_the_triage_panel_counts_open_cases_overdue_updates_and_arr_at_risk(
    client, manager, team, triage_book
):
    response = _dashboard(client, manager)

    triage = response.context["triage"]
    # Two open cases (the saved one is closed, the other team's is not the team's).
    assert triage.open_cases == 2
    assert triage.overdue_updates == 1  # yesterday's; today's is not overdue yet
    by_reason = [
        (line.label, line.cases, line.arr_at_risk) for line in triage.arr_at_risk.by_reason
    ]
    assert by_reason == [("Competition", 1, Decimal("50000")), ("Budget", 1, Decimal("20000"))]
    by_class = [(line.code, line.arr_at_risk) for line in triage.arr_at_risk.by_classification]
    assert by_class == [
        ("expected_avoidable", Decimal("20000")),
        ("unexpected_avoidable", Decimal("50000")),
    ]
    page = response.content.decode()
    assert "2 open risk cases, $70,000 ARR at risk" in page
    assert "<strong>1 update overdue</strong>" in page
    assert f'<a href="{reverse("triage_register")}">The triage register, every case' in page
    assert '<th scope="row">Competition</th><td>1</td><td>$50,000</td>' in page


def test_an_empty_scope_says_so_without_dividing_by_zero(client, manager, team):
    response = _dashboard(client, manager)

    assert response.context["health"].total == 0
    assert all(band.share is None for band in response.context["health"].bands)
    assert "0 open risk cases; no update overdue." in response.content.decode()


def test_red_without_a_triage_case_is_a_burn_down_list_with_its_full_page_and_csv(
    client, manager, team, triage_book
):
    response = _dashboard(client, manager)

    (summary,) = [item for item in response.context["burn_down"] if item.key == "red_without_case"]
    # Red bare (no case) and Red saved (its case is closed) are listed; Red cased has an
    # open case; green, yellow and unknown are not red; Theirs is another team's.
    assert summary.title == "Red without a triage case"
    assert [account.name for account in summary.first] == ["Red bare", "Red saved"]
    assert summary.count == 2

    url = reverse("dashboard:burn_down_list", args=["red_without_case"])
    page = client.get(url, {"scope": f"team-{team.pk}", "sort": "health"})
    names = [row.record.name for row in page.context["table"].paginated_rows]
    assert names == ["Red bare", "Red saved"]  # the lower score first within red
    csv_response = client.get(
        reverse("dashboard:burn_down_csv", args=["red_without_case"]),
        {"scope": f"team-{team.pk}", "sort": "-health"},
    )
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["account"], row["health"], row["health_score"]) for row in rows] == [
        ("Red saved", "Red", "45"),
        ("Red bare", "Red", "35"),
    ]


def test_the_company_scope_shows_every_account_and_case(client, team, triage_book):
    response = _dashboard(client, AdminFactory(), scope="company")

    assert response.status_code == 200
    assert response.context["health"].total == 8
    assert response.context["triage"].open_cases == 3
    assert response.context["triage"].overdue_updates == 2
    (summary,) = [item for item in response.context["burn_down"] if item.key == "red_without_case"]
    assert summary.count == 2  # "Theirs" is red with an open case


def test_a_tams_team_view_counts_the_team_and_names_only_their_own(client, team, ann, triage_book):
    teammate = TamFactory(team=team, username="bob")
    _account(teammate, "Bob's red", health=Health.RED, health_score=5)

    response = _dashboard(client, ann)

    assert response.context["health"].total == 8
    assert response.context["triage"].open_cases == 2
    (summary,) = [item for item in response.context["burn_down"] if item.key == "red_without_case"]
    assert summary.count == 3 and summary.own_count == 2
    assert [account.name for account in summary.first] == ["Red bare", "Red saved"]
