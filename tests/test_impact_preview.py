"""A threshold or rule-parameter change shows what it would move before it is saved."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Account
from orchestration.models import RecomputeRun
from orchestration.runs import recompute
from prioritization.models import RuleSetParameters
from segments.models import Segment
from tests.admin_forms import segment_form
from tests.factories import AccountFactory, InitiativeFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def portfolio(tam):
    """Three mid-touch accounts at $60k, $80k and $95k, one Named at $150k, all Pr2."""
    accounts = [AccountFactory(tam=tam, arr=Decimal(arr)) for arr in (60000, 80000, 95000, 150000)]
    recompute()
    return accounts


def test_saving_a_threshold_first_shows_the_moves_and_saves_nothing(admin_client, portfolio):
    named = Segment.objects.get(code="named")
    url = reverse("admin:segments_segment_change", args=[named.pk])

    response = admin_client.post(url, segment_form(named, min_arr="75000"))

    assert response.status_code == 200
    impact = response.context["impact"]
    assert impact.accounts == 4
    # $80k and $95k move from Mid-Touch to Named; $60k stays, $150k was already Named.
    assert impact.segment_moves == [("mid-touch", "named", 2)]
    assert impact.priority_moves == []  # Named and Mid-Touch are both Pr2 here
    assert "Confirm and save" in response.text
    assert Segment.objects.get(code="named").min_arr == Decimal("100000.00")
    assert Account.objects.filter(segment__code="named").count() == 1


def test_confirming_saves_and_recomputes(
    admin_client, portfolio, django_capture_on_commit_callbacks
):
    named = Segment.objects.get(code="named")
    url = reverse("admin:segments_segment_change", args=[named.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, {**segment_form(named, min_arr="75000"), "_confirm_impact": "1"}
        )

    assert response.status_code == 302
    assert Segment.objects.get(code="named").min_arr == Decimal("75000.00")
    # Tasks run in-process without a broker: the recompute ran when the save committed.
    assert Account.objects.filter(segment__code="named").count() == 3
    assert RecomputeRun.objects.filter(trigger="threshold_change").exists()


def test_an_invalid_change_shows_the_error_beside_the_field(admin_client, portfolio):
    mid_touch = Segment.objects.get(code="mid-touch")
    url = reverse("admin:segments_segment_change", args=[mid_touch.pk])

    response = admin_client.post(url, segment_form(mid_touch, min_arr="-5"))

    assert response.status_code == 200
    assert "impact" not in response.context
    assert response.context["adminform"].form.errors["min_arr"]


def test_a_rule_parameter_change_previews_priority_moves(admin_client, tam, portfolio):
    account = portfolio[0]
    params = RuleSetParameters.objects.get(region=region("us-enterprise"))
    InitiativeFactory(account=account, kind="stage_adoption", tam_hours_per_week=Decimal("1.5"))
    recompute()
    url = reverse("admin:prioritization_rulesetparameters_change", args=[params.pk])
    form = {
        field: getattr(params, field)
        for field in [f.name for f in RuleSetParameters._meta.fields]
        if field not in ("id", "region")
    }
    form["region"] = params.region_id
    form["stage_adoption_min_hours"] = "1"

    response = admin_client.post(url, form)

    assert response.status_code == 200
    assert response.context["impact"].priority_moves == [(2, 1, 1)]
    assert RuleSetParameters.objects.get(pk=params.pk).stage_adoption_min_hours == Decimal(2)
