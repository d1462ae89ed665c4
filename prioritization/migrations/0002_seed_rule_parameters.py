"""Give every seeded region its rule-set parameters with the defaults of DESIGN section 4."""

from django.db import migrations


def seed(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    RuleSetParameters = apps.get_model("prioritization", "RuleSetParameters")
    for region in Region.objects.all():
        RuleSetParameters.objects.get_or_create(region=region)


class Migration(migrations.Migration):
    dependencies = [
        ("prioritization", "0001_initial"),
        ("accounts", "0003_seed_regions_and_stages"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
