"""An edit of a health scorecard shows, before it is saved, which accounts would move
between bands (DESIGN 11, issue 13 point 5), through the same flow as the segment
thresholds: a save first previews, paging and sorting post the edit again and save
nothing, only the confirm button saves (audited, and a recompute is asked for)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ActivityKind, SuccessPlanState, SurveyKind, UsageSnapshot
from core.models import AuditEntry
from health.models import HealthScorecard
from orchestration.health_preview import preview_health_impact
from segments.models import Segment
from tests.factories import AccountFactory, ActivityFactory, StageAdoptionFactory, stage

pytestmark = pytest.mark.django_db

OBJECTIVES, NO_PLAN = SuccessPlanState.OBJECTIVES, SuccessPlanState.NONE


def make_account(name, *, sentiment="green", stages=0, plan=NO_PLAN, usage=None, nps=None):
    """An account without a priority (engagement N/A), its sentiment given a week ago.
    Stages adopted and the success plan always count; licence use and voice only when
    given (`usage` as (active, licensed), `nps` a score)."""
    today = timezone.localdate()
    account = AccountFactory(
        name=name,
        tam_sentiment=sentiment,
        tam_sentiment_on=today - timedelta(days=7),
        success_plan=plan,
    )
    for stage_name in ("Create", "Verify", "Plan")[:stages]:
        StageAdoptionFactory(account=account, stage=stage(stage_name), enabled_on=today)
    if usage is not None:
        UsageSnapshot.objects.create(
            account=account, taken_on=today, active_users=usage[0], licensed_users=usage[1]
        )
    if nps is not None:
        ActivityFactory(
            account=account,
            kind=ActivityKind.SURVEY_RESPONSE,
            survey_kind=SurveyKind.SIX_MONTH,
            nps=nps,
            occurred_on=today,
        )
    return account


@pytest.fixture
def book(db):
    """Scores with DESIGN 11's default weights (sentiment 50, licence 15, stages 10,
    outcomes 10, voice 5; engagement N/A without a priority), 100 / 50 / 0 per band:
    - Aster 71: sentiment green, no stage, no plan: 5000 / 70 = 71.4 (yellow);
    - Birch 75: + licence green (80 of 100), NPS 7 (yellow): 6750 / 90 = 75 (green);
    - Cedar 79: no stage, plan with objectives: 5500 / 70 = 78.6 (green);
    - Dahlia 82: licence green, 2 stages (yellow), no plan: 7000 / 85 = 82.4 (green);
    - Elm 86: 2 stages, objectives: 6000 / 70 = 85.7 (green);
    - Fir: red sentiment, 3 stages, objectives: 6500 / 70 = 93 but red by the sentiment;
    - Gorse 64: sentiment yellow, 3 stages, a green plan: 4500 / 70 = 64.3 (yellow)."""
    return {
        "aster": make_account("Aster"),
        "birch": make_account("Birch", usage=(80, 100), nps=7),
        "cedar": make_account("Cedar", plan=OBJECTIVES),
        "dahlia": make_account("Dahlia", usage=(80, 100), stages=2),
        "elm": make_account("Elm", stages=2, plan=OBJECTIVES),
        "fir": make_account("Fir", sentiment="red", stages=3, plan=OBJECTIVES),
        "gorse": make_account("Gorse", sentiment="yellow", stages=3, plan=SuccessPlanState.GREEN),
    }


def default_scorecard() -> HealthScorecard:
    return HealthScorecard.objects.get(segment=None)


def edited(**changes) -> HealthScorecard:
    scorecard = default_scorecard()
    for name, value in changes.items():
        setattr(scorecard, name, value)
    return scorecard  # unsaved: the preview's candidate


def moves_of(impact) -> dict[int, tuple]:
    return {
        move.account_id: (move.band_before, move.band_after, move.score_before, move.score_after)
        for move in impact.moved
    }


# --- the computation ------------------------------------------------------------------------


def test_raising_the_green_cut_off_to_80_moves_exactly_the_accounts_scored_75_to_79(book):
    impact = preview_health_impact(edited(band_green_from=80))

    assert impact.accounts == 7
    assert impact.moves == [("green", "yellow", 2)]
    assert moves_of(impact) == {
        book["birch"].pk: ("green", "yellow", 75, 75),
        book["cedar"].pk: ("green", "yellow", 79, 79),
    }
    # Rows: before; columns: after (green, yellow, red, unknown).
    assert impact.matrix[0] == ("green", [0, 2, 0, 0])
    assert all(counts == [0, 0, 0, 0] for _, counts in impact.matrix[1:])


def test_a_weight_change_moves_the_accounts_it_lifts_over_a_cut_off(book):
    """Sentiment at 100 instead of 50: Aster (green sentiment, nothing else green) scores
    10000 / 120 = 83.3 and turns green; Gorse (yellow sentiment) falls to 7000 / 120 =
    58.3, still yellow; Fir stays red by its sentiment; the green ones stay green."""
    impact = preview_health_impact(edited(tam_sentiment_weight=100))

    assert moves_of(impact) == {book["aster"].pk: ("yellow", "green", 71, 83)}


def test_switching_every_measure_but_voice_off_leaves_accounts_without_a_survey_unknown(book):
    off = {f"{measure}_enabled": False for measure in (
        "licence_use", "stage_adoption", "tam_sentiment", "outcomes", "engagement"
    )}  # fmt: skip

    impact = preview_health_impact(edited(**off))

    # Birch's NPS 7 is yellow; the six others have no voice: unknown.
    assert moves_of(impact)[book["birch"].pk] == ("green", "yellow", 75, 50)
    assert sorted(impact.moves) == [
        ("green", "unknown", 3),
        ("green", "yellow", 1),
        ("red", "unknown", 1),
        ("yellow", "unknown", 2),
    ]


def test_an_unchanged_scorecard_moves_nothing_and_counts_bands_out_of_date(book):
    impact = preview_health_impact(default_scorecard())

    assert impact.moved == []
    # No recompute has run: every account's stored band is blank (unknown), and none is.
    assert impact.out_of_date == 7


def test_a_segments_scorecard_moves_only_that_segments_accounts(book):
    strategic, named = Segment.objects.get(code="strategic"), Segment.objects.get(code="named")
    for key in ("birch", "cedar"):
        book[key].segment = strategic if key == "birch" else named
        book[key].save(update_fields=["segment"])
    own = HealthScorecard(segment=strategic, band_green_from=80)  # a new segment's own

    impact = preview_health_impact(own)

    assert impact.accounts == 1
    assert moves_of(impact) == {book["birch"].pk: ("green", "yellow", 75, 75)}


def test_the_default_leaves_out_the_accounts_of_segments_with_their_own(book):
    strategic = Segment.objects.get(code="strategic")
    HealthScorecard.objects.create(segment=strategic)
    book["birch"].segment = strategic
    book["birch"].save(update_fields=["segment"])

    impact = preview_health_impact(edited(band_green_from=80))

    assert impact.accounts == 6
    assert moves_of(impact) == {book["cedar"].pk: ("green", "yellow", 79, 79)}


# --- the admin: preview, paging, confirm ---------------------------------------------------


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def change_url() -> str:
    return reverse("admin:health_healthscorecard_change", args=[default_scorecard().pk])


def form_data(admin_client, **changes) -> dict:
    """The change form as the browser posts it, with `changes`."""
    form = admin_client.get(change_url()).context["adminform"].form
    data = {
        name: form[name].value()
        for name, field in form.fields.items()
        if not field.disabled and form[name].value() not in (None, False)
    }
    return data | changes


def test_saving_first_shows_the_moves_and_saves_nothing(admin_client, book):
    response = admin_client.post(change_url(), form_data(admin_client, band_green_from="80"))

    assert response.status_code == 200
    assert response.context["impact"].moves == [("green", "yellow", 2)]
    rows = response.context["account_rows"]
    assert [(row["name"], row["band"], row["score"]) for row in rows] == [
        ("Birch", "Green → Yellow", "75 → 75"),
        ("Cedar", "Green → Yellow", "79 → 79"),
    ]
    assert rows[0]["url"] == reverse("account_detail", args=[book["birch"].pk])
    assert "Confirm and save" in response.text
    assert default_scorecard().band_green_from == 75
    assert not AuditEntry.objects.filter(model="health.healthscorecard").exists()


def test_sorting_and_paging_post_the_edit_again_and_save_nothing(admin_client, book):
    data = form_data(admin_client, band_green_from="80")

    by_score = admin_client.post(change_url(), data | {"_impact_go": "sort=score"})
    reversed_ = admin_client.post(
        change_url(), data | {"_impact_sort": "score", "_impact_go": "sort=score"}
    )
    paged = admin_client.post(change_url(), data | {"_impact_go": "page=2"})

    assert [row["name"] for row in by_score.context["account_rows"]] == ["Birch", "Cedar"]
    assert [row["name"] for row in reversed_.context["account_rows"]] == ["Cedar", "Birch"]
    assert paged.status_code == 200  # one page only: the nearest, the first
    assert default_scorecard().band_green_from == 75
    assert not AuditEntry.objects.filter(model="health.healthscorecard").exists()


def test_confirming_saves_audits_and_asks_for_a_recompute(admin_client, book, admin_user):
    data = form_data(admin_client, band_green_from="80") | {"_confirm_impact": "1"}

    response = admin_client.post(change_url(), data, follow=True)

    assert response.redirect_chain[-1][1] == 302
    assert default_scorecard().band_green_from == 80
    [entry] = AuditEntry.objects.filter(model="health.healthscorecard")
    assert (entry.actor, entry.before, entry.after) == (
        admin_user,
        {"band_green_from": 75},
        {"band_green_from": 80},
    )
    shown = [str(message) for message in response.context["messages"]]
    assert "Saved. The recompute of every account's health will follow shortly." in shown
