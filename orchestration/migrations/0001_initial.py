"""The run record moves here from prioritization: the table stays, only the state moves."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("prioritization", "0004_assessments_share_the_unique_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='RecomputeRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('trigger', models.CharField(max_length=20)),
                        ('as_of', models.DateField()),
                        ('started_at', models.DateTimeField(auto_now_add=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('status', models.CharField(choices=[('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed'), ('skipped', 'Skipped (another run was in progress)'), ('abandoned', 'Abandoned (its worker stopped)')], default='running', max_length=10)),
                        ('accounts', models.PositiveIntegerField(default=0)),
                        ('segments_changed', models.PositiveIntegerField(default=0)),
                        ('priorities_changed', models.PositiveIntegerField(default=0)),
                        ('assessments_created', models.PositiveIntegerField(default=0)),
                        ('assessments_updated', models.PositiveIntegerField(default=0)),
                        ('details', models.JSONField(blank=True, default=dict)),
                        ('error', models.TextField(blank=True)),
                    ],
                    options={
                        'db_table': 'prioritization_recomputerun',
                        'ordering': ['-started_at'],
                        'indexes': [models.Index(fields=['status', 'started_at'], name='prioritizat_status_3f50ed_idx')],
                    },
                ),
            ],
        ),
    ]
