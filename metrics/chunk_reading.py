"""Read one id range of accounts with everything the metric formulas look at.

A fixed number of queries per chunk: the accounts, their timeline entries (EBRs,
webinar attendances, surveys, playbooks, licence saves), stage adoption, green health
days, ARR snapshots and the quarter's effective priorities, filed per account id. The
related rows are read unsorted (the models' orderings cleared): every formula takes them
as a set (any, sum, a median of sorted samples), so sorting was the database's work for
nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection

from accounts.models import (
    Account,
    Activity,
    ActivityKind,
    ArrSnapshot,
    StageAdoption,
    UsageSnapshot,
)
from lib.dates import add_months, shift
from lib.fiscal import FiscalQuarter, parse_quarter_label
from prioritization.models import PriorityAssessment

from . import formulas

ACCOUNT_COLUMNS = (
    "id", "tam_id", "tam__team_id", "region_id", "segment_id", "segment_override_id",
    "priority", "customer_since", "first_engaged_on", "first_value_on", "onboarded_on",
    "success_plan", "success_plan_green_on", "success_plan_management_qualified", "arr",
    "lam", "lam_confidence",
)  # fmt: skip

ACTIVITY_KINDS = (
    ActivityKind.EBR,
    ActivityKind.WEBINAR_ATTENDANCE,
    ActivityKind.SURVEY_RESPONSE,
    ActivityKind.PLAYBOOK,
    ActivityKind.LICENSE_SAVE,
)


@dataclass
class Related:
    """A chunk's related rows by account id (a missing id: none)."""

    ebrs: dict = field(default_factory=lambda: defaultdict(list))
    attendances: dict = field(default_factory=lambda: defaultdict(list))
    surveys: dict = field(default_factory=lambda: defaultdict(list))
    playbooks: dict = field(default_factory=lambda: defaultdict(list))
    license_flags: dict = field(default_factory=lambda: defaultdict(list))
    stages: dict = field(default_factory=lambda: defaultdict(list))
    green_days: dict = field(default_factory=lambda: defaultdict(list))
    arr_start: dict = field(default_factory=dict)
    arr_end: dict = field(default_factory=dict)
    first_increases: dict[int, date] = field(default_factory=dict)
    priorities: dict = field(default_factory=dict)


def read_accounts(first_id: int, last_id: int | None) -> list[tuple]:
    """The accounts with first_id <= id <= last_id (None: no end), as ACCOUNT_COLUMNS tuples."""
    return list(
        Account.objects.filter(**_span(first_id, last_id, "id"))
        .order_by("id")
        .values_list(*ACCOUNT_COLUMNS)
    )


def _span(first_id, last_id, name="account_id") -> dict:
    span = {f"{name}__gte": first_id}
    if last_id is not None:
        span[f"{name}__lte"] = last_id
    return span


def read_related(
    first_id: int, last_id: int | None, window: formulas.QuarterWindow, quarter: FiscalQuarter
) -> Related:
    related = Related()
    span = _span(first_id, last_id)
    _read_activities(span, window, related)
    stages = related.stages
    Enablement = formulas.StageEnablement
    for account_id, enabled_on, initial_on, broad_on in (
        StageAdoption.objects.filter(**span, enabled_on__lte=window.as_of)
        .order_by()
        .values_list("account_id", "enabled_on", "initial_adoption_on", "broad_adoption_on")
    ):
        stages[account_id].append(Enablement(enabled_on, initial_on, broad_on))
    green_days = related.green_days
    # Only "green within 90 days" reads them, for customers whose 90th day is in the quarter.
    for account_id, taken_on in (
        UsageSnapshot.objects.filter(
            **span,
            health="green",
            taken_on__gte=shift(window.start, -91),
            taken_on__lte=window.as_of,
            account__customer_since__gte=shift(window.start, -90),
            account__customer_since__lte=shift(window.as_of, -90),
        )
        .order_by()
        .values_list("account_id", "taken_on")
    ):
        green_days[account_id].append(taken_on)
    _read_arr(span, quarter, related)
    related.priorities = dict(
        PriorityAssessment.objects.filter(**span, fiscal_quarter=quarter.label)
        .order_by()
        .values_list("account_id", "effective_priority")
    )
    return related


def _read_activities(span: dict, window: formulas.QuarterWindow, related: Related) -> None:
    """One query for every timeline entry the metrics read, back 18 months at most."""
    since = add_months(window.start, -18)
    activities = (
        Activity.objects.filter(
            **span, occurred_on__gte=since, occurred_on__lte=window.as_of, kind__in=ACTIVITY_KINDS
        )
        .order_by()
        .values_list(
            "account_id", "kind", "occurred_on", "webinar_id", "webinar__held_on",
            "webinar__onboarding", "stayed_whole_session", "feedback_score", "survey_kind",
            "nps", "csat", "playbook_kind", "stage__name", "started_on", "completed_on",
            "outcome", "saved",
        )
    )  # fmt: skip
    ebrs, attendances, surveys = related.ebrs, related.attendances, related.surveys
    playbooks, license_flags = related.playbooks, related.license_flags
    Attendance, Survey = formulas.Attendance, formulas.Survey
    Playbook, LicenseFlag = formulas.Playbook, formulas.LicenseFlag
    ebr, attendance, survey, playbook = (
        ActivityKind.EBR.value,
        ActivityKind.WEBINAR_ATTENDANCE.value,
        ActivityKind.SURVEY_RESPONSE.value,
        ActivityKind.PLAYBOOK.value,
    )
    for (account_id, kind, occurred_on, webinar_id, held_on, onboarding, stayed, feedback,
         survey_kind, nps, csat, playbook_kind, stage, started_on, completed_on, outcome,
         saved) in activities:  # fmt: skip
        if kind == ebr:
            ebrs[account_id].append(occurred_on)
        elif kind == attendance:
            attendances[account_id].append(
                Attendance(webinar_id, held_on or occurred_on, onboarding, stayed, feedback)
            )
        elif kind == survey:
            surveys[account_id].append(Survey(survey_kind, occurred_on, nps, csat))
        elif kind == playbook:
            playbooks[account_id].append(
                Playbook(
                    playbook_kind, stage, started_on or occurred_on, completed_on, outcome or "open"
                )
            )
        else:
            license_flags[account_id].append(LicenseFlag(occurred_on, saved))


def _read_arr(span: dict, quarter: FiscalQuarter, related: Related) -> None:
    """The ARR at the quarter's start and end, and which accounts' ARR first rose above
    their first snapshot in this quarter (the start of that quarter is the day time to
    IACV growth counts to; an increase in any other quarter is outside its population)."""
    start_label, end_label = quarter.label, quarter.shifted(1).label
    for account_id, label, arr in (
        ArrSnapshot.objects.filter(**span, fiscal_quarter__in=[start_label, end_label])
        .order_by()
        .values_list("account_id", "fiscal_quarter", "arr")
    ):
        if label == start_label:
            related.arr_start[account_id] = arr
        else:
            related.arr_end[account_id] = arr
    table = ArrSnapshot._meta.db_table
    bounds = "account_id >= %s" + (" AND account_id <= %s" if "account_id__lte" in span else "")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT account_id FROM (
                SELECT account_id, fiscal_quarter, arr, FIRST_VALUE(arr) OVER (
                    PARTITION BY account_id ORDER BY fiscal_quarter
                ) AS first_arr
                FROM {table} WHERE {bounds}
            ) snapshots
            WHERE arr > first_arr
            GROUP BY account_id
            HAVING MIN(fiscal_quarter) = %s
            """,
            [*span.values(), start_label],
        )
        # As the snapshots' labels read with the house's fiscal year.
        day = parse_quarter_label(start_label, settings.FISCAL_YEAR_START_MONTH).start
        related.first_increases = {account_id: day for (account_id,) in cursor}
