"""Burn-down lists: the accounts a manager or TAM acts on this week (issue 4, pages 000-003).

Each list is one query over the accounts in scope (a TAM's book or a team's), with the
day it became due, so it can be sorted oldest first. Thresholds are admin-editable: the
onboarding clocks, EBRs and licence use in `BurnDownThresholds`; the cadence intervals
and the renewal window in `rhythm.RhythmSettings`, read through `rhythm.selectors`, the
rule the book, the account page and the workload read too (DESIGN 13). Entries dated in
the future don't count anywhere here: a call, EBR or survey booked ahead has not happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from accounts.models import Activity, ActivityKind, SuccessPlanState, SurveyKind
from lib.dates import add_months, shift
from rhythm.selectors import CadenceRule, cadence_rule, held_since
from segments.codes import SegmentCode

from .models import BurnDownThresholds


@dataclass(frozen=True)
class BurnDownList:
    key: str
    title: str
    accounts: QuerySet


def burn_down_lists(accounts: QuerySet, today: date) -> list[BurnDownList]:
    """The nine lists for `accounts` (already scoped to the viewer) as of `today`."""
    limits = BurnDownThresholds.current()
    cadence = cadence_rule()
    base = accounts.select_related("tam", "segment", "segment_override").order_by("name", "pk")
    tam_assigned = Q(segment_override__tam_assigned=True) | Q(
        segment_override__isnull=True, segment__tam_assigned=True
    )

    def clock_overdue(field: str, days: int) -> QuerySet:
        return base.filter(
            customer_since__isnull=False,
            customer_since__lt=shift(today, -days),
            **{f"{field}__isnull": True},
        )

    strategic = Q(segment_override__code=SegmentCode.STRATEGIC) | Q(
        segment_override__isnull=True, segment__code=SegmentCode.STRATEGIC
    )
    good_plan = (strategic & Q(success_plan_management_qualified=True)) | (
        ~strategic & Q(success_plan=SuccessPlanState.GREEN)
    )
    return [
        BurnDownList("first_engage", f"Not engaged {limits.first_engage_days} days after close",
                     clock_overdue("first_engaged_on", limits.first_engage_days)),
        BurnDownList("first_value", f"No first value after {limits.first_value_days} days",
                     clock_overdue("first_value_on", limits.first_value_days)),
        BurnDownList("onboarding", f"Not onboarded after {limits.onboarding_days} days",
                     clock_overdue("onboarded_on", limits.onboarding_days)),
        BurnDownList("pr1_cadence", cadence.title(1), _cadence_overdue(base, cadence, 1, today)),
        BurnDownList("pr2_cadence", cadence.title(2), _cadence_overdue(base, cadence, 2, today)),
        BurnDownList("pr1_ebr", f"Pr1 without an EBR in {limits.pr1_ebr_months} months",
                     _no_ebr_since(base, shift(add_months(today, -limits.pr1_ebr_months), 1),
                                   today)),
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
                     f"Renewal survey due ({cadence.rules.renewal_window_days} days before "
                     "renewal)",
                     _renewal_survey_due(base, cadence, today)),
    ]  # fmt: skip


def _cadence_overdue(base: QuerySet, cadence: CadenceRule, priority: int, today: date):
    """The priority's accounts never called or past their next call, each by its own rule
    set's interval (`CadenceRule.overdue_q`, the book's "Cadence call overdue" filter)."""
    return cadence.overdue_accounts(base.filter(priority=priority), today, priority)


def _no_ebr_since(base: QuerySet, since: date, today: date) -> QuerySet:
    """Pr1 accounts with no EBR held from `since` to today: never held one, or the last
    one before `since` (`held_since`: one anti-join, no latest EBR per account)."""
    return base.filter(priority=1).exclude(held_since(ActivityKind.EBR, since, today))


def _renewal_survey_due(base: QuerySet, cadence: CadenceRule, today: date) -> QuerySet:
    """Renewals in their window (`CadenceRule.renewal_window_q`) with no renewal survey
    answered since the window opened. The window's first day is the outer row's
    (annotated, then `OuterRef`): read through the activity's own join to its account,
    PostgreSQL joined every account a second time (150 ms at 100,000 accounts). No open
    window opened before today minus its length (the renewal is today or later), so
    that bound, implied by the row's own, keeps the surveys read to one index range."""
    earliest_opening = shift(today, -cadence.rules.renewal_window_days)
    answered = Activity.objects.filter(
        account=OuterRef("pk"),
        kind=ActivityKind.SURVEY_RESPONSE,
        survey_kind=SurveyKind.RENEWAL,
        occurred_on__gte=OuterRef("renewal_window_opened"),
        occurred_on__lte=today,
    ).filter(occurred_on__gte=earliest_opening)
    return (
        base.filter(cadence.renewal_window_q(today))
        .annotate(renewal_window_opened=cadence.renewal_window_opened("renewal_date"))
        .exclude(Exists(answered))
    )
