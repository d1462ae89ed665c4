"""Each result keeps a fingerprint of its values, so a recompute compares fingerprints
instead of reading every result back (issue 14). Results already kept get theirs here,
or the first run after the upgrade would rewrite every one of them."""

from django.db import migrations, models

from metrics.models import RESULT_VALUES, result_fingerprint, stored_decimal

BATCH = 5000


def fill_fingerprints(apps, schema_editor):
    result = apps.get_model("metrics", "MetricResult")
    batch = []
    for row in result.objects.only("id", *RESULT_VALUES).iterator(chunk_size=BATCH):
        values = [stored_decimal(getattr(row, name)) for name in RESULT_VALUES[:4]]
        row.fingerprint = result_fingerprint((*values, row.attained, row.details))
        batch.append(row)
        if len(batch) == BATCH:
            result.objects.bulk_update(batch, ["fingerprint"])
            batch = []
    result.objects.bulk_update(batch, ["fingerprint"])


class Migration(migrations.Migration):
    dependencies = [("metrics", "0009_licence_spelling")]

    operations = [
        migrations.AddField(
            model_name="metricresult",
            name="fingerprint",
            field=models.CharField(default="", editable=False, max_length=16),
        ),
        migrations.RunPython(fill_fingerprints, migrations.RunPython.noop),
    ]
