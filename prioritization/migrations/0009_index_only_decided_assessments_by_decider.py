import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The decider's index only over assessments that have one.

    Most assessments are the model's and have no decider, yet each one written (100,000 in
    a first run) wrote an entry in this index; the only lookup by decider is a user's
    deletion (SET_NULL), which a partial index serves as well.
    """

    dependencies = [
        ("prioritization", "0008_bounded_comments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The index alone: AlterField would also drop and re-add the foreign key, checking
        # every assessment again under a lock.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="priorityassessment",
                    name="decided_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS prioritization_priorityassessment_decided_by_id_53cbe74a",
                    "CREATE INDEX prioritization_priorityassessment_decided_by_id_53cbe74a "
                    "ON prioritization_priorityassessment (decided_by_id)",
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="priorityassessment",
            index=models.Index(
                condition=models.Q(("decided_by__isnull", False)),
                fields=["decided_by"],
                name="assessment_decided_by_set",
            ),
        ),
    ]
