"""The Django admin: every page renders, and the big change lists stay cheap."""

import datetime
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Account, Activity, Contact, Region, UsageSnapshot
from api.models import IntegrationKey, PersonalToken
from core.large_admin import EstimatedCountPaginator
from core.models import AuditEntry
from health.models import HealthHistory
from ingestion.models import Feed, ImportRecord
from metrics.models import BurnDownThresholds, MetricResult
from orchestration.models import RecomputeRun
from people.models import SecuritySettings
from prioritization.models import DecisionSettings, PriorityAssessment, RuleSetParameters
from rhythm.models import RhythmSettings
from segments.codes import SegmentCode
from segments.models import Segment
from tests.admin_forms import inline_form_data
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    ArrSnapshotFactory,
    DisengagementFactory,
    EngagementFactory,
    InitiativeFactory,
    MetricResultFactory,
    OpportunityFactory,
    PriorityAssessmentFactory,
    PriorityExceptionFactory,
    PriorityReviewFactory,
    StageAdoptionFactory,
    SuccessPlanObjectiveFactory,
    WebinarFactory,
)
from triage.models import RiskCase, RiskCaseUpdate, TriageSettings

REGISTERED_MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)
MODEL_IDS = [model._meta.label for model in REGISTERED_MODELS]


def _admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def one_of_each(account):
    """At least one row of every registered model; the rest are seeded by migrations."""
    failed_sign_in = {"username": account.tam.username, "ip_address": "203.0.113.9"}
    AccessAttempt.objects.create(**failed_sign_in, failures_since_start=5)
    AccessFailureLog.objects.create(**failed_sign_in, locked_out=True)
    webinar = WebinarFactory(host=account.tam)
    OpportunityFactory(account=account)
    InitiativeFactory(account=account)
    StageAdoptionFactory(account=account)
    SuccessPlanObjectiveFactory(account=account)
    ActivityFactory(account=account, logged_by=account.tam)
    ActivityFactory(
        account=account, kind="webinar_attendance", webinar=webinar, stayed_whole_session=True
    )
    ArrSnapshotFactory(account=account)
    Contact.objects.create(account=account, external_id="C-1", name="Ada", role="champion")
    Feed.objects.create(
        kind="contacts",
        last_fed_at=datetime.datetime(2026, 11, 23, tzinfo=datetime.UTC),
        source="contacts.csv",
        rows=1,
    )
    ImportRecord.objects.create(kind="contacts", file_names="contacts.csv")
    PriorityAssessmentFactory(account=account, decided_by=account.tam)
    PriorityExceptionFactory(account=account)
    PriorityReviewFactory(account=account)
    MetricResultFactory()
    RecomputeRun.objects.create(trigger="nightly", as_of=datetime.date(2026, 11, 22))
    HealthHistory.objects.create(
        account=account, on=datetime.date(2026, 11, 22), score=80, band="green"
    )
    UsageSnapshot.objects.create(
        account=account, taken_on=datetime.date(2026, 11, 16), licensed_users=50, active_users=9
    )
    Group.objects.create(name="TAM operations")
    engagement = EngagementFactory(account=account, created_by=account.tam)
    DisengagementFactory(account=account, engagement=engagement, recorded_by=account.tam)
    IntegrationKey.objects.create(name="CRM sync", prefix="crm00001", digest="0" * 64)
    PersonalToken.objects.create(user=account.tam, name="script", prefix="tam00001", digest="0")
    AuditEntry.objects.create(
        action="changed", model="rhythm.rhythmsettings", object_id="1", object_label="Rhythm"
    )
    case = RiskCase.objects.create(
        account=account,
        reason="budget",
        classification="expected_avoidable",
        arr_at_risk=10_000,
        opened_by=account.tam,
        opened_on=datetime.date(2026, 11, 2),
        next_update_due=datetime.date(2026, 11, 16),
    )
    RiskCaseUpdate.objects.create(
        case=case, on=datetime.date(2026, 11, 2), note="Budget cut announced.", by=account.tam
    )
    return account


def test_every_project_model_is_registered():
    project_apps = [
        "people",
        "accounts",
        "segments",
        "prioritization",
        "metrics",
        "rhythm",
        "health",
        "triage",
    ]
    models = [model for app in project_apps for model in apps.get_app_config(app).get_models()]

    assert [model._meta.label for model in models if model not in admin.site._registry] == []


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=MODEL_IDS)
def test_changelist_lists_rows(admin_client, one_of_each, model):
    response = admin_client.get(_admin_url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


# Logs the system writes (people read them but add nothing) and one-row settings that
# a data migration created.
NO_ADD_PAGE = {
    RecomputeRun,
    PriorityAssessment,
    MetricResult,
    BurnDownThresholds,
    RhythmSettings,
    Feed,
    ImportRecord,
    AuditEntry,
    DecisionSettings,
    HealthHistory,
    TriageSettings,
    RiskCase,
    RiskCaseUpdate,
}

# django-axes' sign-in logs (written by sign-ins, deleted to unlock) and the sign-in settings.
NO_ADD_PAGE |= {AccessAttempt, AccessFailureLog, AccessLog, SecuritySettings}


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=MODEL_IDS)
def test_add_page_renders(admin_client, model):
    response = admin_client.get(_admin_url(model, "add"))

    assert response.status_code == (403 if model in NO_ADD_PAGE else 200)


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=MODEL_IDS)
def test_change_page_renders(admin_client, one_of_each, model):
    obj = model._default_manager.order_by("pk").first()

    response = admin_client.get(_admin_url(model, "change", obj.pk))

    assert response.status_code == 200


def test_account_change_page_shows_facts_inlines_and_computed_fields(admin_client, one_of_each):
    one_of_each.priority = 1
    one_of_each.priority_reasons = "uptier_opportunity;churn_risk"
    one_of_each.save(update_fields=["priority", "priority_reasons"])

    response = admin_client.get(_admin_url(Account, "change", one_of_each.pk))

    assert response.status_code == 200
    assert b"uptier_opportunity;churn_risk" in response.content
    prefixes = {inline.formset.prefix for inline in response.context["inline_admin_formsets"]}
    assert prefixes == {"opportunities", "initiatives", "stage_adoptions", "objectives"}
    # Computed fields are shown, not editable.
    assert "segment" not in response.context["adminform"].form.fields
    assert "priority" not in response.context["adminform"].form.fields


def test_account_changelist_marks_a_pinned_segment(admin_client, account):
    account.segment_override = Segment.objects.get(code="strategic")
    account.segment_override_reason = "Key logo in a new market."
    account.save(update_fields=["segment_override", "segment_override_reason"])

    response = admin_client.get(_admin_url(Account, "changelist"))

    assert b"Strategic (pinned)" in response.content


@pytest.mark.parametrize(
    ("factory", "model"), [(AccountFactory, Account), (ActivityFactory, Activity)]
)
def test_big_changelists_do_not_query_per_row(admin_client, factory, model, monkeypatch):
    # Exact counts here: PostgreSQL's statistics outlive the tests that filled the table
    # before (a benchmark-sized portfolio), and the estimate would count their rows.
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_from", 10**12)
    factory()
    url = _admin_url(model, "changelist")
    admin_client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as few_rows:
        admin_client.get(url)
    factory.create_batch(4)
    with CaptureQueriesContext(connection) as more_rows:
        response = admin_client.get(url)

    assert response.context["cl"].result_count == 5
    # Related rows come from list_select_related: five rows cost what one row costs.
    assert len(more_rows) == len(few_rows)
    # No full-table COUNT(*) beside the paginator's own (show_full_result_count = False).
    assert sum("COUNT(" in query["sql"] for query in more_rows.captured_queries) == 1


def test_account_search_finds_by_exact_external_id_and_by_name(admin_client):
    wanted = AccountFactory(external_id="0015g00000AbCdE", name="Northwind Traders")
    AccountFactory(name="Contoso")
    url = _admin_url(Account, "changelist")

    by_id = admin_client.get(url, {"q": "0015g00000AbCdE"})
    by_name = admin_client.get(url, {"q": "northwind"})
    by_id_other_case = admin_client.get(url, {"q": "0015G00000ABCDE"})

    assert list(by_id.context["cl"].result_list) == [wanted]
    assert list(by_name.context["cl"].result_list) == [wanted]
    # CRM ids are case-sensitive: another case is another id.
    assert list(by_id_other_case.context["cl"].result_list) == []


def test_account_autocomplete_for_activity_finds_accounts(admin_client, account):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "accounts",
            "model_name": "activity",
            "field_name": "account",
            "term": account.name,
        },
    )

    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == [str(account.pk)]


def test_fiscal_quarter_filter_filters_on_the_label(admin_client):
    MetricResultFactory(fiscal_quarter="FY27-Q4")
    MetricResultFactory(fiscal_quarter="FY27-Q3")
    url = _admin_url(MetricResult, "changelist")

    response = admin_client.get(url, {"fiscal_quarter": "FY27-Q3"})

    assert response.status_code == 200
    assert [r.fiscal_quarter for r in response.context["cl"].result_list] == ["FY27-Q3"]


def _account_fields(account, **changes):
    fields = {
        "external_id": account.external_id,
        "name": account.name,
        "region": account.region_id,
        "tam": account.tam_id,
        "managed": "on",
        "arr": "120000.00",
        "success_plan": "none",
        "segment_override": "",
        "segment_override_reason": "",
    }
    return fields | changes


def test_segment_override_without_reason_is_a_form_error(admin_client, account):
    url = _admin_url(Account, "change", account.pk)
    strategic = Segment.objects.get(code="strategic")
    data = inline_form_data(
        admin_client.get(url), **_account_fields(account, segment_override=strategic.pk)
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {
        "segment_override_reason": ["Give the reason for pinning the account to a segment."]
    }
    assert b"Give the reason for pinning the account to a segment." in response.content
    account.refresh_from_db()
    assert account.segment_override is None


def test_segment_override_with_reason_is_saved(admin_client, account):
    url = _admin_url(Account, "change", account.pk)
    strategic = Segment.objects.get(code="strategic")
    fields = _account_fields(
        account, segment_override=strategic.pk, segment_override_reason="Key logo."
    )

    response = admin_client.post(url, inline_form_data(admin_client.get(url), **fields))

    assert response.status_code == 302
    account.refresh_from_db()
    assert account.segment_override == strategic
    assert account.segment_override_reason == "Key logo."


def test_a_segments_code_cannot_be_changed_but_its_name_and_thresholds_can(admin_client):
    """Issue 9 / DESIGN 3: the rules compare with the segment codes (segments/codes.py), so
    the admin edits a segment's name and thresholds but never its code."""
    named = Segment.objects.get(code=SegmentCode.NAMED)
    url = _admin_url(Segment, "change", named.pk)
    posted = {
        "code": "key-accounts",  # not a field of the form: ignored, not an error
        "name": "Named accounts",
        "engagement_model": named.engagement_model,
        "position": named.position,
        "tam_assigned": "on",
        "min_arr": "120000",
        "min_arr_inclusive": "",
        "_confirm_impact": "1",  # past the impact preview, straight to the save
    }

    response = admin_client.post(url, posted)

    assert response.status_code == 302
    named.refresh_from_db()
    assert named.code == "named"
    assert (named.name, named.min_arr, named.min_arr_inclusive) == (
        "Named accounts",
        Decimal("120000.00"),
        False,
    )
    assert not Segment.objects.filter(code="key-accounts").exists()


def test_new_region_gets_its_rule_parameters(admin_client):
    url = _admin_url(Region, "add")
    fields = {"code": "anz-enterprise", "name": "ANZ Enterprise", "rule_set": "us_enterprise"}
    # The parameters inline is posted as rendered: untouched, so Django would not save it.
    data = inline_form_data(admin_client.get(url), **fields)

    response = admin_client.post(url, data)

    assert response.status_code == 302
    parameters = RuleSetParameters.objects.get(region__code="anz-enterprise")
    assert parameters.pr1_cap_per_tam == 8


# EstimatedCountPaginator


class _EstimateAlways(EstimatedCountPaginator):
    """Estimates from the first row, so a test database is "big"."""

    estimate_from = 0


def _analyze(model):
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def test_paginator_counts_a_small_table_exactly(db):
    AccountFactory.create_batch(3)

    with CaptureQueriesContext(connection) as queries:
        count = EstimatedCountPaginator(Account.objects.all(), 100).count

    assert count == 3
    assert any("COUNT(" in query["sql"] for query in queries.captured_queries)


@pytest.mark.postgresql_only(reason="the estimate is PostgreSQL's planner statistics (pg_class)")
def test_paginator_counts_a_filtered_queryset_exactly_even_on_a_big_table(db):
    AccountFactory.create_batch(3)
    AccountFactory(at_risk=True)
    _analyze(Account)

    with CaptureQueriesContext(connection) as queries:
        count = _EstimateAlways(Account.objects.filter(at_risk=True), 100).count

    assert count == 1
    assert not any("pg_class" in query["sql"] for query in queries.captured_queries)


def test_paginator_counts_a_filtered_queryset_exactly(db):
    AccountFactory.create_batch(3)
    AccountFactory(at_risk=True)

    assert EstimatedCountPaginator(Account.objects.filter(at_risk=True), 100).count == 1


@pytest.mark.postgresql_only(reason="the estimate is PostgreSQL's planner statistics (pg_class)")
def test_paginator_estimates_an_unfiltered_big_table_without_counting(db):
    AccountFactory.create_batch(3)
    _analyze(Account)

    with CaptureQueriesContext(connection) as queries:
        count = _EstimateAlways(Account.objects.order_by("name"), 100).count

    assert count == 3  # ANALYZE read every row of this small table
    assert not any("COUNT(" in query["sql"] for query in queries.captured_queries)


@pytest.mark.postgresql_only(reason="the estimate is PostgreSQL's planner statistics (pg_class)")
def test_big_changelist_estimates_unfiltered_and_counts_filtered(admin_client, monkeypatch):
    AccountFactory.create_batch(3)
    AccountFactory(at_risk=True)
    _analyze(Account)
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_from", 0)
    url = _admin_url(Account, "changelist")

    with CaptureQueriesContext(connection) as unfiltered_queries:
        unfiltered = admin_client.get(url)
    with CaptureQueriesContext(connection) as filtered_queries:
        filtered = admin_client.get(url, {"at_risk__exact": "1"})

    assert unfiltered.context["cl"].result_count == 4
    assert not any("COUNT(" in query["sql"] for query in unfiltered_queries.captured_queries)
    assert filtered.context["cl"].result_count == 1
    assert any("COUNT(" in query["sql"] for query in filtered_queries.captured_queries)
