"""A threshold or rule-parameter change shows what it would move before it is saved."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Account
from orchestration.models import RecomputeRun
from orchestration.runs import recompute
from portal import admin_preview
from prioritization.models import RuleSetParameters
from segments.models import Segment
from tests.admin_forms import segment_form
from tests.factories import AccountFactory, InitiativeFactory, TamFactory, region

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


# --- the accounts and TAMs that would move (issue 12, point 9) -----------------------------


@pytest.fixture
def two_books(db):
    """Lowering Mid-Touch's threshold from $50k to $30k (DESIGN 3) moves exactly two
    accounts, one of each TAM, out of Onboarding (onboarding complete: Pr4, DESIGN 4
    step 2) into Mid-Touch, where the US Enterprise flowchart decides: Ada's account has a
    stage adoption needing 3 TAM hours a week (Pr1), Bob's meets no Pr1 criterion (Pr2).
    Ada's $60k account is Mid-Touch already; Bob's $25k stays below the new threshold."""
    ada = TamFactory(first_name="Ada", last_name="Lovelace")
    bob = TamFactory(first_name="Bob", last_name="Kahn")
    moving_pr1 = AccountFactory(name="Anvil Works", tam=ada, arr=Decimal(40000))
    InitiativeFactory(account=moving_pr1, kind="stage_adoption", tam_hours_per_week=Decimal(3))
    moving_pr2 = AccountFactory(name="Beacon Labs", tam=bob, arr=Decimal(45000))
    AccountFactory(name="Cobalt", tam=ada, arr=Decimal(60000))
    AccountFactory(name="Delta", tam=bob, arr=Decimal(25000))
    recompute()
    return {"ada": ada, "bob": bob, "pr1": moving_pr1, "pr2": moving_pr2}


def _lower_mid_touch(admin_client, **extra):
    mid_touch = Segment.objects.get(code="mid-touch")
    url = reverse("admin:segments_segment_change", args=[mid_touch.pk])
    return admin_client.post(url, {**segment_form(mid_touch, min_arr="30000"), **extra})


def test_the_preview_lists_each_moving_account_and_tam(admin_client, two_books):
    response = _lower_mid_touch(admin_client)

    assert response.status_code == 200
    rows = response.context["account_rows"]
    # Largest ARR first: Beacon ($45k), then Anvil ($40k).
    assert [row["name"] for row in rows] == ["Beacon Labs", "Anvil Works"]
    beacon, anvil = rows
    assert beacon["url"] == reverse("account_detail", args=[two_books["pr2"].pk])
    assert beacon["tam"] == "Bob Kahn"
    assert beacon["region"] == two_books["pr2"].region.name
    assert beacon["arr"] == "$45,000"
    assert beacon["segment"] == "Onboarding → Mid-Touch"
    assert beacon["priority"] == "Pr4 → Pr2"
    assert anvil["priority"] == "Pr4 → Pr1"
    assert anvil["reasons"] == "Stage adoption needing TAM hours"
    tams = {tam.name: tam for tam in response.context["tams_page"]}
    assert set(tams) == {"Ada Lovelace", "Bob Kahn"}
    ada, bob = tams["Ada Lovelace"], tams["Bob Kahn"]
    assert (ada.accounts_moving, ada.pr1_before, ada.pr1_after) == (1, 0, 1)
    assert (bob.accounts_moving, bob.pr1_before, bob.pr1_after) == (1, 0, 0)
    assert "Anvil Works" in response.text and "$50,000" in response.text  # the threshold now
    assert Segment.objects.get(code="mid-touch").min_arr == Decimal(50000)


def test_paging_posts_the_edit_again_and_saves_nothing(admin_client, two_books, monkeypatch):
    monkeypatch.setattr(admin_preview, "PAGE_SIZE", 1)

    first = _lower_mid_touch(admin_client)
    second = _lower_mid_touch(admin_client, _impact_page="1", _impact_go="page=2")

    assert [row["name"] for row in first.context["account_rows"]] == ["Beacon Labs"]
    assert [row["name"] for row in second.context["account_rows"]] == ["Anvil Works"]
    assert second.context["accounts_page"].number == 2
    # The page posts the edit back for the next page and for the confirmation.
    assert 'name="min_arr" value="30000"' in second.text
    assert 'name="_impact_page" value="2"' in second.text
    assert Segment.objects.get(code="mid-touch").min_arr == Decimal(50000)
    assert not RecomputeRun.objects.filter(trigger="threshold_change").exists()
    assert Account.objects.get(pk=two_books["pr1"].pk).priority == 4


def test_sorting_by_name_keeps_the_sort_across_pages(admin_client, two_books, monkeypatch):
    monkeypatch.setattr(admin_preview, "PAGE_SIZE", 1)

    by_name = _lower_mid_touch(admin_client, _impact_page="2", _impact_go="sort=name")
    next_page = _lower_mid_touch(admin_client, _impact_sort="name", _impact_go="page=2")
    reversed_ = _lower_mid_touch(admin_client, _impact_sort="name", _impact_go="sort=name")

    assert [row["name"] for row in by_name.context["account_rows"]] == ["Anvil Works"]
    assert by_name.context["accounts_page"].number == 1  # a new order starts at the top
    assert [row["name"] for row in next_page.context["account_rows"]] == ["Beacon Labs"]
    assert [row["name"] for row in reversed_.context["account_rows"]] == ["Beacon Labs"]


def test_the_changed_fields_read_as_money(admin_client, two_books):
    response = _lower_mid_touch(admin_client)

    assert response.context["changes"] == [("ARR threshold (USD)", "$50,000", "$30,000")]
