"""The recompute's lock becomes one row that every database updates the same way."""

from django.db import migrations, models


def create_the_lock_row(apps, schema_editor):
    apps.get_model("orchestration", "RunLock").objects.get_or_create(name="recompute")


class Migration(migrations.Migration):
    dependencies = [
        ("orchestration", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="RunLock",
            fields=[
                ("name", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("holder", models.CharField(blank=True, max_length=100)),
                ("expires_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(create_the_lock_row, migrations.RunPython.noop),
    ]
