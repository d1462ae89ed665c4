"""The read endpoints (DESIGN 10): what an account answers, the filters, cursor pages,
404 outside the caller's scope, constant queries per page, and the throttle."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account, ActivityKind
from metrics.models import BurnDownThresholds, MetricDefinition
from tests.api.conftest import bearer, integration_key, personal_token
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    MetricResultFactory,
    PriorityAssessmentFactory,
    TamFactory,
    region,
    segment,
)

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["external_id"] for row in response.json()["results"]]


def test_an_account_answers_its_facts_reasons_and_clocks(tam):
    today = timezone.localdate()
    account = AccountFactory(
        tam=tam,
        external_id="CRM-1",
        region=region("emea-enterprise"),
        segment=segment("named"),
        priority=1,
        priority_reasons="uptier_opportunity;churn_risk",
        health="red",
        customer_since=today - datetime.timedelta(days=20),
        first_engaged_on=None,
        onboarded_on=None,
    )
    body = bearer(personal_token(tam)).get("/api/v1/accounts/CRM-1/").json()
    engage_target = int(MetricDefinition.objects.get(key="time_to_first_engage").default_target)
    assert body["external_id"] == "CRM-1"
    assert body["name"] == account.name
    assert body["region"] == "emea-enterprise"
    assert body["tam"] == tam.email
    assert body["segment"] == "named"
    assert body["segment_overridden"] is False
    assert body["priority"] == 1
    assert body["reasons"] == [
        {"code": "uptier_opportunity", "label": "Up-tier opportunity closing soon"},
        {"code": "churn_risk", "label": "At risk of contraction or churn"},
    ]
    assert body["health"] == "red"
    # DESIGN 5: every clock starts at customer-since and runs until its milestone.
    engage = body["clocks"][0]
    assert engage["name"] == "first_engage"
    assert engage["started_on"] == (today - datetime.timedelta(days=20)).isoformat()
    assert engage["running"] is True
    assert engage["days"] == 20
    assert engage["target_days"] == engage_target
    assert engage["late"] is (engage_target < 20)
    assert body["updated_at"]


def test_outside_the_scope_is_404_everywhere(tam, other_tam):
    theirs = AccountFactory(tam=other_tam, external_id="THEIRS")
    client = bearer(personal_token(tam))
    for tail in ("", "explanation/", "assessments/", "timeline/"):
        assert client.get(f"/api/v1/accounts/THEIRS/{tail}").status_code == 404, tail
    assert client.get("/api/v1/accounts/NOBODY/").status_code == 404
    # The same account, for its own TAM, exists.
    assert bearer(personal_token(other_tam)).get("/api/v1/accounts/THEIRS/").status_code == 200
    assert theirs.external_id not in _ids(client.get("/api/v1/accounts/"))


def test_the_explanation_lists_every_rule_fired_or_not(tam):
    AccountFactory(tam=tam, external_id="CRM-2", managed=False, parent=AccountFactory(tam=tam))
    body = bearer(personal_token(tam)).get("/api/v1/accounts/CRM-2/explanation/").json()
    checks = {check["code"]: check for check in body["checks"]}
    # DESIGN 4 step 1: an unmanaged child account is Pr3, whatever follows.
    assert body["priority"] == 3
    assert body["reasons"] == [{"code": "unmanaged_child", "label": "Unmanaged child account"}]
    assert checks["unmanaged_child"]["fired"] is True
    assert checks["unmanaged_child"]["facts"] == {"child_account": True, "managed": False}
    assert checks["exception"]["fired"] is False
    assert "onboarding" in checks


def test_assessments_are_per_quarter_newest_first(tam, account):
    PriorityAssessmentFactory(account=account, fiscal_quarter="FY27-Q3", reasons="default")
    PriorityAssessmentFactory(
        account=account,
        fiscal_quarter="FY27-Q4",
        computed_priority=2,
        effective_priority=1,
        source="exception",
        reasons="p1_exception;default",
        decided_by=tam,
    )
    rows = (
        bearer(personal_token(tam))
        .get(f"/api/v1/accounts/{account.external_id}/assessments/")
        .json()
    )
    assert [row["quarter"] for row in rows] == ["FY27-Q4", "FY27-Q3"]
    assert rows[0]["effective_priority"] == 1
    assert [reason["code"] for reason in rows[0]["reasons"]] == ["p1_exception", "default"]
    assert rows[0]["decided_by"] == tam.email
    assert rows[1]["decided_by"] is None


def test_the_timeline_pages_newest_first(tam, account):
    for day in (1, 3, 2):
        ActivityFactory(account=account, occurred_on=datetime.date(2026, 11, day), logged_by=tam)
    ActivityFactory(kind=ActivityKind.EBR)  # another account's
    client = bearer(personal_token(tam))
    first = client.get(f"/api/v1/accounts/{account.external_id}/timeline/?page_size=2").json()
    assert [row["occurred_on"] for row in first["results"]] == ["2026-11-03", "2026-11-02"]
    assert first["results"][0]["logged_by"] == tam.email
    rest = client.get(first["next"]).json()
    assert [row["occurred_on"] for row in rest["results"]] == ["2026-11-01"]
    assert rest["next"] is None


# --- filters -------------------------------------------------------------------------------


@pytest.fixture
def varied(tam):
    other = TamFactory(team=tam.team)
    return {
        "a": AccountFactory(
            tam=tam,
            region=region("emea-enterprise"),
            priority=1,
            health="red",
            segment=segment("named"),
        ),
        "b": AccountFactory(
            tam=tam,
            priority=2,
            health="green",
            segment=segment("named"),
            segment_override=segment("strategic"),
            segment_override_reason="Board-level sponsor.",
        ),
        "c": AccountFactory(tam=other, priority=1, health="green", segment=segment("strategic")),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("region=emea-enterprise", {"a"}),
        ("priority=1", {"a", "c"}),
        ("health=green", {"b", "c"}),
        # The effective segment: b is pinned to Strategic over its computed Named.
        ("segment=strategic", {"b", "c"}),
        ("segment=named", {"a"}),
        ("priority=1&health=green", {"c"}),
        ("region=nowhere", set()),
    ],
)
def test_account_filters(manager, varied, query, expected):
    ids = _ids(bearer(personal_token(manager)).get(f"/api/v1/accounts/?{query}"))
    assert set(ids) == {varied[key].external_id for key in expected}


def test_the_tam_filter_takes_an_email_in_any_case(manager, tam, varied):
    ids = _ids(bearer(personal_token(manager)).get(f"/api/v1/accounts/?tam={tam.email.upper()}"))
    assert set(ids) == {varied["a"].external_id, varied["b"].external_id}


@pytest.mark.parametrize("query", ["priority=5", "health=purple", "updated_since=yesterday"])
def test_a_malformed_filter_is_a_400(tam, query):
    assert bearer(personal_token(tam)).get(f"/api/v1/accounts/?{query}").status_code == 400


def test_updated_since_returns_what_changed_at_or_after_it(tam, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC), tick=False)
    old = AccountFactory(tam=tam)
    time_machine.move_to(datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC), tick=False)
    new = AccountFactory(tam=tam)
    client = bearer(personal_token(tam))
    assert _ids(client.get("/api/v1/accounts/?updated_since=2026-11-02T09:00:00Z")) == [
        new.external_id
    ]
    old.name = "Renamed"
    old.save()
    assert set(_ids(client.get("/api/v1/accounts/?updated_since=2026-11-02T00:00:00Z"))) == {
        old.external_id,
        new.external_id,
    }


def test_cursor_pages_cover_every_account_once(tam):
    made = {AccountFactory(tam=tam).external_id for _ in range(5)}
    client = bearer(personal_token(tam))
    seen, url, pages = [], "/api/v1/accounts/?page_size=2", 0
    while url:
        body = client.get(url).json()
        seen += [row["external_id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 3
    assert sorted(seen) == sorted(made)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/accounts/?page_size={n}",
        "/api/v1/burndown/first_engage/?page_size={n}",
        "/api/v1/metrics/?page_size={n}",
        "/api/v1/accounts/{account}/timeline/?page_size={n}",
    ],
)
def test_queries_do_not_grow_with_the_page(manager, tam, url):
    """Same queries for a page of 2 and a page of 8 (the session client: a token's
    last-used write happens once a minute, which would blur the comparison)."""
    long_ago = timezone.localdate() - datetime.timedelta(days=400)
    accounts = [
        AccountFactory(
            tam=tam, segment=segment("named"), customer_since=long_ago, first_engaged_on=None
        )
        for _ in range(8)
    ]
    for account in accounts:
        ActivityFactory(account=accounts[0], logged_by=tam, occurred_on=account.customer_since)
        MetricResultFactory(
            scope_type="team",
            scope=str(tam.team_id),
            fiscal_quarter=f"FY{20 + accounts.index(account)}-Q1",
        )
    client = _signed_in(manager)
    counts = []
    for n in (2, 8):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url.format(n=n, account=accounts[0].external_id))
        assert len(response.json()["results"]) == n
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- metrics and burn-down -------------------------------------------------------------


def test_metrics_are_those_the_dashboard_shows(tam, other_tam, admin_user):
    own_team = MetricResultFactory(scope_type="team", scope=str(tam.team_id))
    own_team_segment = MetricResultFactory(scope_type="team_segment", scope=f"{tam.team_id}:named")
    MetricResultFactory(scope_type="team", scope=str(other_tam.team_id))
    company = MetricResultFactory(scope_type="company", scope="all")

    def scopes(client, query=""):
        response = client.get(f"/api/v1/metrics/?{query}")
        assert response.status_code == 200, response.content
        return {(row["scope_type"], row["scope"]) for row in response.json()["results"]}

    as_tam = bearer(personal_token(tam))
    assert scopes(as_tam) == {("team", own_team.scope), ("team_segment", own_team_segment.scope)}
    assert scopes(as_tam, "scope_type=team") == {("team", own_team.scope)}
    assert ("company", company.scope) in scopes(bearer(personal_token(admin_user)))
    assert len(scopes(bearer(integration_key()))) == 4


def test_metric_filters(admin_user):
    MetricResultFactory(fiscal_quarter="FY27-Q3")
    MetricResultFactory(fiscal_quarter="FY27-Q4")
    MetricResultFactory(
        fiscal_quarter="FY27-Q4", metric=MetricDefinition.objects.get(key="time_to_first_engage")
    )
    client = bearer(personal_token(admin_user))
    rows = client.get("/api/v1/metrics/?quarter=FY27-Q4&metric=ebr_coverage").json()["results"]
    assert [(row["metric"], row["quarter"], row["value"]) for row in rows] == [
        ("ebr_coverage", "FY27-Q4", "0.7500")
    ]
    assert client.get("/api/v1/metrics/?scope_type=galaxy").status_code == 400


def test_a_burn_down_list_is_the_callers_accounts_on_it(tam, other_tam):
    days = BurnDownThresholds.current().first_engage_days
    overdue_since = timezone.localdate() - datetime.timedelta(days=days + 1)
    late = AccountFactory(tam=tam, customer_since=overdue_since, first_engaged_on=None)
    AccountFactory(tam=tam, customer_since=overdue_since, first_engaged_on=overdue_since)
    AccountFactory(tam=other_tam, customer_since=overdue_since, first_engaged_on=None)
    client = bearer(personal_token(tam))
    assert _ids(client.get("/api/v1/burndown/first_engage/")) == [late.external_id]
    assert client.get("/api/v1/burndown/no_such_list/").status_code == 404


# --- throttling --------------------------------------------------------------------------


def test_each_credential_has_its_own_budget_and_then_gets_429(settings, tam):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "3/minute"},
    }
    key, token = bearer(integration_key()), bearer(personal_token(tam))
    assert [key.get("/api/v1/accounts/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert "Retry-After" in key.get("/api/v1/accounts/").headers
    assert token.get("/api/v1/accounts/").status_code == 200
    assert Account.objects.count() == 0


def test_updated_since_takes_any_iso_offset_and_moments_beyond_utc(tam, time_machine):
    """ISO 8601 allows offsets up to 23:59 (PostgreSQL only 15:59) and a year-1 moment whose
    UTC falls before year 1: each is a plain answer, never a server error."""
    time_machine.move_to(datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC), tick=False)
    account = AccountFactory(tam=tam)
    client = bearer(personal_token(tam))

    # 2026-11-01T20:00-23:00 is 2026-11-02T19:00 UTC: after the change
    assert _ids(client.get("/api/v1/accounts/?updated_since=2026-11-01T20:00:00-23:00")) == []
    assert _ids(client.get("/api/v1/accounts/?updated_since=2026-11-01T20:00:00%2B23:00")) == [
        account.external_id
    ]
    assert _ids(client.get("/api/v1/accounts/?updated_since=0001-01-01T00:00:00%2B05:00")) == [
        account.external_id
    ]
    assert _ids(client.get("/api/v1/accounts/?updated_since=9999-12-31T23:00:00-05:00")) == []
