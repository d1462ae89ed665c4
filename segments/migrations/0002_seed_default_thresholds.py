"""Seed the segment table with DESIGN section 3's default thresholds."""

from decimal import Decimal

from django.db import migrations

SEGMENTS = [
    # code, name, engagement model, TAM-assigned, ARR threshold, inclusive, LAM rule
    ("strategic", "Strategic", "high-touch, named TAM, 1:1", True, 500_000, True, None),
    ("named", "Named", "named TAM, programmatic enablement", True, 100_000, True, None),
    ("mid-touch", "Mid-Touch", "TAM, programmatic enablement", True, 50_000, False, 5_000),
    ("onboarding", "Onboarding", "six weekly onboarding calls", False, 20_000, True, None),
    ("digital", "Digital-Only", "digital enablement (email, webinars)", False, 5_000, True, None),
]
HIGH_LAM_USD = 100_000


def seed(apps, schema_editor):
    Segment = apps.get_model("segments", "Segment")
    for position, (code, name, model, tam_assigned, min_arr, inclusive, lam_arr) in enumerate(
        SEGMENTS, start=1
    ):
        Segment.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "engagement_model": model,
                "position": position,
                "tam_assigned": tam_assigned,
                "min_arr": Decimal(min_arr),
                "min_arr_inclusive": inclusive,
                "lam_min_arr": Decimal(lam_arr) if lam_arr is not None else None,
                "high_lam_usd": Decimal(HIGH_LAM_USD) if lam_arr is not None else None,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("segments", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
