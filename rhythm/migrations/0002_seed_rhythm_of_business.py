"""Seed the rhythm-of-business table of pages 002 (Named) and 003 (Mid-Touch).

Both pages give the same 13 rows; page 002 says the motions are those of the Strategic
segment, so the Strategic segment gets the same rows as a starting point. Capacity is the
table's total, 31.25 hours a week, with 56 days of PTO a year.
"""

from decimal import Decimal

from django.db import migrations

TASKS = [
    # task, driver, weekly, monthly, quarterly, yearly, notes
    ("Cadence calls", "cadence_calls", "8", 35, 105, 420,
     "1 hour per customer (30 minutes for the call, 30 minutes for prep and follow-up)"),
    ("Customer onboarding", "onboarding", "1", 4, 12, 48,
     "1 hour per week per customer for an average of 3 customers a quarter"),
    ("EBRs", "ebrs", "2", 9, 27, 108,
     "About 2 EBRs a month, 4 hours each (1 hour for the call, 3 hours prep)"),
    ("Account planning", "fixed", "3", 13, 39, 156,
     "Success planning, long-term strategy, expansion opportunities"),
    ("Webinars & workshops", "fixed", "1", 4, 12, 48,
     "1 webinar and 1 workshop a month, 2 hours each"),
    ("Adhoc customer requests", "fixed", "2", 9, 27, 108, "Customer e-mails and questions"),
    ("Customer outreach", "fixed", "2", 9, 27, 108, "Proactive outreach (webinars, features)"),
    ("Gainsight work", "fixed", "2", 9, 27, 108, "Logging updates and maintenance"),
    ("Special projects", "fixed", "3", 13, 39, 156, "OKRs, team- and org-level initiatives"),
    ("Professional development", "fixed", "3", 13, 39, 156,
     "Product learning, courses, certifications"),
    ("Renewals", "renewals", "1", 4, 12, 48, "Roughly 1 hour per customer for annual renewal"),
    ("Internal meetings", "fixed", "3", 13, 39, 156, "Team meetings, 1:1s, account team syncs"),
    ("Review release blog posts", "fixed", "0.25", 1, 3, 12,
     "1 hour per release reviewing new features and deprecations"),
]
SEGMENT_CODES = ["strategic", "named", "mid-touch"]


def seed(apps, schema_editor):
    Segment = apps.get_model("segments", "Segment")
    RhythmTask = apps.get_model("rhythm", "RhythmTask")
    CapacityProfile = apps.get_model("rhythm", "CapacityProfile")
    for segment in Segment.objects.filter(code__in=SEGMENT_CODES):
        for position, (task, driver, weekly, monthly, quarterly, yearly, notes) in enumerate(
            TASKS, start=1
        ):
            RhythmTask.objects.update_or_create(
                segment=segment,
                task=task,
                defaults={
                    "driver": driver,
                    "position": position,
                    "hours_per_week": Decimal(weekly),
                    "hours_per_month": Decimal(monthly),
                    "hours_per_quarter": Decimal(quarterly),
                    "hours_per_year": Decimal(yearly),
                    "notes": notes,
                },
            )
        CapacityProfile.objects.get_or_create(
            segment=segment,
            defaults={"weekly_capacity_hours": Decimal("31.25"), "pto_days_per_year": 56},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("rhythm", "0001_initial"),
        ("segments", "0002_seed_default_thresholds"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
