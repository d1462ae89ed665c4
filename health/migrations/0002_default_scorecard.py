"""The default health scorecard with DESIGN 11's defaults (written out here: a migration
must not change when the code's defaults do)."""

from decimal import Decimal

from django.db import migrations

DESIGN_11_DEFAULTS = {
    "band_green_from": 75,
    "band_yellow_from": 50,
    "licence_use_enabled": True,
    "licence_use_weight": 15,
    "licence_use_green_from": Decimal(70),
    "licence_use_yellow_from": Decimal(40),
    "licence_use_stale_after_days": 45,
    "stage_adoption_enabled": True,
    "stage_adoption_weight": 10,
    "stage_adoption_green_from": 3,
    "stage_adoption_yellow_from": 2,
    "tam_sentiment_enabled": True,
    "tam_sentiment_weight": 50,
    "tam_sentiment_stale_after_days": 90,
    "outcomes_enabled": True,
    "outcomes_weight": 10,
    "voice_enabled": True,
    "voice_weight": 5,
    "voice_nps_green_from": 9,
    "voice_nps_yellow_from": 7,
    "voice_csat_green_from": 4,
    "voice_csat_yellow_from": 3,
    "voice_stale_after_days": 365,
    "engagement_enabled": True,
    "engagement_weight": 10,
}


def create_default(apps, schema_editor):
    HealthScorecard = apps.get_model("health", "HealthScorecard")
    if not HealthScorecard.objects.filter(segment=None).exists():
        HealthScorecard.objects.create(segment=None, **DESIGN_11_DEFAULTS)


def remove_default(apps, schema_editor):
    apps.get_model("health", "HealthScorecard").objects.filter(segment=None).delete()


class Migration(migrations.Migration):
    dependencies = [("health", "0001_initial")]

    operations = [migrations.RunPython(create_default, remove_default)]
