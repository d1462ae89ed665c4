"""Lifecycle metrics (DESIGN section 5, pages 000-003): pure, no Django.

Each metric is one `Metric`: the segments it applies to, its population, and a function
giving one account's `Contribution` for a fiscal quarter (a numerator and denominator, or
samples for a median or a distinct count). The nightly job adds contributions up per
TAM, team, region, segment and company (`Accumulator`); `finish()` turns the sums into a
`MetricValue`. An empty population gives no value ("no data"), never 0% and never a
division by zero.

The quarter is a `QuarterWindow`: its first and last day and the day the figures are
as of (the last day, or today while the quarter runs). "In the quarter" means between
the first day and the as-of day, both included.

Decisions where the pages are silent (also in the README):
- Time to engage / value / onboard: the population is the quarter's new customers
  (customer-since in the quarter); the value is the median days of those whose milestone
  is reached and, at their days so far, of those still running past the target;
  numerator/denominator is the share reached within the target among those whose clock
  has stopped or run past the target. Milestones count until the day the figures are
  computed, so a finished quarter's late milestones are seen.
- "Net-new customers ... within 60 days" and "past 90 days" populations are the customers
  whose 60th / 90th day falls in the quarter, so each customer counts once, when their
  deadline comes.
- Onboarding and renewal surveys: the value is the average CSAT; the NPS (promoters
  minus detractors, in points) goes in the details.
- QoQ metrics (up / down / improving) compare with the previous quarter's value for the
  same scope; time to IACV growth compares with the same quarter of the prior fiscal year.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import cache

from .adoption import (
    active_stage_play,
    broad_adoption_within_6_months,
    days_per_playbook,
    expansion_win_rate,
    green_within_90_days,
    initial_adoption_within_60_days,
    license_saves,
    playbooks_completed,
    stages_growth,
    two_stages,
)
from .arr import gross_retention, iacv_growth, time_to_iacv_growth
from .facts import (
    DIGITAL,
    EVERY_SEGMENT,
    NAMED_MID_TOUCH,
    ONBOARDING,
    STRATEGIC,
    TAM_ASSIGNED,
    Attendance,
    Contribution,
    LicenseFlag,
    Metric,
    MetricAccount,
    MetricValue,
    Playbook,
    QuarterWindow,
    StageEnablement,
    Survey,
    Targets,
)
from .onboarding_clocks import clock
from .success_plans import ebr_coverage, success_plan_new, success_plan_onboarded, success_plan_p1
from .totals import Accumulator, finish
from .webinars_surveys import (
    survey_average,
    webinar_attendance_new,
    webinar_feedback,
    webinar_stay_rate,
    webinars_held,
)

# What callers read from here: the facts and the adding up live beside the table.
__all__ = [
    "METRICS",
    "METRICS_BY_KEY",
    "START_SEGMENT_METRICS",
    "Accumulator",
    "Attendance",
    "Contribution",
    "LicenseFlag",
    "Metric",
    "MetricAccount",
    "MetricValue",
    "Playbook",
    "QuarterWindow",
    "StageEnablement",
    "Survey",
    "Targets",
    "contributions",
    "finish",
    "metrics_for",
]

METRICS: tuple[Metric, ...] = (
    Metric(
        key="time_to_first_engage",
        segments=TAM_ASSIGNED,
        kind="median_days",
        direction="at_most",
        contribution=clock("first_engaged_on"),
        population="accounts whose customer-since is in the quarter",
        numerator="first engaged within the target",
        denominator="engaged, or past the target",
    ),
    Metric(
        key="time_to_first_value",
        segments=EVERY_SEGMENT,
        kind="median_days",
        direction="at_most",
        contribution=clock("first_value_on"),
        population="accounts whose customer-since is in the quarter",
        numerator="first value within the target",
        denominator="reached first value, or past the target",
    ),
    Metric(
        key="time_to_onboard",
        segments=TAM_ASSIGNED,
        kind="median_days",
        direction="at_most",
        contribution=clock("onboarded_on"),
        population="accounts whose customer-since is in the quarter",
        numerator="onboarded within the target",
        denominator="onboarded, or past the target",
    ),
    Metric(
        key="success_plan_p1",
        segments=TAM_ASSIGNED,
        kind="share",
        direction="at_least",
        contribution=success_plan_p1,
        population="Pr1 accounts",
        numerator="management-qualified (Strategic) or green (Named, Mid-Touch) plan",
        denominator="Pr1 accounts",
    ),
    Metric(
        key="success_plan_new",
        segments=NAMED_MID_TOUCH,
        kind="share",
        direction="at_least",
        contribution=success_plan_new,
        population="customers whose 60th day falls in the quarter",
        numerator="green plan by day 60",
        denominator="customers at day 60",
    ),
    Metric(
        key="success_plan_onboarded",
        segments=ONBOARDING,
        kind="share",
        direction="at_least",
        contribution=success_plan_onboarded,
        population="customers that completed onboarding in the quarter",
        numerator="fully green plan",
        denominator="onboarded customers",
    ),
    Metric(
        key="ebr_coverage",
        segments=TAM_ASSIGNED,
        kind="share",
        direction="at_least",
        contribution=ebr_coverage,
        population="Strategic: all accounts; Named, Mid-Touch: Pr1 accounts",
        numerator="EBR in the last 12 months",
        denominator="accounts in the population",
    ),
    Metric(
        key="webinar_attendance_new",
        segments=NAMED_MID_TOUCH,
        kind="share",
        direction="at_least",
        contribution=webinar_attendance_new,
        population="accounts whose customer-since is in the quarter",
        numerator="attended an onboarding webinar",
        denominator="new customers",
    ),
    Metric(
        key="onboarding_nps_csat",
        segments=NAMED_MID_TOUCH | DIGITAL,
        kind="share",
        direction="above",
        contribution=survey_average("onboarding"),
        population="onboarding surveys answered in the quarter",
        numerator="sum of CSAT",
        denominator="CSAT answers",
    ),
    Metric(
        key="primary_use_case_green_90d",
        segments=NAMED_MID_TOUCH,
        kind="share",
        direction="at_least",
        contribution=green_within_90_days,
        population="customers whose 90th day falls in the quarter",
        numerator="health green within 90 days",
        denominator="customers at day 90",
    ),
    Metric(
        key="webinars_per_quarter",
        segments=NAMED_MID_TOUCH,
        kind="distinct",
        direction="at_least",
        contribution=webinars_held,
        population="webinars held in the quarter with attendees in scope",
        numerator="webinars",
        denominator="—",
    ),
    Metric(
        key="webinar_stay_rate",
        segments=NAMED_MID_TOUCH,
        kind="share",
        direction="at_least",
        contribution=webinar_stay_rate,
        population="webinar attendances in the quarter",
        numerator="stayed for the whole webinar",
        denominator="attendances",
    ),
    Metric(
        key="webinar_feedback",
        segments=NAMED_MID_TOUCH,
        kind="share",
        direction="above",
        contribution=webinar_feedback,
        population="feedback scores given in the quarter",
        numerator="sum of scores",
        denominator="scores",
    ),
    Metric(
        key="active_stage_play",
        segments=NAMED_MID_TOUCH,
        kind="share",
        direction="at_least",
        contribution=active_stage_play,
        population="accounts",
        numerator="with an open, active stage adoption play",
        denominator="accounts",
    ),
    Metric(
        key="two_stages_adopted",
        segments=NAMED_MID_TOUCH,
        kind="share",
        direction="at_least",
        contribution=two_stages,
        population="accounts",
        numerator="with at least 2 stages adopted",
        denominator="accounts",
    ),
    Metric(
        key="stages_adopted_growth",
        segments=NAMED_MID_TOUCH,
        kind="share",
        direction="at_least",
        contribution=stages_growth,
        population="whole book",
        numerator="stages adopted in the quarter",
        denominator="stages adopted at its start",
    ),
    Metric(
        key="stage_initial_adoption_60d",
        segments=NAMED_MID_TOUCH,
        kind="share",
        direction="at_least",
        contribution=initial_adoption_within_60_days,
        population="enabled stages whose 60th day falls in the quarter",
        numerator="reached 10% of users by day 60",
        denominator="stages",
    ),
    Metric(
        key="stage_broad_adoption_6m",
        segments=NAMED_MID_TOUCH,
        kind="share",
        direction="at_least",
        contribution=broad_adoption_within_6_months,
        population="enabled stages whose 6 months end in the quarter",
        numerator="reached 50% of users within 6 months",
        denominator="stages",
    ),
    Metric(
        key="low_license_saves",
        segments=NAMED_MID_TOUCH,
        kind="share",
        direction="up",
        contribution=license_saves,
        population="accounts flagged for low licence utilisation in the quarter",
        numerator="saved",
        denominator="flagged",
    ),
    Metric(
        key="renewal_nps_csat",
        segments=NAMED_MID_TOUCH,
        kind="share",
        direction="above",
        contribution=survey_average("renewal"),
        population="renewal surveys answered in the quarter",
        numerator="sum of CSAT",
        denominator="CSAT answers",
    ),
    Metric(
        key="six_month_nps_csat",
        segments=DIGITAL,
        kind="share",
        direction="above",
        contribution=survey_average("six_month"),
        population="six-month surveys answered in the quarter",
        numerator="sum of CSAT",
        denominator="CSAT answers",
    ),
    Metric(
        key="playbooks_completed",
        segments=TAM_ASSIGNED,
        kind="count",
        direction="up",
        contribution=playbooks_completed,
        population="playbooks completed in the quarter",
        numerator="playbooks",
        denominator="—",
    ),
    Metric(
        key="days_per_playbook",
        segments=TAM_ASSIGNED,
        kind="share",
        direction="down",
        contribution=days_per_playbook,
        population="playbooks completed in the quarter",
        numerator="days from start to completion",
        denominator="playbooks",
    ),
    Metric(
        key="expansion_win_rate",
        segments=STRATEGIC,
        kind="share",
        direction="up",
        contribution=expansion_win_rate,
        population="expansion playbooks closed in the quarter",
        numerator="won",
        denominator="closed",
    ),
    Metric(
        key="gross_retention",
        segments=TAM_ASSIGNED | ONBOARDING,
        kind="share",
        direction="at_least",
        contribution=gross_retention,
        population="ARR at the start of the quarter",
        numerator="start ARR less churn and contraction",
        denominator="start ARR",
        by_start_segment=True,
    ),
    Metric(
        key="iacv_growth",
        segments=TAM_ASSIGNED,
        kind="share",
        direction="at_least",
        contribution=iacv_growth,
        population="accounts",
        numerator="ARR gained in the quarter",
        denominator="ARR at its start",
        by_start_segment=True,
    ),
    Metric(
        key="time_to_iacv_growth",
        segments=ONBOARDING | DIGITAL,
        kind="median_days",
        direction="down",
        contribution=time_to_iacv_growth,
        population="year-1 customers whose ARR first grew in the quarter",
        numerator="—",
        denominator="—",
        by_start_segment=True,
    ),
)
METRICS_BY_KEY = {metric.key: metric for metric in METRICS}


def metrics_for(segment: str | None) -> tuple[Metric, ...]:
    """The metrics an account in `segment` counts in by its current segment."""
    return tuple(
        metric for metric in METRICS if not metric.by_start_segment and metric.applies_to(segment)
    )


START_SEGMENT_METRICS = tuple(metric for metric in METRICS if metric.by_start_segment)


@cache
def _start_segment_metrics(segment: str | None) -> tuple[Metric, ...]:
    return tuple(metric for metric in START_SEGMENT_METRICS if metric.applies_to(segment))


def contributions(
    account: MetricAccount,
    quarter: QuarterWindow,
    targets: dict[str, Decimal | None],
    metrics: Iterable[Metric] | None = None,
) -> list[tuple[Metric, Contribution]]:
    """Every metric this account counts in for the quarter, with its part.

    `metrics` may pass `metrics_for(account.segment)`, computed once per segment.
    """
    parts = []
    target = targets.get
    for metric in metrics_for(account.segment) if metrics is None else metrics:
        part = metric.contribution(account, quarter, target(metric.key))
        if part is not None:
            parts.append((metric, part))
    for metric in _start_segment_metrics(account.segment_at_start or account.segment):
        part = metric.contribution(account, quarter, target(metric.key))
        if part is not None:
            parts.append((metric, part))
    return parts
