"""The metric of low-licence-utilisation saves spelt as DESIGN and every other label spell
it ("licence", the noun); its key `low_license_saves` stays. A name an admin has changed
since is theirs and left alone."""

from django.db import migrations

KEY = "low_license_saves"
OLD, NEW = "Low license utilisation saves", "Low licence utilisation saves"


def rename(old, new):
    def run(apps, schema_editor):
        definition = apps.get_model("metrics", "MetricDefinition")
        definition.objects.filter(key=KEY, name=old).update(name=new)

    return run


class Migration(migrations.Migration):
    dependencies = [("metrics", "0008_cadence_and_renewal_move_to_rhythm")]

    operations = [migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD))]
