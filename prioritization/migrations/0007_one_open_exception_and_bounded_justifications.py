"""One open exception request per account (issue 12), justifications bounded.

Before the constraint, any account with several pending requests keeps its newest one
open; the older ones are closed as rejected with a comment that says why, so the
constraint can be created without losing what was asked.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, OuterRef

SUPERSEDED = (
    "Closed when one open request per account became the rule: a later request replaced it."
)


def close_superseded_requests(apps, schema_editor):
    exception = apps.get_model("prioritization", "PriorityException")
    newer_pending = exception.objects.filter(
        account_id=OuterRef("account_id"), status="pending", pk__gt=OuterRef("pk")
    )
    exception.objects.filter(status="pending").filter(Exists(newer_pending)).update(
        status="rejected", review_comment=SUPERSEDED
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_dates_in_supported_range"),
        ("prioritization", "0006_decision_settings_and_expiry_bounds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="priorityexception",
            name="justification",
            field=models.TextField(max_length=2000),
        ),
        migrations.AlterField(
            model_name="priorityreview",
            name="justification",
            field=models.TextField(blank=True, max_length=2000),
        ),
        migrations.RunPython(close_superseded_requests, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="priorityexception",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")),
                fields=("account",),
                name="one_open_exception_per_account",
                violation_error_message=(
                    "This account already has a request waiting for a decision: one at a time."
                ),
            ),
        ),
    ]
