"""Burn-down lists: the accounts a manager or TAM acts on this week (issue 4, pages 000-003).

Each list is one query over the accounts in scope (a TAM's book or a team's), with the
day it became due, so it can be sorted oldest first. Thresholds are admin-editable
(`BurnDownThresholds`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet

from accounts.models import Activity, ActivityKind, SuccessPlanState, SurveyKind
from lib.dates import add_months

from .models import BurnDownThresholds


@dataclass(frozen=True)
class BurnDownList:
    key: str
    title: str
    accounts: QuerySet


def _last(kind: str):
    return Max("activities__occurred_on", filter=Q(activities__kind=kind))


def burn_down_lists(accounts: QuerySet, today: date) -> list[BurnDownList]:
    """The nine lists for `accounts` (already scoped to the viewer) as of `today`."""
    limits = BurnDownThresholds.current()
    base = accounts.select_related("tam", "segment", "segment_override").order_by("name", "pk")
    tam_assigned = Q(segment_override__tam_assigned=True) | Q(
        segment_override__isnull=True, segment__tam_assigned=True
    )

    def clock_overdue(field: str, days: int) -> QuerySet:
        return base.filter(
            customer_since__isnull=False,
            customer_since__lt=today - timedelta(days=days),
            **{f"{field}__isnull": True},
        )

    def no_call_for(priority: int, days: int) -> QuerySet:
        return (
            base.filter(priority=priority)
            .annotate(last_call=_last(ActivityKind.CADENCE_CALL))
            .filter(Q(last_call__isnull=True) | Q(last_call__lt=today - timedelta(days=days)))
        )

    strategic = Q(segment_override__code="strategic") | Q(
        segment_override__isnull=True, segment__code="strategic"
    )
    good_plan = (strategic & Q(success_plan_management_qualified=True)) | (
        ~strategic & Q(success_plan=SuccessPlanState.GREEN)
    )
    renewal_window = today + timedelta(days=limits.renewal_survey_days)
    survey_since = Activity.objects.filter(
        account=OuterRef("pk"),
        kind=ActivityKind.SURVEY_RESPONSE,
        survey_kind=SurveyKind.RENEWAL,
        occurred_on__gte=F("account__renewal_date") - timedelta(days=limits.renewal_survey_days),
    )
    return [
        BurnDownList("first_engage", f"Not engaged {limits.first_engage_days} days after close",
                     clock_overdue("first_engaged_on", limits.first_engage_days)),
        BurnDownList("first_value", f"No first value after {limits.first_value_days} days",
                     clock_overdue("first_value_on", limits.first_value_days)),
        BurnDownList("onboarding", f"Not onboarded after {limits.onboarding_days} days",
                     clock_overdue("onboarded_on", limits.onboarding_days)),
        BurnDownList("pr1_cadence", f"Pr1 without a cadence call in {limits.pr1_cadence_days} days",
                     no_call_for(1, limits.pr1_cadence_days)),
        BurnDownList("pr2_cadence", f"Pr2 without a cadence call in {limits.pr2_cadence_days} days",
                     no_call_for(2, limits.pr2_cadence_days)),
        BurnDownList("pr1_ebr", f"Pr1 without an EBR in {limits.pr1_ebr_months} months",
                     base.filter(priority=1).annotate(last_ebr=_last(ActivityKind.EBR)).filter(
                         Q(last_ebr__isnull=True)
                         | Q(last_ebr__lte=add_months(today, -limits.pr1_ebr_months)))),
        BurnDownList("pr1_success_plan",
                     "Pr1 without a green (Named, Mid-Touch) or management-qualified "
                     "(Strategic) success plan",
                     base.filter(tam_assigned, priority=1).exclude(good_plan)),
        BurnDownList("low_utilisation",
                     f"Licence utilisation below {limits.low_utilisation_share:.0%}",
                     base.filter(licensed_users__gt=0, active_users__isnull=False,
                                 active_users__lt=F("licensed_users")
                                 * limits.low_utilisation_share)),
        BurnDownList("renewal_survey",
                     f"Renewal survey due ({limits.renewal_survey_days} days before renewal)",
                     base.filter(renewal_date__gte=today, renewal_date__lte=renewal_window)
                     .exclude(Exists(survey_since))),
    ]  # fmt: skip
