"""Seed the lifecycle metrics of DESIGN section 5 with their default targets.

Shares are stored as fractions (0.75 = 75%). Time to first engage defaults to 10 days:
the 14-day target moved to 10 from FY22 (page 000), and every quarter kept now is later.
"""

from decimal import Decimal

from django.db import migrations

T = "TAM-assigned"
NM = "Named, Mid-Touch"
METRICS = [
    # key, name, segments, population, formula, unit, direction, default target
    ("time_to_first_engage", "Time to first engage", f"all {T}",
     "accounts whose customer-since is in the quarter",
     "median days customer-since -> first engaged; share within target", "days", "at_most", 10),
    ("time_to_first_value", "Time to first value", "all",
     "accounts whose customer-since is in the quarter", "days customer-since -> first value",
     "days", "at_most", 30),
    ("time_to_onboard", "Time to onboard", f"all {T}",
     "accounts whose customer-since is in the quarter", "days customer-since -> onboarded",
     "days", "at_most", 45),
    ("success_plan_p1", "Success plans in Pr1 accounts", T, "Pr1 accounts",
     "share with a management-qualified (Strategic) / green (Named, Mid-Touch) plan",
     "share", "at_least", 1),
    ("success_plan_new", "Green success plans for net-new customers", NM, "net-new customers",
     "share with a green plan within 60 days", "share", "at_least", 1),
    ("success_plan_onboarded", "Success plans after onboarding", "Onboarding",
     "customers that completed onboarding", "share with a completed plan", "share",
     "at_least", 1),
    ("ebr_coverage", "EBR coverage", "Strategic: all; TAM-assigned: Pr1; Named, Mid-Touch: Pr1",
     "", "share with an EBR in the last 12 months", "share", "at_least", "0.75"),
    ("webinar_attendance_new", "Onboarding webinar attendance", NM, "net-new customers",
     "share attending an onboarding webinar", "share", "at_least", "0.5"),
    ("onboarding_nps_csat", "Onboarding NPS and CSAT", f"{NM}, Digital", "onboarding surveys",
     "average CSAT (1-5) and NPS", "score", "above", 4),
    ("primary_use_case_green_90d", "Primary use case green within 90 days", NM,
     "customers past 90 days", "share with primary use-case health green within 90 days",
     "share", "at_least", 1),
    ("webinars_per_quarter", "Webinars per quarter", NM, "webinars held", "count", "count",
     "at_least", 3),
    ("webinar_stay_rate", "Webinar stay rate", NM, "webinar attendees",
     "share that stayed for the whole webinar", "share", "at_least", "0.8"),
    ("webinar_feedback", "Webinar feedback", NM, "feedback scores", "average", "score",
     "above", 4),
    ("active_stage_play", "Active stage adoption play", NM, "accounts",
     "share with an open, active stage adoption play", "share", "at_least", "0.5"),
    ("two_stages_adopted", "Two stages adopted", NM, "accounts",
     "share with >= 2 stages adopted", "share", "at_least", "0.9"),
    ("stages_adopted_growth", "Stages adopted growth", NM, "whole book",
     "QoQ growth of stages adopted", "ratio", "at_least", "0.1"),
    ("stage_initial_adoption_60d", "Initial stage adoption within 60 days", NM,
     "enabled stages", "share reaching 10% of users within 60 days of enablement", "share",
     "at_least", 1),
    ("stage_broad_adoption_6m", "Broad stage adoption within 6 months", NM, "enabled stages",
     "share reaching 50% of users within 6 months", "share", "at_least", 1),
    ("low_license_saves", "Low license utilisation saves", NM,
     "accounts flagged low utilisation", "share saved", "share", "up", None),
    ("renewal_nps_csat", "Renewal NPS and CSAT", NM,
     "renewal surveys (sent 110 days before renewal)", "average CSAT", "score", "above", 4),
    ("six_month_nps_csat", "Six-month NPS and CSAT", "Digital", "six-month surveys",
     "average CSAT", "score", "above", 4),
    ("playbooks_completed", "Playbooks completed", f"Strategic, {T}", "playbooks",
     "completed per quarter (QoQ)", "count", "up", None),
    ("days_per_playbook", "Days per playbook", f"Strategic, {T}", "completed playbooks",
     "average days per playbook per stage", "days", "down", None),
    ("expansion_win_rate", "Expansion playbook win rate", "Strategic",
     "closed expansion playbooks", "won / closed", "share", "up", None),
    ("gross_retention", "Gross retention", f"{T}, Onboarding", "ARR at start of the quarter",
     "(start ARR - churn - contraction) / start ARR", "share", "at_least", "0.9"),
    ("iacv_growth", "IACV growth", T, "accounts", "ARR growth against target", "ratio",
     "at_least", None),
    ("time_to_iacv_growth", "Time to IACV growth", "Onboarding, Digital",
     "customers in year 1", "days to first ARR increase, against the prior fiscal year's cohort",
     "days", "down", None),
]
# EBR coverage is 75% of all Strategic accounts but 50% of Pr1 in Named and Mid-Touch.
SEGMENT_TARGETS = [("ebr_coverage", "named", "0.5"), ("ebr_coverage", "mid-touch", "0.5")]


def seed(apps, schema_editor):
    MetricDefinition = apps.get_model("metrics", "MetricDefinition")
    MetricTarget = apps.get_model("metrics", "MetricTarget")
    Segment = apps.get_model("segments", "Segment")
    for key, name, segments, population, formula, unit, direction, target in METRICS:
        MetricDefinition.objects.update_or_create(
            key=key,
            defaults={
                "name": name,
                "segments": segments,
                "population": population,
                "formula": formula,
                "unit": unit,
                "direction": direction,
                "default_target": Decimal(str(target)) if target is not None else None,
            },
        )
    for key, segment_code, target in SEGMENT_TARGETS:
        segment = Segment.objects.filter(code=segment_code).first()
        if segment:
            MetricTarget.objects.update_or_create(
                metric=MetricDefinition.objects.get(key=key),
                segment=segment,
                defaults={"target": Decimal(target)},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_initial"),
        ("segments", "0002_seed_default_thresholds"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
