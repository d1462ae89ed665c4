"""The dashboard: a hand-built team whose every figure is known in advance.

Team A (US Enterprise, manager `manager`) has two TAMs:
- ann: a1 Pr2 -> Pr1, a2 Pr2 -> Pr2, a3 unassessed -> Pr2, a4 Pr1 -> unassessed
- bob: b1 Pr1 -> Pr1, b2 Pr2 -> Pr1, b3 Pr3 -> Pr3
(FY27-Q3 -> FY27-Q4; today is 2026-11-24, in FY27-Q4). Team B belongs to another manager.
"""

import datetime
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Account, ActivityKind, Health
from metrics.models import ScopeType
from orchestration.runs import recompute
from prioritization.models import PriorityException, PriorityReview, ReviewStatus
from prioritization.services import priority_exception_request, priority_review_propose
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    ManagerFactory,
    MetricResultFactory,
    PriorityAssessmentFactory,
    PriorityExceptionFactory,
    PriorityReviewFactory,
    TamFactory,
    TeamFactory,
    metric_definition,
    region,
    segment,
)
from triage.models import RiskCase, RiskClassification, RiskReason

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)
THIS, LAST = "FY27-Q4", "FY27-Q3"
URL = "/dashboard/"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9), tick=False):
        yield


def _account(tam, name, *, this=None, last=None, **fields):
    """An engaged, onboarded account (off every clock list) with its two assessments."""
    fields.setdefault("first_engaged_on", datetime.date(2024, 3, 5))
    fields.setdefault("first_value_on", datetime.date(2024, 3, 20))
    account = AccountFactory(tam=tam, name=name, priority=this, segment=segment("named"), **fields)
    for quarter, priority in ((THIS, this), (LAST, last)):
        if priority is not None:
            PriorityAssessmentFactory(
                account=account,
                fiscal_quarter=quarter,
                computed_priority=priority,
                effective_priority=priority,
            )
    return account


@pytest.fixture
def team_a(team):
    return team


@pytest.fixture
def ann(team_a):
    return TamFactory(team=team_a, username="ann", first_name="Ann", last_name="A")


@pytest.fixture
def bob(team_a):
    return TamFactory(team=team_a, username="bob", first_name="Bob", last_name="B")


@pytest.fixture
def book(ann, bob):
    return {
        "a1": _account(ann, "Alpha 1", this=1, last=2),
        "a2": _account(ann, "Alpha 2", this=2, last=2),
        "a3": _account(ann, "Alpha 3", this=2),
        # A new customer, past every onboarding clock: on all three clock lists.
        "a4": _account(
            ann,
            "Alpha 4",
            last=1,
            customer_since=datetime.date(2026, 9, 1),
            first_engaged_on=None,
            first_value_on=None,
            onboarded_on=None,
        ),
        "b1": _account(bob, "Bravo 1", this=1, last=1),
        "b2": _account(bob, "Bravo 2", this=1, last=2),
        "b3": _account(bob, "Bravo 3", this=3, last=3),
    }


@pytest.fixture
def other_manager():
    return ManagerFactory(username="other.manager")


@pytest.fixture
def team_b(other_manager):
    return TeamFactory(name="Team B", manager=other_manager)


@pytest.fixture
def outsider_account(team_b):
    """Team B's: overdue on every clock, Pr1, with a pending exception. Never in team A's."""
    account = _account(
        TamFactory(team=team_b, username="zed"),
        "Zulu outsider",
        this=1,
        last=2,
        customer_since=datetime.date(2026, 9, 1),
        first_engaged_on=None,
        first_value_on=None,
        onboarded_on=None,
    )
    PriorityExceptionFactory(account=account)
    return account


def _get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def _json_script(response, element_id):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', response.text, re.S
    )
    assert match, f"no json_script {element_id}"
    return json.loads(match.group(1))


# --- priority mix and movements ---------------------------------------------------------------


def test_the_priority_mix_counts_each_tams_accounts_against_the_target(
    client, manager, book, outsider_account
):
    response = _get(client, manager)

    assert response.status_code == 200
    picture = response.context["priorities"]
    mixes = {mix.name: mix for mix in picture.mixes}
    assert list(mixes) == ["Ann A", "Bob B"]
    # Pr1, Pr2, Pr3, Pr4, not assessed
    assert mixes["Ann A"].ordered_counts == [1, 2, 0, 0, 1]
    assert mixes["Bob B"].ordered_counts == [2, 0, 1, 0, 0]
    # US Enterprise: about a third of Pr1 + Pr2 at Pr1. Ann 1/3 is; Bob 2/2 is not.
    assert mixes["Ann A"].on_target is True
    assert mixes["Bob B"].on_target is False
    assert picture.off_target == 1
    assert "about 33% of Pr1 + Pr2 at Pr1" in response.text
    assert "off target" in response.text


def test_the_movement_matrix_compares_with_last_quarter(client, manager, book, outsider_account):
    movements = _get(client, manager).context["priorities"].movements

    assert movements.cells == {
        (2, 1): 2,  # a1, b2
        (2, 2): 1,  # a2
        (None, 2): 1,  # a3
        (1, None): 1,  # a4
        (1, 1): 1,  # b1
        (3, 3): 1,  # b3
    }
    assert movements.moved == 4
    assert movements.column_totals == [3, 2, 1, 0, 1]


def test_the_quarter_selector_shows_an_earlier_quarter(client, manager, book):
    response = _get(client, manager, quarter=LAST)

    picture = response.context["priorities"]
    assert response.context["quarter"].label == LAST
    assert {mix.name: mix.ordered_counts for mix in picture.mixes} == {
        "Ann A": [1, 2, 0, 0, 1],  # a4 Pr1; a1, a2 Pr2; a3 unassessed
        "Bob B": [1, 1, 1, 0, 0],
    }
    # Nothing was assessed in FY27-Q2: every account comes from "not assessed".
    assert picture.movements.cells == {(None, 1): 2, (None, 2): 3, (None, 3): 1, (None, None): 1}
    assert f'<option value="{LAST}" selected>' in response.text


def test_an_unknown_quarter_falls_back_to_the_current_one_with_an_error(client, manager, book):
    response = _get(client, manager, quarter="FY99-Q1")

    assert response.status_code == 200
    assert response.context["quarter"].label == THIS
    assert "quarter" in response.context["form"].errors


# --- scope -------------------------------------------------------------------------------------


def test_a_tam_sees_their_own_team_as_the_manager_does(client, manager, ann, book, team_b):
    as_tam = _get(client, ann)
    as_manager = _get(client, manager)

    assert as_tam.status_code == 200
    assert as_tam.context["scope"].read_only is True
    picture = as_tam.context["priorities"]
    assert {mix.name: mix.ordered_counts for mix in picture.mixes} == {
        "Ann A": [1, 2, 0, 0, 1],
        "Bob B": [2, 0, 1, 0, 0],
    }
    assert picture.movements.cells == as_manager.context["priorities"].movements.cells
    assert _json_script(as_tam, "workload-data")["labels"] == ["Ann A", "Bob B"]
    assert "read-only" in as_tam.text
    # No team picker: the TAM's team is the only one, and the form has no scope field.
    assert "scope" not in as_tam.context["form"].fields
    assert f'value="team-{team_b.pk}"' not in as_tam.text


def test_a_tam_gets_404_for_another_team_a_region_or_without_a_team(
    client, ann, team_a, team_b, book
):
    assert _get(client, ann, scope=f"team-{team_a.pk}").status_code == 200
    assert _get(client, ann, scope=f"team-{team_b.pk}").status_code == 404
    assert _get(client, ann, scope=f"region-{region('us-enterprise').pk}").status_code == 404
    assert _get(client, TamFactory(team=None)).status_code == 404


def test_a_tam_of_another_team_sees_that_team_not_ours(client, book, outsider_account):
    response = _get(client, outsider_account.tam)

    assert [mix.name for mix in response.context["priorities"].mixes] == [str(outsider_account.tam)]
    assert "Alpha 1" not in response.text and "Ann A" not in response.text


def test_another_manager_sees_only_their_team_and_gets_404_for_ours(
    client, team_a, book, other_manager, outsider_account
):
    response = _get(client, other_manager)

    assert response.status_code == 200
    assert [mix.name for mix in response.context["priorities"].mixes] == [str(outsider_account.tam)]
    assert "Alpha 1" not in response.text
    assert _get(client, other_manager, scope=f"team-{team_a.pk}").status_code == 404


def test_an_admin_picks_any_team_or_the_region(
    client, admin_user, team_a, team_b, book, outsider_account
):
    as_team = _get(client, admin_user, scope=f"team-{team_a.pk}")
    as_region = _get(client, admin_user, scope=f"region-{region('us-enterprise').pk}")

    assert [mix.name for mix in as_team.context["priorities"].mixes] == ["Ann A", "Bob B"]
    assert [mix.name for mix in as_region.context["priorities"].mixes] == [
        "Ann A",
        "Bob B",
        str(outsider_account.tam),
    ]
    assert as_region.context["priorities"].movements.count(2, 1) == 3  # a1, b2, the outsider
    assert f'value="team-{team_b.pk}"' in as_team.text  # the select offers every team


def test_a_manager_of_two_teams_chooses_between_them(client, manager, team_a, book):
    second = TeamFactory(name="A second team", manager=manager)
    TamFactory(team=second, username="cy", first_name="Cy", last_name="C")

    default = _get(client, manager)
    chosen = _get(client, manager, scope=f"team-{team_a.pk}")

    assert default.context["scope"].team == second  # teams in name order
    assert [mix.name for mix in default.context["priorities"].mixes] == ["Cy C"]
    assert [mix.name for mix in chosen.context["priorities"].mixes] == ["Ann A", "Bob B"]


def test_the_menu_links_the_dashboard_for_managers_and_tams_with_a_team(client, manager, ann):
    client.force_login(manager)
    assert '<a href="/dashboard/">Dashboard</a>' in client.get(reverse("book")).text
    client.force_login(ann)
    assert '<a href="/dashboard/">Team dashboard</a>' in client.get(reverse("book")).text
    client.force_login(TamFactory(team=None))
    assert 'href="/dashboard/"' not in client.get(reverse("book")).text


# --- review queue ------------------------------------------------------------------------------


def test_the_review_queue_lists_the_teams_pending_decisions(
    client, manager, book, outsider_account
):
    pending = PriorityExceptionFactory(account=book["a2"])
    PriorityExceptionFactory(account=book["a3"], status=ReviewStatus.APPROVED)
    PriorityExceptionFactory(account=book["b3"], expires_on=datetime.date(2026, 11, 1))  # expired
    proposal = PriorityReviewFactory(account=book["b1"], fiscal_quarter=THIS)
    PriorityReviewFactory(account=book["b2"], fiscal_quarter=LAST)  # a past quarter's

    response = _get(client, manager)

    queue = response.context["queue"]
    assert [item.pk for item in queue.exceptions] == [pending.pk]
    assert [item.pk for item in queue.reviews] == [proposal.pk]
    assert (queue.exception_total, queue.review_total) == (1, 1)
    assert reverse("decide_exception", args=[pending.pk]) in response.text
    assert reverse("decide_review", args=[proposal.pk]) in response.text
    assert 'name="next"' in response.text
    assert f'id="exception-{pending.pk}-comment"' in response.text  # labels stay unique


def test_a_tam_sees_the_queue_read_only_with_their_own_requests_listed(client, ann, book):
    mine = PriorityExceptionFactory(account=book["a2"], justification="Board escalation")
    PriorityExceptionFactory(account=book["b3"], justification="Bob's reason")
    PriorityReviewFactory(account=book["b1"], fiscal_quarter=THIS, justification="Bob proposes")

    response = _get(client, ann)

    queue = response.context["queue"]
    assert [item.pk for item in queue.exceptions] == [mine.pk]
    assert queue.reviews == []
    waiting = response.context["team_waiting"]
    assert (waiting.exceptions, waiting.reviews) == (1 + 1, 1)
    assert "3 requests from" in response.text
    assert "Board escalation" in response.text
    assert "Bob&#x27;s reason" not in response.text and "Bob proposes" not in response.text
    # No decision form, and nothing posts anywhere but the log-out.
    assert "decide" not in response.text
    assert "Record decision" not in response.text
    assert response.text.count('method="post"') == 1


def test_approving_an_exception_from_the_dashboard_returns_there_and_lifts_the_priority(
    client, manager, tam, django_capture_on_commit_callbacks
):
    account = AccountFactory(tam=tam)  # named, onboarded, nothing fires: Pr2
    recompute()
    exception = priority_exception_request(
        account=account, requested_by=tam, priority=1, justification="Board escalation"
    )
    client.force_login(manager)
    back = f"{URL}?quarter={THIS}"
    assert exception.pk in [e.pk for e in client.get(back).context["queue"].exceptions]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("decide_exception", args=[exception.pk]),
            {"decision": "approve", "comment": "Agreed in the 1:1", "next": back},
        )

    assert response.status_code == 302
    assert response.url == back
    account.refresh_from_db()
    assert (account.priority, account.priority_reasons) == (1, "p1_exception;default")
    assert account.assessments.get(fiscal_quarter=THIS).effective_priority == 1
    after = client.get(back)
    assert after.context["queue"].exceptions == []
    assert "Exception approved." in after.text


def test_changing_an_emea_proposal_from_the_dashboard(client, django_capture_on_commit_callbacks):
    emea_team = TeamFactory(region=region("emea-enterprise"), manager=ManagerFactory())
    emea_tam = TamFactory(team=emea_team)
    account = AccountFactory(tam=emea_tam, region=region("emea-enterprise"))
    recompute()
    review = priority_review_propose(
        account=account, proposed_by=emea_tam, priority=1, justification="Org change coming"
    )
    client.force_login(emea_team.manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("decide_review", args=[review.pk]),
            {
                "decision": "approve",
                "decided_priority": "2",
                "comment": "Not this quarter",
                "next": URL,
            },
        )

    assert (response.status_code, response.url) == (302, URL)
    review.refresh_from_db()
    assert (review.status, review.decided_priority) == (ReviewStatus.APPROVED, 2)
    account.refresh_from_db()
    assert account.priority == 2
    assert account.assessments.get(fiscal_quarter=THIS).source == "review"


def test_an_off_site_next_is_ignored(client, manager, tam):
    account = AccountFactory(tam=tam)
    exception = PriorityExceptionFactory(account=account)
    client.force_login(manager)

    response = client.post(
        reverse("decide_exception", args=[exception.pk]),
        {"decision": "approve", "comment": "", "next": "https://evil.example/dashboard/"},
    )

    assert response.url == reverse("account_detail", args=[account.pk])
    assert PriorityException.objects.get().status == ReviewStatus.APPROVED


def test_another_manager_cannot_decide_our_queue(client, book, other_manager):
    exception = PriorityExceptionFactory(account=book["a2"])
    review = PriorityReviewFactory(account=book["b1"], fiscal_quarter=THIS)
    client.force_login(other_manager)

    for name, pk in (("decide_exception", exception.pk), ("decide_review", review.pk)):
        response = client.post(
            reverse(name, args=[pk]), {"decision": "approve", "comment": "", "next": URL}
        )
        assert response.status_code == 404
    assert PriorityReview.objects.get().status == ReviewStatus.PENDING


# --- burn-down lists ---------------------------------------------------------------------------


def test_the_burn_down_lists_count_the_teams_accounts(client, manager, book, outsider_account):
    ActivityFactory(account=book["b1"], kind=ActivityKind.CADENCE_CALL, occurred_on=TODAY)

    response = _get(client, manager)

    counts = {item.key: item.count for item in response.context["burn_down"]}
    assert counts["first_engage"] == counts["first_value"] == counts["onboarding"] == 1  # a4
    assert counts["pr1_cadence"] == 2  # a1 and b2; b1 had a call today
    assert counts["pr2_cadence"] == 2  # a2, a3
    first = {item.key: [a.name for a in item.first] for item in response.context["burn_down"]}
    assert first["pr1_cadence"] == ["Alpha 1", "Bravo 2"]
    assert "Zulu outsider" not in response.text


def test_a_tams_burn_down_lists_name_only_their_own_accounts(client, ann, bob, book):
    as_ann = {item.key: item for item in _get(client, ann).context["burn_down"]}
    as_bob_response = _get(client, bob)
    as_bob = {item.key: item for item in as_bob_response.context["burn_down"]}

    # The counts are the team's; the names are the viewer's own.
    pr1 = as_ann["pr1_cadence"]
    assert (pr1.count, pr1.own_count, pr1.others_count) == (3, 1, 2)  # a1; Bob's b1, b2
    assert [a.name for a in pr1.first] == ["Alpha 1"]
    assert [a.name for a in as_bob["pr1_cadence"].first] == ["Bravo 1", "Bravo 2"]
    assert [a.name for a in as_ann["first_engage"].first] == ["Alpha 4"]
    bob_engage = as_bob["first_engage"]
    assert (bob_engage.count, bob_engage.own_count, bob_engage.first) == (1, 0, [])
    burn_down = as_bob_response.text[as_bob_response.text.index('id="burn-down"') :]
    burn_down = burn_down[: burn_down.index("</section>")]
    assert "Alpha" not in burn_down
    assert "None of yours." in burn_down
    assert "1 held by other TAMs" in burn_down


def _hrefs(html):
    """The targets of the page's links (<a>), in-page anchors left out."""
    return set(re.findall(r'<a [^>]*href="([^"#][^"]*)"', html))


def test_a_tams_dashboard_has_no_dead_links(client, ann, book, outsider_account):
    """Every link on the TAM's view opens for the TAM: no account outside their book."""
    PriorityExceptionFactory(account=book["a2"])
    PriorityExceptionFactory(account=book["b3"])
    ActivityFactory(account=book["b1"], kind=ActivityKind.CADENCE_CALL, occurred_on=TODAY)
    response = _get(client, ann)

    links = _hrefs(response.text)
    account_links = {link for link in links if link.startswith("/accounts/")}
    own = {reverse("account_detail", args=[book[key].pk]) for key in ("a1", "a2", "a3", "a4")}
    assert account_links and account_links <= own
    for key in ("b1", "b2", "b3"):
        assert reverse("account_detail", args=[book[key].pk]) not in response.text
    assert reverse("book") in links
    for link in links:
        assert client.get(link, follow=True).status_code == 200, link


# --- metrics ------------------------------------------------------------------------------------


@pytest.fixture
def results(team_a, team_b):
    ebr = metric_definition("ebr_coverage")
    team_scope = {"scope_type": ScopeType.TEAM, "scope": str(team_a.pk), "metric": ebr}
    MetricResultFactory(
        **team_scope, fiscal_quarter=THIS, value=Decimal("0.5"), target=Decimal("0.75"),
        attained=False,
    )  # fmt: skip
    MetricResultFactory(
        **team_scope, fiscal_quarter=LAST, value=Decimal("0.25"), target=Decimal("0.75"),
        attained=False,
    )  # fmt: skip
    MetricResultFactory(
        metric=ebr, scope_type=ScopeType.SEGMENT, scope="named", fiscal_quarter=THIS,
        value=Decimal("0.6"), target=Decimal("0.5"), attained=True,
    )  # fmt: skip
    # Team A's own Named accounts, against Named's 50% target: neither figure above.
    for quarter, value in ((THIS, "0.4"), (LAST, "0.55")):
        MetricResultFactory(
            metric=ebr, scope_type=ScopeType.TEAM_SEGMENT, scope=f"{team_a.pk}:named",
            fiscal_quarter=quarter, value=Decimal(value), target=Decimal("0.5"),
            attained=Decimal(value) >= Decimal("0.5"),
        )  # fmt: skip
    MetricResultFactory(
        metric=ebr, scope_type=ScopeType.TEAM_SEGMENT, scope=f"{team_b.pk}:named",
        fiscal_quarter=THIS, value=Decimal("0.98"), target=Decimal("0.5"), attained=True,
    )  # fmt: skip
    MetricResultFactory(
        metric=ebr, scope_type=ScopeType.TEAM, scope=str(team_b.pk), fiscal_quarter=THIS,
        value=Decimal("0.99"), target=Decimal("0.75"), attained=True,
    )  # fmt: skip
    MetricResultFactory(
        metric=metric_definition("time_to_onboard"), scope_type=ScopeType.TEAM,
        scope=str(team_a.pk), fiscal_quarter=THIS, value=Decimal("41"), target=Decimal("45"),
        attained=True,
    )  # fmt: skip


def test_the_metric_table_shows_the_teams_own_figure_per_segment(
    client, manager, team_a, book, results
):
    response = _get(client, manager)

    metrics = response.context["metrics"]
    assert metrics.columns == [team_a.name, f"{team_a.name}, Named"]
    rows = {row.key: row for row in metrics.rows}
    assert set(rows) == {"ebr_coverage", "time_to_onboard"}
    team, team_named = rows["ebr_coverage"].cells
    assert (team.value, team.target, team.attained) == (Decimal("0.5"), Decimal("0.75"), False)
    # The team's Named accounts (40% against Named's 50%), not the company's Named 60%.
    assert (team_named.value, team_named.target, team_named.attained) == (
        Decimal("0.4"),
        Decimal("0.5"),
        False,
    )
    assert rows["time_to_onboard"].cells[1] is None  # nothing kept for the team's Named
    table = response.text[response.text.index('id="metric-table"') :]
    table = table[: table.index("</table>")]
    # Targets read as sentences (issue 12 point 8): EBR coverage is "at least", onboarding
    # time "at most" (DESIGN 5).
    assert "50%; target at least 75%" in table
    assert "40%; target at least 50%" in table
    assert "60%" not in table and "98%" not in table  # company-wide and team B's stay out
    assert "41 days; target within 45 days" in table
    assert "company-wide" not in response.text


def test_a_regions_segment_columns_are_company_wide_and_say_so(client, admin_user, book, results):
    response = _get(client, admin_user, scope=f"region-{region('us-enterprise').pk}")

    metrics = response.context["metrics"]
    assert metrics.columns[1] == "Named (whole company)"
    named = {row.key: row for row in metrics.rows}["ebr_coverage"].cells[1]
    assert named.value == Decimal("0.6")
    assert "company-wide benchmarks" in response.text


def test_the_trend_chart_payload_carries_six_quarters_of_the_chosen_metric(
    client, manager, team_a, book, results
):
    response = _get(client, manager, metric="ebr_coverage")

    payload = _json_script(response, "metric-trend-data")
    assert payload["labels"] == [
        "FY2026 Q3", "FY2026 Q4", "FY2027 Q1", "FY2027 Q2", "FY2027 Q3", "FY2027 Q4",
    ]  # fmt: skip
    assert payload["unit"] == "%"
    series = {item["label"]: item["values"] for item in payload["series"]}
    assert series[team_a.name] == [None, None, None, None, 25.0, 50.0]
    assert series[f"{team_a.name}, Named"] == [None, None, None, None, 55.0, 40.0]
    assert series["Target"] == [None, None, None, None, 75.0, 75.0]
    # Named's own target differs from the team's, so it has its own dashed line.
    named_target = next(item for item in payload["series"] if item.get("of"))
    assert (named_target["of"], named_target["target"]) == (f"{team_a.name}, Named", True)
    assert named_target["values"] == [None, None, None, None, 50.0, 50.0]
    # Team B's figures and the company-wide segment stay out.
    assert all(not {99.0, 98.0, 60.0} & set(values) for values in series.values())
    # The same numbers are in a table, not only in the chart.
    assert "<td>25.0</td>" in response.text


def test_the_default_trend_is_the_first_metric_with_results(client, manager, book, results):
    payload = _json_script(_get(client, manager), "metric-trend-data")

    assert payload["metric"] == "EBR coverage"


# --- workload ----------------------------------------------------------------------------------


def test_the_workload_chart_and_table_list_every_tam_against_capacity(client, manager, book):
    response = _get(client, manager)

    payload = _json_script(response, "workload-data")
    assert payload["labels"] == ["Ann A", "Bob B"]
    assert payload["capacity"] == [31.25, 31.25]
    loads = response.context["workloads"]
    assert [round(float(load.expected), 1) for load in loads] == payload["expected"]
    assert all(hours > 0 for hours in payload["expected"])
    assert 'id="workload-table"' in response.text
    assert "<script>" not in response.text  # no inline script: data only in json_script


def test_a_manager_reaches_each_tams_workload_drivers_on_today(client, manager, ann, book):
    # Issue 12 point 1: the accounts that drive a workload are on Today; the manager's
    # dashboard links each TAM's row to that TAM's week there.
    response = _get(client, manager)

    assert f'href="/today/?tam={ann.pk}#today-workload">Ann A</a>' in response.text


# --- queries ------------------------------------------------------------------------------------


def _queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL).status_code == 200
    return len(context)


def open_case(account, **fields):
    """An open risk case on `account` (DESIGN 11 "Triage register")."""
    values = {
        "reason": RiskReason.BUDGET,
        "classification": RiskClassification.EXPECTED_AVOIDABLE,
        "arr_at_risk": Decimal("1000"),
        "opened_by": account.tam,
        "opened_on": TODAY - datetime.timedelta(days=20),
        "next_update_due": TODAY + datetime.timedelta(days=7),
        **fields,
    }
    return RiskCase.objects.create(account=account, **values)


def _grow(team, tams, accounts_each):
    for t in range(tams):
        tam = TamFactory(team=team)
        for a in range(accounts_each):
            # Every other account red (on "Red without a triage case" unless it has a case).
            band = Health.RED if a % 2 else Health.GREEN
            account = _account(
                tam, f"Grown {t}-{a}", this=1 + a % 3, last=1 + (a + 1) % 3, health=band,
                health_score=30 if a % 2 else 80,
            )  # fmt: skip
            if a == 0:
                PriorityExceptionFactory(account=account)
                PriorityReviewFactory(account=account, fiscal_quarter=THIS)
            if a % 4 == 1:  # an open case, its update overdue
                open_case(account, next_update_due=TODAY - datetime.timedelta(days=a))
            if a == 1:  # one will-churn proposal per TAM: more than the queue names
                RiskCase.objects.filter(account=account).update(
                    will_churn_proposed_by=tam, will_churn_proposed_on=TODAY
                )
            ActivityFactory(account=account, occurred_on=TODAY - datetime.timedelta(days=40))
            if a % 3 == 0:  # renewing in its survey window, every other one answered
                Account.objects.filter(pk=account.pk).update(
                    renewal_date=TODAY + datetime.timedelta(days=30)
                )
                if a % 2:
                    ActivityFactory(account=account, kind=ActivityKind.SURVEY_RESPONSE,
                                    survey_kind="renewal", csat=4,
                                    occurred_on=TODAY - datetime.timedelta(days=10))  # fmt: skip


def test_the_query_count_does_not_grow_with_tams_or_accounts(client, manager, team_a, results):
    _grow(team_a, tams=1, accounts_each=2)
    small = _queries(client, manager)

    _grow(team_a, tams=6, accounts_each=8)
    large = _queries(client, manager)

    assert Account.objects.filter(tam__team=team_a).count() == 50
    assert small == large
    assert large <= 40


def test_a_regions_query_count_does_not_grow_either(client, admin_user, team_a, results):
    scope = {"scope": f"region-{team_a.region_id}"}
    client.force_login(admin_user)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL, scope).status_code == 200
        return len(context)

    _grow(team_a, tams=1, accounts_each=2)
    small = queries()

    _grow(team_a, tams=6, accounts_each=8)
    large = queries()

    assert small == large
    assert large <= 45


def test_a_tams_query_count_does_not_grow_either(client, team_a, ann, results):
    _account(ann, "Ann's own", this=1, last=1)
    _grow(team_a, tams=1, accounts_each=2)
    small = _queries(client, ann)

    _grow(team_a, tams=6, accounts_each=8)
    large = _queries(client, ann)

    assert small == large
    assert large <= 40
