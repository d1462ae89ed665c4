"""The health scorecards in the admin (DESIGN 11, issue 13 point 1): the default made by
the migration with DESIGN 11's numbers, one per segment read with the default as
fallback, edits validated with the message at the field, and audited."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Health, SuccessPlanState
from core.models import AuditEntry
from health.models import HealthScorecard
from health.scorecard import DEFAULT_SCORECARD, OUTCOME_BANDS, SENTIMENT_BANDS, Measure
from health.selectors import scorecard_for_segment, scorecards
from segments.models import Segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def default_scorecard() -> HealthScorecard:
    return HealthScorecard.objects.get(segment=None)


def change_url(scorecard: HealthScorecard) -> str:
    return reverse("admin:health_healthscorecard_change", args=[scorecard.pk])


def form_data(response, **changes) -> dict:
    """What the browser posts back from the change page as rendered, with `changes`."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.disabled or value is None:
            continue
        if value is False:
            continue  # an unticked box is not sent
        data[name] = value
    data |= changes
    return {name: value for name, value in data.items() if value is not False}


def post_change(admin_client, scorecard, **changes):
    """Saved past the impact preview (tests/health/test_health_preview.py tests it)."""
    url = change_url(scorecard)
    return admin_client.post(
        url, form_data(admin_client.get(url), **changes) | {"_confirm_impact": "1"}
    )


def field_errors(response) -> dict[str, list[str]]:
    return dict(response.context["adminform"].form.errors)


# --- the default and the selector -------------------------------------------------------


def test_the_migration_makes_the_default_scorecard_with_design_11s_numbers():
    scorecard = default_scorecard().as_scorecard()

    assert scorecard == DEFAULT_SCORECARD
    assert [scorecard.rules[m].weight for m in Measure] == [15, 10, 50, 10, 5, 10]
    assert (scorecard.band_green_from, scorecard.band_yellow_from) == (75, 50)
    licence, stages, voice = (
        scorecard.rules[m] for m in ("licence_use", "stage_adoption", "voice")
    )
    assert (licence.green_from, licence.yellow_from) == (70, 40)
    assert (stages.green_from, stages.yellow_from) == (3, 2)
    assert (voice.green_from, voice.yellow_from) == (9, 7)
    assert (voice.csat_green_from, voice.csat_yellow_from) == (4, 3)


def test_the_rules_read_the_accounts_own_choices():
    """The pure module names success-plan states and sentiments as plain text."""
    assert set(OUTCOME_BANDS) == set(SuccessPlanState.values)
    assert set(SENTIMENT_BANDS) == set(Health.values)


def test_a_segment_without_its_own_scorecard_reads_the_default():
    strategic = Segment.objects.get(code="strategic")

    assert scorecard_for_segment(strategic.pk) == DEFAULT_SCORECARD
    assert scorecard_for_segment(None) == DEFAULT_SCORECARD


def test_a_segments_own_scorecard_wins(django_assert_num_queries):
    strategic, named = Segment.objects.get(code="strategic"), Segment.objects.get(code="named")
    HealthScorecard.objects.create(segment=strategic, tam_sentiment_weight=30)

    with django_assert_num_queries(1):  # both scorecards
        own = scorecard_for_segment(strategic.pk)
    with django_assert_num_queries(1):  # every scorecard
        every = scorecards()

    assert own.rules[Measure.TAM_SENTIMENT].weight == 30
    assert every.for_segment(strategic.pk) == own
    assert every.for_segment(named.pk) == every.for_segment(None) == DEFAULT_SCORECARD


def test_without_a_default_row_the_default_is_design_11s():
    default_scorecard().delete()

    assert scorecard_for_segment(None) == DEFAULT_SCORECARD
    assert scorecards().default == DEFAULT_SCORECARD


def test_the_database_holds_one_default_and_one_per_segment():
    strategic = Segment.objects.get(code="strategic")
    HealthScorecard.objects.create(segment=strategic)

    for segment in (None, strategic):
        with pytest.raises(IntegrityError), transaction.atomic():
            HealthScorecard.objects.create(segment=segment)


def test_the_database_refuses_bands_out_of_order():
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthScorecard.objects.filter(segment=None).update(band_yellow_from=80)


# --- the admin: refused with the message at the field -----------------------------------


def test_every_weight_at_zero_is_refused_at_the_first_weight(admin_client):
    zeros = {f"{measure}_weight": "0" for measure in Measure}

    response = post_change(admin_client, default_scorecard(), **zeros)

    assert response.status_code == 200
    assert field_errors(response) == {
        "licence_use_weight": [
            "Give at least one measure on the scorecard a weight above 0: with every weight "
            "at 0 there is no score to compute."
        ]
    }
    assert default_scorecard().licence_use_weight == 15


def test_weights_at_zero_but_on_measures_switched_off_are_refused(admin_client):
    # Sentiment keeps its 50 but is off the scorecard; every measure on it weighs 0.
    changes = {f"{measure}_weight": "0" for measure in Measure if measure != "tam_sentiment"}
    response = post_change(
        admin_client,
        default_scorecard(),
        licence_use_enabled=False,
        tam_sentiment_enabled=False,
        **changes,
    )

    assert list(field_errors(response)) == ["stage_adoption_weight"]


def test_one_weight_above_zero_is_enough(admin_client):
    changes = {f"{measure}_weight": "0" for measure in Measure if measure != "voice"}

    response = post_change(admin_client, default_scorecard(), **changes)

    assert response.status_code == 302
    assert default_scorecard().as_scorecard().rules[Measure.VOICE].weight == 5


def test_a_negative_weight_is_refused_at_its_field(admin_client):
    response = post_change(admin_client, default_scorecard(), outcomes_weight="-5")

    assert field_errors(response) == {
        "outcomes_weight": ["Ensure this value is greater than or equal to 0."]
    }
    assert default_scorecard().outcomes_weight == 10


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"licence_use_yellow_from": "75"},
            "licence_use_yellow_from",
            "Yellow must start below green: the licence use is green from 70.00.",
        ),
        (
            {"stage_adoption_yellow_from": "3"},  # equal: the yellow band would be empty
            "stage_adoption_yellow_from",
            "Yellow must start below green: the stages adopted is green from 3.",
        ),
        (
            {"voice_nps_green_from": "6"},
            "voice_nps_yellow_from",
            "Yellow must start below green: the NPS is green from 6.",
        ),
        (
            {"voice_csat_yellow_from": "5"},
            "voice_csat_yellow_from",
            "Yellow must start below green: the CSAT is green from 4.",
        ),
    ],
)
def test_a_measures_yellow_above_its_green_is_refused_at_the_yellow_field(
    admin_client, changes, field, message
):
    response = post_change(admin_client, default_scorecard(), **changes)

    assert field_errors(response) == {field: [message]}
    assert default_scorecard().as_scorecard() == DEFAULT_SCORECARD


def test_band_cut_offs_out_of_order_are_refused_at_the_yellow_cut_off(admin_client):
    response = post_change(admin_client, default_scorecard(), band_yellow_from="80")

    assert field_errors(response) == {
        "band_yellow_from": ["Yellow must start below green: the score is green from 75."]
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("band_green_from", "101", "Ensure this value is less than or equal to 100."),
        ("band_yellow_from", "-1", "Ensure this value is greater than or equal to 0."),
        ("licence_use_green_from", "100.5", "Ensure this value is less than or equal to 100."),
        ("voice_nps_green_from", "11", "Ensure this value is less than or equal to 10."),
        ("tam_sentiment_stale_after_days", "0", "Ensure this value is greater than or equal to 1."),
    ],
)
def test_values_out_of_range_are_refused_at_their_field(admin_client, field, value, message):
    response = post_change(admin_client, default_scorecard(), **{field: value})

    assert field_errors(response) == {field: [message]}


def test_an_empty_stale_after_means_never_stale(admin_client):
    response = post_change(admin_client, default_scorecard(), tam_sentiment_stale_after_days="")

    assert response.status_code == 302
    assert default_scorecard().as_scorecard().rules[Measure.TAM_SENTIMENT].stale_after_days is None


def test_a_second_default_is_refused_at_the_segment(admin_client):
    url = reverse("admin:health_healthscorecard_add")

    response = admin_client.post(url, form_data(admin_client.get(url)))

    assert field_errors(response) == {
        "segment": ["There is a default scorecard already: choose the segment this one is for."]
    }
    assert HealthScorecard.objects.count() == 1


def test_a_segment_gets_its_own_scorecard_with_the_defaults(admin_client):
    url = reverse("admin:health_healthscorecard_add")
    strategic = Segment.objects.get(code="strategic")

    response = admin_client.post(
        url,
        form_data(admin_client.get(url), segment=strategic.pk, voice_weight="20")
        | {"_confirm_impact": "1"},
    )

    assert response.status_code == 302
    own = HealthScorecard.objects.get(segment=strategic)
    assert own.voice_weight == 20
    assert own.licence_use_green_from == Decimal(70)
    assert str(own) == "Strategic scorecard"


def test_the_default_cannot_be_deleted_nor_moved_to_a_segment(admin_client):
    default = default_scorecard()
    delete_url = reverse("admin:health_healthscorecard_delete", args=[default.pk])
    strategic = Segment.objects.get(code="strategic")

    assert admin_client.get(delete_url).status_code == 403
    response = post_change(admin_client, default, segment=strategic.pk)
    assert response.status_code == 302
    assert default_scorecard().pk == default.pk  # the segment is read-only


# --- audited like the other rule parameters ----------------------------------------------


def test_an_edit_is_recorded_with_who_and_the_changed_fields(admin_client, admin_user):
    default = default_scorecard()

    response = post_change(admin_client, default, tam_sentiment_weight="40", band_green_from="80")

    assert response.status_code == 302
    [entry] = AuditEntry.objects.filter(model="health.healthscorecard")
    assert (entry.actor, entry.via, entry.action, entry.object_label) == (
        admin_user,
        "admin",
        "changed",
        "Default scorecard",
    )
    assert (entry.before, entry.after) == (
        {"band_green_from": 75, "tam_sentiment_weight": 50},
        {"band_green_from": 80, "tam_sentiment_weight": 40},
    )


def test_a_refused_edit_records_nothing(admin_client):
    post_change(admin_client, default_scorecard(), band_yellow_from="90")

    assert not AuditEntry.objects.filter(model="health.healthscorecard").exists()
