from django.db import migrations


def create_the_row(apps, schema_editor):
    """The one row, so the admin edits it rather than adds it."""
    apps.get_model("triage", "TriageSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial")]

    operations = [migrations.RunPython(create_the_row, migrations.RunPython.noop)]
