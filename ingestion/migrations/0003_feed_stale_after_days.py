from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ingestion", "0002_import_record"),
    ]

    operations = [
        migrations.AddField(
            model_name="feed",
            name="stale_after_days",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Flag this kind in admin when not fed for longer than this. Empty: "
                "the default, 7 days for usage, activities and accounts, 30 for every other "
                "kind.",
                null=True,
            ),
        ),
    ]
