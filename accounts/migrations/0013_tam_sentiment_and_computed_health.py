"""The TAM's typed colour becomes `tam_sentiment`, one input of the computed health
(DESIGN 11); `health` and `health_score` are now written by the recompute."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_bounded_notes_and_explanation"),
    ]

    operations = [
        migrations.RenameField(model_name="account", old_name="health", new_name="tam_sentiment"),
        migrations.AlterField(
            model_name="account",
            name="tam_sentiment",
            field=models.CharField(
                blank=True,
                choices=[("green", "Green"), ("yellow", "Yellow"), ("red", "Red")],
                max_length=6,
                verbose_name="TAM sentiment",
            ),
        ),
        migrations.AddField(
            model_name="account",
            name="health",
            field=models.CharField(
                blank=True,
                choices=[("green", "Green"), ("yellow", "Yellow"), ("red", "Red")],
                editable=False,
                max_length=6,
                verbose_name="health band",
            ),
        ),
        migrations.AddField(
            model_name="account",
            name="health_score",
            field=models.PositiveSmallIntegerField(
                blank=True,
                editable=False,
                null=True,
                validators=[django.core.validators.MaxValueValidator(100)],
            ),
        ),
    ]
