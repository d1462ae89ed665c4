"""The EMEA dashboard speaks EMEA (issue 12, point 10).

Page 004 gives EMEA Enterprise a count, "roughly 5 to 8 customers as Priority 1" per TAM,
not the US share; the band's bounds are the region's rule parameters (`pr1_target_min_per_tam`
to `pr1_cap_per_tam`, defaults 5 and 8). Both ends are inside the band. A quarter without
assessments is said to be so, whatever the region, rather than shown as zeros.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine

from dashboard.mix import Movements, Pr1Target, tally
from prioritization.models import RuleSetParameters
from tests.factories import (
    AccountFactory,
    ManagerFactory,
    PriorityAssessmentFactory,
    TamFactory,
    TeamFactory,
    region,
)

THIS = "FY27-Q4"  # 2026-11-24 is in FY27-Q4
URL = "/dashboard/"
SHARE = Decimal("0.333")


def _band(low=5, high=8):
    return Pr1Target.for_rule_set("emea_enterprise", share=SHARE, band_min=low, band_max=high)


# --- pure: the band's boundaries --------------------------------------------------------------


@pytest.mark.parametrize(
    ("pr1", "standing", "on_target"),
    [
        (0, "5 below the band", False),
        (3, "2 below the band", False),
        (4, "1 below the band", False),
        (5, "within 5-8", True),  # the lower bound is in the band
        (8, "within 5-8", True),  # so is the upper
        (9, "1 above the band", False),
        (11, "3 above the band", False),
    ],
)
def test_a_pr1_count_against_the_5_to_8_band(pr1, standing, on_target):
    band = _band()
    assert band.band_standing(pr1) == standing
    assert band.on_target(pr1, 0) is on_target


def test_the_band_follows_the_regions_parameters_not_fixed_numbers():
    band = _band(low=3, high=6)
    assert [band.band_standing(n) for n in (2, 3, 6, 7)] == [
        "1 below the band",
        "within 3-6",
        "within 3-6",
        "1 above the band",
    ]


def test_only_the_band_drops_the_share_and_has_a_standing():
    us = Pr1Target.for_rule_set("us_enterprise", share=SHARE, band_min=5, band_max=8)
    commercial = Pr1Target.for_rule_set("commercial", share=SHARE, band_min=5, band_max=8)
    assert (_band().shows_share, us.shows_share, commercial.shows_share) == (False, True, True)
    assert us.band_standing(1) is None
    assert commercial.band_standing(1) is None


def test_tally_gives_each_tam_their_standing():
    rows = [
        {"tam_id": 1, "last_priority": None, "this_priority": 1, "accounts": 4},
        {"tam_id": 2, "last_priority": 1, "this_priority": 1, "accounts": 6},
        {"tam_id": 2, "last_priority": 2, "this_priority": 2, "accounts": 20},
    ]
    mixes, _ = tally(rows, [(1, "Ann"), (2, "Bob"), (3, "Cy")], _band())
    assert [mix.band_standing for mix in mixes] == [
        "1 below the band",
        "within 5-8",
        "5 below the band",  # Cy holds nothing: no Pr1 at all
    ]


def test_a_quarter_is_assessed_when_any_account_has_a_priority_for_it():
    assert Movements().any_assessed is False
    # Last quarter's priorities alone do not make this quarter assessed.
    assert Movements({(1, None): 3, (None, None): 2}).any_assessed is False
    assert Movements({(None, None): 2, (None, 2): 1}).any_assessed is True


# --- the rendered dashboard -------------------------------------------------------------------


@pytest.fixture
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9), tick=False):
        yield


def _book(tam, pr1, *, pr2=1, where="emea-enterprise", assessed=True):
    """`pr1` accounts at Pr1 and `pr2` at Pr2 this quarter (unassessed if not `assessed`)."""
    for n, priority in enumerate([1] * pr1 + [2] * pr2):
        account = AccountFactory(tam=tam, name=f"{tam.username} {n}", region=region(where))
        if assessed:
            PriorityAssessmentFactory(
                account=account,
                fiscal_quarter=THIS,
                computed_priority=priority,
                effective_priority=priority,
            )


def _team(code):
    return TeamFactory(region=region(code), manager=ManagerFactory())


def _dashboard(client, team):
    client.force_login(team.manager)
    response = client.get(URL)
    assert response.status_code == 200
    return response.text


@pytest.mark.django_db
@pytest.mark.usefixtures("_today")
def test_an_emea_team_sees_each_tams_pr1_count_against_the_band(client):
    team = _team("emea-enterprise")
    RuleSetParameters.objects.update_or_create(
        region=team.region, defaults={"pr1_target_min_per_tam": 5, "pr1_cap_per_tam": 8}
    )
    _book(TamFactory(team=team, username="low", first_name="Lo", last_name="W"), 3)
    _book(TamFactory(team=team, username="edge", first_name="Ed", last_name="G"), 5)
    _book(TamFactory(team=team, username="high", first_name="Hi", last_name="H"), 9)

    html = _dashboard(client, team)

    assert "Pr1 share" not in html
    assert "Pr1 against the 5-8 band" in html
    assert "2 below the band" in html
    assert "within 5-8" in html
    assert "1 above the band" in html
    assert "2 TAMs outside the band" in html


@pytest.mark.django_db
@pytest.mark.usefixtures("_today")
def test_an_admins_change_of_the_band_moves_the_dashboards_verdict(client):
    team = _team("emea-enterprise")
    RuleSetParameters.objects.update_or_create(
        region=team.region, defaults={"pr1_target_min_per_tam": 2, "pr1_cap_per_tam": 3}
    )
    _book(TamFactory(team=team, username="one"), 4)

    html = _dashboard(client, team)

    assert "1 above the band" in html
    assert "Pr1 against the 2-3 band" in html


@pytest.mark.django_db
@pytest.mark.usefixtures("_today")
def test_a_us_team_keeps_the_pr1_share_and_no_band(client):
    team = _team("us-enterprise")
    _book(TamFactory(team=team, username="us"), 1, pr2=2, where="us-enterprise")

    html = _dashboard(client, team)

    assert "Pr1 share of Pr1 + Pr2" in html
    assert "33%" in html
    assert "on target" in html
    assert "the band" not in html


@pytest.mark.django_db
@pytest.mark.usefixtures("_today")
@pytest.mark.parametrize("code", ["emea-enterprise", "us-enterprise"])
def test_a_quarter_without_assessments_says_so_instead_of_zeros(client, code):
    team = _team(code)
    _book(TamFactory(team=team, username="tam"), 6, where=code, assessed=False)

    html = _dashboard(client, team)

    assert "No assessments for FY2027 Q4 yet: the recompute has not run for this quarter." in html
    assert 'id="mix-table"' not in html
    assert 'id="movement-matrix"' not in html
    assert "below the band" not in html
    assert "off target" not in html


@pytest.mark.django_db
@pytest.mark.usefixtures("_today")
def test_a_team_without_accounts_is_not_blamed_on_the_recompute(client):
    team = _team("emea-enterprise")
    TamFactory(team=team, username="new")

    html = _dashboard(client, team)

    assert "No accounts held by" in html
    assert "the recompute has not run" not in html
