"""Create the one row of burn-down thresholds with its defaults, for admins to edit."""

from django.db import migrations


def seed(apps, schema_editor):
    BurnDownThresholds = apps.get_model("metrics", "BurnDownThresholds")
    if not BurnDownThresholds.objects.exists():
        BurnDownThresholds.objects.create()


class Migration(migrations.Migration):
    dependencies = [("metrics", "0004_burn_down_thresholds")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
