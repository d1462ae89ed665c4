"""The run record now belongs to orchestration (its 0001 takes the same table)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("prioritization", "0004_assessments_share_the_unique_index"),
        ("orchestration", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="RecomputeRun")],
        ),
    ]
