"""The one rhythm setting (rhythm.RhythmSettings): seeded, validated, edited in admin, and
carried over from the burn-down thresholds that held the cadence days before it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from rhythm.cadence import RhythmRules
from rhythm.models import RhythmSettings
from rhythm.selectors import rhythm_rules

BEFORE = [("rhythm", "0003_pto_is_information"), ("metrics", "0007_team_segment_scope")]
AFTER = [("rhythm", "0004_rhythm_settings"), ("metrics", "0008_cadence_and_renewal_move_to_rhythm")]


@pytest.mark.django_db
def test_the_migration_seeds_one_row_with_designs_numbers():
    """DESIGN 4 and 6: Pr1 30 days, Pr2 60, Commercial Pr2 90; renewal window 110."""
    assert list(RhythmSettings.objects.values_list("pk", flat=True)) == [1]
    assert rhythm_rules() == RhythmRules(30, 60, 90, 110)


@pytest.mark.django_db
def test_the_defaults_when_the_row_is_missing():
    RhythmSettings.objects.all().delete()
    assert rhythm_rules() == RhythmRules()


def _rejected(name, **values):
    with pytest.raises(IntegrityError, match=name), transaction.atomic():
        RhythmSettings.objects.filter(pk=1).update(**values)


@pytest.mark.django_db
def test_the_database_keeps_the_limits():
    _rejected("rhythm_cadence_days_1_365", pr1_cadence_days=0)
    _rejected("rhythm_cadence_days_1_365", commercial_pr2_cadence_days=366)
    _rejected("rhythm_renewal_window_1_366", renewal_window_days=0)
    _rejected("rhythm_pr1_called_at_least_as_often_as_pr2", pr1_cadence_days=61)
    _rejected("rhythm_pr1_called_at_least_as_often_as_pr2", pr1_cadence_days=45,
              commercial_pr2_cadence_days=44)  # fmt: skip
    with pytest.raises(IntegrityError, match="rhythm_settings_one_row"), transaction.atomic():
        RhythmSettings.objects.create(pk=2)
    # The boundaries are accepted: Pr1 as slow as Pr2, a year, a window of 366 days.
    RhythmSettings.objects.filter(pk=1).update(
        pr1_cadence_days=60, pr2_cadence_days=60, commercial_pr2_cadence_days=365,
        renewal_window_days=366,
    )  # fmt: skip


@pytest.mark.django_db
def test_validation_says_what_is_wrong():
    settings = RhythmSettings.current()
    settings.pr1_cadence_days = 91
    with pytest.raises(ValidationError) as error:
        settings.full_clean()
    assert error.value.message_dict["pr1_cadence_days"] == [
        "Pr1 accounts are called at least as often as Pr2 ones: at most 60 days with these "
        "Pr2 intervals."
    ]
    settings.pr1_cadence_days = 0
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        settings.full_clean()


@pytest.mark.django_db
def test_an_admin_edits_the_one_row_and_cannot_add_or_delete_it(admin_client):
    url = reverse("admin:rhythm_rhythmsettings_change", args=[1])
    form = {
        "pr1_cadence_days": 45,
        "pr2_cadence_days": 60,
        "commercial_pr2_cadence_days": 90,
        "renewal_window_days": 100,
    }

    response = admin_client.post(url, form)

    assert response.status_code == 302
    assert rhythm_rules() == RhythmRules(45, 60, 90, 100)
    refused = admin_client.post(url, {**form, "pr1_cadence_days": 61})
    assert refused.status_code == 200
    assert "Pr1 accounts are called at least as often as Pr2 ones" in refused.text
    assert admin_client.get(reverse("admin:rhythm_rhythmsettings_add")).status_code == 403
    delete = reverse("admin:rhythm_rhythmsettings_delete", args=[1])
    assert admin_client.get(delete).status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_carries_the_admins_burn_down_days_over():
    """An admin had Pr1 at 45 days, Pr2 at 75 and the renewal survey at 100 in the burn-down
    thresholds: the rhythm setting starts from those; Commercial Pr2 keeps 90 (it had no
    setting). Going back puts the numbers back where they were."""
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        old_apps = executor.loader.project_state(BEFORE).apps
        thresholds = old_apps.get_model("metrics", "BurnDownThresholds")
        thresholds.objects.update(pr1_cadence_days=45, pr2_cadence_days=75, renewal_survey_days=100)

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new_apps = executor.loader.project_state(AFTER).apps
        settings = new_apps.get_model("rhythm", "RhythmSettings").objects.get()
        assert (
            settings.pr1_cadence_days,
            settings.pr2_cadence_days,
            settings.commercial_pr2_cadence_days,
            settings.renewal_window_days,
        ) == (45, 75, 90, 100)
        new_apps.get_model("rhythm", "RhythmSettings").objects.update(pr2_cadence_days=80)

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        row = (
            executor.loader.project_state(BEFORE)
            .apps.get_model("metrics", "BurnDownThresholds")
            .objects.get()
        )
        assert (row.pr1_cadence_days, row.pr2_cadence_days, row.renewal_survey_days) == (
            45,
            80,
            100,
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
