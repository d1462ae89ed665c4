"""The admin's whole-company dashboard (issue 12, point 9).

Built on test_dashboard's team A (US Enterprise: this quarter a1, b1, b2 at Pr1, a2, a3
at Pr2, b3 at Pr3, a4 not assessed) plus an EMEA Enterprise team whose one TAM holds one
Pr1 and one Pr2 account. Page 004's targets (dashboard/mix.py): US Enterprise about a
third of Pr1 + Pr2 at Pr1 (within 10 points), EMEA 5 to 8 Pr1 per TAM.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard import company
from lib.fiscal import quarter_text
from metrics.models import ScopeType
from tests.dashboard import test_dashboard as team_dashboard
from tests.dashboard.test_dashboard import THIS, URL, _account, _get, _grow
from tests.factories import (
    ManagerFactory,
    MetricResultFactory,
    PriorityExceptionFactory,
    TamFactory,
    TeamFactory,
    metric_definition,
    region,
)

pytestmark = pytest.mark.django_db

# Team A's fixtures, the hand-built book test_dashboard's figures are known for.
_today, team_a, ann, bob, book = (
    team_dashboard._today, team_dashboard.team_a, team_dashboard.ann, team_dashboard.bob,
    team_dashboard.book,
)  # fmt: skip


@pytest.fixture
def emea_tam():
    team = TeamFactory(name="EMEA One", region=region("emea-enterprise"), manager=ManagerFactory())
    tam = TamFactory(team=team, username="emil", first_name="Emil", last_name="E")
    emea = region("emea-enterprise")
    _account(tam, "Echo 1", this=1, last=1, region=emea)
    _account(tam, "Echo 2", this=2, last=1, region=emea)
    return tam


def test_an_admin_sees_every_regions_mix_against_its_own_target(client, admin_user, book, emea_tam):
    response = _get(client, admin_user, scope="company")

    assert response.status_code == 200
    picture = response.context["priorities"]
    regions = {mix.name: mix for mix in picture.regions}
    assert len(regions) == 7  # every seeded region, with or without accounts
    us = regions["US Enterprise"]
    assert us.ordered_counts == [3, 2, 1, 0, 1]
    # 3 of 5 at Pr1 is 60%, more than 10 points above a third.
    assert (us.pr1_share, us.on_target, us.standing) == (Decimal("0.6"), False, "off target")
    emea = regions["EMEA Enterprise"]
    assert emea.ordered_counts == [1, 1, 0, 0, 0]
    # Emil's one Pr1 is below the 5-8 band.
    assert (emea.on_target, emea.standing) == (False, "1 of 1 TAMs outside the band")
    assert regions["Commercial NORAM"].standing == "no Pr1 target"
    # Movements across the company: a1, b2 and Echo 2 changed (Pr2->Pr1, Pr2->Pr1, Pr1->Pr2).
    assert picture.movements.count(2, 1) == 2
    assert picture.movements.count(1, 2) == 1
    assert picture.movements.moved == 5  # and a3 (none->Pr2), a4 (Pr1->none)
    text = response.text
    assert 'id="region-mix-table"' in text and "1 of 1 TAMs outside the band" in text
    assert "Dashboard: Whole company" in text
    # The quarter as people say it (DESIGN 12), not its stored label.
    assert f"from the {quarter_text(THIS)} assessments" in text
    # Every TAM's workload, the team beside each.
    assert [load.name for load in response.context["workloads"]] == ["Ann A", "Bob B", "Emil E"]
    assert "EMEA One" in text


def test_the_company_offers_the_whole_companys_metrics_and_queue(
    client, admin_user, book, emea_tam
):
    ebr = metric_definition("ebr_coverage")
    for scope_type, scope, value in (
        (ScopeType.COMPANY, "all", "0.7"),
        (ScopeType.SEGMENT, "named", "0.6"),
    ):
        MetricResultFactory(
            metric=ebr, scope_type=scope_type, scope=scope, fiscal_quarter=THIS,
            value=Decimal(value), target=Decimal("0.75"), attained=False,
        )  # fmt: skip
    PriorityExceptionFactory(account=book["a2"])

    response = _get(client, admin_user, scope="company")

    metrics = response.context["metrics"]
    assert metrics.columns == ["Whole company", "Named (whole company)"]
    company_cell, named_cell = metrics.rows[0].cells
    assert (company_cell.value, named_cell.value) == (Decimal("0.7"), Decimal("0.6"))
    assert response.context["queue"].exception_total == 1
    queue_page = client.get(
        reverse("dashboard:queue_list", args=["exceptions"]), {"scope": "company"}
    )
    assert queue_page.status_code == 200
    assert "Alpha 2" in queue_page.text


def test_managers_and_tams_are_not_offered_the_company_and_get_404(client, manager, ann, book):
    own = _get(client, manager)
    forced = _get(client, manager, scope="company")
    as_tam = _get(client, ann, scope="company")
    forced_list = client.get(
        reverse("dashboard:queue_list", args=["exceptions"]), {"scope": "company"}
    )

    assert own.status_code == 200 and 'value="company"' not in own.text
    assert (forced.status_code, as_tam.status_code, forced_list.status_code) == (404, 404, 404)


def test_an_admin_is_offered_the_company_in_the_scope_select(client, admin_user, book):
    response = _get(client, admin_user)

    assert 'value="company"' in response.text
    assert response.context["scope"].key.startswith("team-")  # the first team stays the default


def test_the_workload_table_pages_through_every_tam(
    client, admin_user, book, emea_tam, monkeypatch
):
    monkeypatch.setattr(company, "WORKLOAD_PAGE_SIZE", 2)

    first = _get(client, admin_user, scope="company", quarter=THIS)
    second = _get(client, admin_user, scope="company", quarter=THIS, workload_page="2")

    assert [load.name for load in first.context["workloads"]] == ["Ann A", "Bob B"]
    assert [load.name for load in second.context["workloads"]] == ["Emil E"]
    assert f"scope=company&amp;quarter={THIS}&amp;workload_page=2" in first.text


def _company_queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL, {"scope": "company"}).status_code == 200
    return len(context)


def test_the_company_query_count_does_not_grow_with_teams_tams_or_accounts(
    client, admin_user, team_a, emea_tam
):
    _grow(team_a, tams=1, accounts_each=2)
    small = _company_queries(client, admin_user)

    _grow(team_a, tams=4, accounts_each=6)
    for name in ("Team C", "Team D"):
        _grow(TeamFactory(name=name, region=region("apac-enterprise")), tams=3, accounts_each=3)
    large = _company_queries(client, admin_user)

    assert small == large
    assert large <= 45
