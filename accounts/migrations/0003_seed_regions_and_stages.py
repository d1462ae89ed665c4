"""Seed the regions of DESIGN section 2 and the product's DevOps stages."""

from django.db import migrations

REGIONS = [
    # code, name, rule set, digital TAM trial
    ("us-enterprise", "US Enterprise", "us_enterprise", False),
    ("emea-enterprise", "EMEA Enterprise", "emea_enterprise", False),
    # APAC has no model of its own in page 004; DESIGN decides it uses the US flowchart.
    ("apac-enterprise", "APAC Enterprise", "us_enterprise", False),
    ("public-sector", "Public Sector", "us_enterprise", True),
    ("commercial-noram", "Commercial NORAM", "commercial", False),
    ("commercial-latam", "Commercial LATAM", "commercial", False),
    ("commercial-emea", "Commercial EMEA", "commercial", False),
]

STAGES = [
    "Manage", "Plan", "Create", "Verify", "Package", "Secure",
    "Release", "Configure", "Monitor", "Govern",
]


def seed(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    Stage = apps.get_model("accounts", "Stage")
    for code, name, rule_set, trial in REGIONS:
        Region.objects.update_or_create(
            code=code, defaults={"name": name, "rule_set": rule_set, "digital_tam_trial": trial}
        )
    for position, name in enumerate(STAGES, start=1):
        Stage.objects.update_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
