"""The admin is finished (issue 12, point 9): branded, computed tables read-only in bulk,
segment thresholds kept in evaluation order."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from metrics.admin import as_read
from metrics.models import MetricDefinition, MetricResult, MetricTarget
from orchestration.models import RecomputeRun
from prioritization.models import PriorityAssessment, RuleSetParameters
from rhythm.admin import HOURS_FIELDS
from rhythm.models import RhythmTask
from segments.models import Segment
from tests.admin_forms import segment_form
from tests.factories import region

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _change_segment(admin_client, code, **changes):
    segment = Segment.objects.get(code=code)
    url = reverse("admin:segments_segment_change", args=[segment.pk])
    return admin_client.post(url, segment_form(segment, **changes))


def test_the_admin_carries_the_portal_name_and_links_back_to_it(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert response.context["site_header"] == "TAM Portal administration"
    assert response.context["site_title"] == "TAM Portal administration"
    assert response.context["title"] == "TAM Portal administration"
    assert response.context["site_url"] == reverse("book")
    assert b'href="/book/"' in response.content


@pytest.mark.parametrize("model", [PriorityAssessment, MetricResult, RecomputeRun])
def test_computed_tables_offer_no_add_and_no_bulk_delete(admin_client, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    response = admin_client.get(changelist)

    assert response.status_code == 200
    assert response.context["has_add_permission"] is False
    action_form = response.context["action_form"]
    actions = dict(action_form.fields["action"].choices) if action_form else {}
    assert "delete_selected" not in actions
    assert b"delete_selected" not in response.content


def test_a_table_people_edit_keeps_its_bulk_delete(admin_client):
    response = admin_client.get(reverse("admin:accounts_account_changelist"))

    assert "delete_selected" in dict(response.context["action_form"].fields["action"].choices)


def test_a_named_threshold_above_strategic_is_refused_on_its_field(admin_client):
    # Strategic (position 1) starts at $500k: Named (position 2) at $600k could never win.
    response = _change_segment(admin_client, "named", min_arr="600000")

    assert response.status_code == 200
    assert "impact" not in response.context  # refused before the preview
    errors = response.context["adminform"].form.errors["min_arr"]
    assert "Strategic" in errors[0]
    assert Segment.objects.get(code="named").min_arr == 100000


def test_a_strategic_threshold_below_named_is_refused_on_its_field(admin_client):
    response = _change_segment(admin_client, "strategic", min_arr="90000")

    errors = response.context["adminform"].form.errors["min_arr"]
    assert "Named" in errors[0]
    assert Segment.objects.get(code="strategic").min_arr == 500000


def test_a_threshold_kept_in_order_still_goes_to_the_impact_preview(admin_client):
    # Between Strategic ($500k) and Mid-Touch ($50k).
    response = _change_segment(admin_client, "named", min_arr="200000")

    assert response.status_code == 200
    assert "impact" in response.context


@pytest.mark.parametrize(
    ("region_code", "shown", "hidden"),
    [
        # DESIGN 4: each rule set reads its own parameters; US Enterprise also shows the
        # LAM headroom as context.
        (
            "us-enterprise",
            {"uptier_window_months", "pr1_target_share", "lam_headroom_percent"},
            {"pr1_cap_per_tam", "weight_org_change", "top_arr_rank"},
        ),
        (
            "emea-enterprise",
            {"pr1_cap_per_tam", "weight_org_change", "lam_headroom_percent"},
            {"uptier_window_months", "top_arr_rank"},
        ),
        (
            "commercial-emea",
            {"top_arr_rank", "churn_nps_max", "commercial_uptier_window_months"},
            {"uptier_window_months", "pr1_cap_per_tam", "lam_headroom_percent"},
        ),
    ],
)
def test_a_regions_parameter_form_shows_only_its_rule_sets_fields(
    admin_client, region_code, shown, hidden
):
    parameters = RuleSetParameters.objects.get(region=region(region_code))
    url = reverse("admin:prioritization_rulesetparameters_change", args=[parameters.pk])

    response = admin_client.get(url)

    fields = set(response.context["adminform"].form.fields)
    assert shown <= fields
    assert not hidden & fields


def test_a_hidden_parameter_keeps_its_value_when_the_shown_ones_are_saved(admin_client):
    parameters = RuleSetParameters.objects.get(region=region("commercial-emea"))
    cap_before = parameters.pr1_cap_per_tam
    url = reverse("admin:prioritization_rulesetparameters_change", args=[parameters.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data.update(region=parameters.region_id, top_arr_rank=parameters.top_arr_rank + 5)

    response = admin_client.post(url, {**data, "_confirm_impact": "1"})

    assert response.status_code == 302
    parameters.refresh_from_db()
    assert parameters.top_arr_rank == form.initial["top_arr_rank"] + 5
    assert parameters.pr1_cap_per_tam == cap_before


def test_a_share_target_reads_as_a_percentage():
    # Shares are stored as fractions (DESIGN 5): 0.75 is the 75% EBR target.
    assert as_read(Decimal("0.7500"), "share") == "75%"
    assert as_read(Decimal("0.8125"), "share") == "81.25%"
    assert as_read(Decimal("60.0000"), "days") == "60"
    assert as_read(None, "share") == "-"


def test_the_metric_target_pages_show_shares_as_percentages(admin_client):
    metric = MetricDefinition.objects.filter(unit="share").first()
    MetricDefinition.objects.filter(pk=metric.pk).update(default_target=Decimal("0.75"))
    target = MetricTarget.objects.create(
        metric=metric, segment=Segment.objects.get(code="named"), target=Decimal("0.6")
    )

    definitions = admin_client.get(reverse("admin:metrics_metricdefinition_changelist"))
    targets = admin_client.get(reverse("admin:metrics_metrictarget_changelist"))
    change = admin_client.get(reverse("admin:metrics_metrictarget_change", args=[target.pk]))

    assert b"75%" in definitions.content
    assert b"60%" in targets.content
    assert b"60%" in change.content
    assert b"0.75 is 75%" in change.content


def _rhythm_form(row, **changes):
    data = {
        "segment": row.segment_id,
        "task": row.task,
        "driver": row.driver,
        "position": row.position,
        "notes": row.notes,
        **{name: getattr(row, name) for name in HOURS_FIELDS},
    }
    data.update(changes)
    return data


def test_book_driven_rhythm_rows_are_marked_computed_and_their_hours_are_not_editable(
    admin_client,
):
    cadence = RhythmTask.objects.filter(driver="cadence_calls").first()
    planning = RhythmTask.objects.filter(driver="fixed").first()
    url = reverse("admin:rhythm_rhythmtask_change", args=[cadence.pk])

    listing = admin_client.get(reverse("admin:rhythm_rhythmtask_changelist"))
    cadence_form = admin_client.get(url).context["adminform"].form
    fixed_page = admin_client.get(reverse("admin:rhythm_rhythmtask_change", args=[planning.pk]))
    posted = admin_client.post(url, _rhythm_form(cadence, hours_per_week="20"))

    assert b"Computed from the book" in listing.content
    assert not set(HOURS_FIELDS) & set(cadence_form.fields)
    assert set(HOURS_FIELDS) <= set(fixed_page.context["adminform"].form.fields)
    assert posted.status_code == 302
    cadence.refresh_from_db()
    assert cadence.hours_per_week == Decimal("8")  # the seeded typical figure, unchanged


def test_every_seeded_rhythm_row_has_agreeing_weekly_and_yearly_hours():
    # The table rounds (1 a week beside 48 a year): within 10%, every seeded row passes.
    for row in RhythmTask.objects.all():
        row.full_clean()


# A weekly 0 beside yearly hours would count nothing: the workload reads the weekly column.
@pytest.mark.parametrize(("weekly", "yearly"), [("8", "100"), ("8", "300"), ("0", "48")])
def test_contradicting_weekly_and_yearly_hours_are_refused(weekly, yearly):
    row = RhythmTask.objects.filter(driver="fixed").first()
    row.hours_per_week, row.hours_per_year = Decimal(weekly), Decimal(yearly)

    with pytest.raises(ValidationError) as refused:
        row.full_clean()

    assert "hours_per_year" in refused.value.message_dict


def test_a_row_without_yearly_hours_is_accepted():
    # The yearly column is optional: 0 means not filled in, the weekly hours count.
    row = RhythmTask.objects.filter(driver="fixed").first()
    row.hours_per_week, row.hours_per_year = Decimal("3"), Decimal("0")

    row.full_clean()


def test_a_contradicting_fixed_row_is_refused_on_its_field_in_admin(admin_client):
    row = RhythmTask.objects.filter(driver="fixed", hours_per_week=3).first()
    url = reverse("admin:rhythm_rhythmtask_change", args=[row.pk])

    refused = admin_client.post(url, _rhythm_form(row, hours_per_week="5"))
    agreeing = admin_client.post(url, _rhythm_form(row, hours_per_week="5", hours_per_year="260"))

    assert refused.context["adminform"].form.errors["hours_per_year"]
    assert agreeing.status_code == 302
    row.refresh_from_db()
    assert (row.hours_per_week, row.hours_per_year) == (5, 260)
