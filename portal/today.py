"""Today (DESIGN 12): the landing page of TAMs and managers, and the "/" redirect.

A TAM sees their book's work for the week; a manager their teams' (`visible_to`), with
the TAM on each item and a TAM filter, plus each TAM's workload. The rules are
`portal/today_rules.py` (pure); this module reads their inputs in bulk, a fixed number of
queries however big the book: the rhythm setting (1), the clock targets (2), the
accounts with their last call and EBR as correlated subqueries (1), their open risk
cases (1) and the health history rows of the last 7 days with the band of the row
before each (1), the workload (4 for a TAM; for a manager the teams, then 5 per team
managed).

Admins keep landing on the book (Decision): their scope is the whole company, where a
"week's work" is every TAM's at once; the dashboard is their overview. /today/ sends them
to the book too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.models import Account, ActivityKind
from dashboard.review_queue import pending_totals
from health.models import HealthHistory
from lib.fiscal import fiscal_quarter_of
from metrics.clock_targets import ClockTargets
from people.models import Role, Team
from prioritization.models import PriorityException, PriorityReview, ReviewStatus
from rhythm.selectors import cadence_rule, last_held_subquery
from rhythm.services import team_workloads, workload_for_tam
from triage.models import RiskCase
from triage.selectors import red_without_case

from .today_rules import WEEK_DAYS, BandRow, TodayAccount, TodayPlan, today_plan

WORKLOAD_DRIVERS_SHOWN = 5
# "Decisions since their last visit" (DESIGN 12), read as the last 7 days (Decision): the
# sign-in that opens Today has already moved `last_login` to now.
DECISIONS_SINCE_DAYS = 7

ACCOUNT_COLUMNS = (
    "id", "name", "tam_id", "tam__username", "tam__first_name", "tam__last_name",
    "priority", "renewal_date", "region__rule_set", "customer_since", "first_engaged_on",
    "first_value_on", "onboarded_on", "segment_id", "segment_override_id",
    "last_cadence_call", "last_ebr", "health", "health_score", "previous_priority",
    "priority_changed_on",
)  # fmt: skip


def lands_on_today(user) -> bool:
    return user.is_authenticated and not user.is_portal_admin


def home(request):
    """TAMs and managers land on Today, admins on the book."""
    return redirect("today" if lands_on_today(request.user) else "book")


def _tam_name(row: dict) -> str:
    full = f"{row['tam__first_name']} {row['tam__last_name']}".strip()
    return full or row["tam__username"] or ""


def _open_cases(accounts) -> dict[int, date | None]:
    """Each account's open risk case's next update due (at most one open case each)."""
    cases = RiskCase.objects.open().filter(account__in=accounts)
    return dict(cases.values_list("account_id", "next_update_due"))


def _band_rows(accounts, today: date) -> list[BandRow]:
    """The health history rows of the last 7 days, each with the band of the row before
    it (the (account, on) unique index serves both), in one query."""
    before = HealthHistory.objects.filter(account=OuterRef("account"), on__lt=OuterRef("on"))
    rows = (
        HealthHistory.objects.filter(
            account__in=accounts, on__gte=today - timedelta(days=WEEK_DAYS), on__lte=today
        )
        .annotate(previous_band=Subquery(before.order_by("-on").values("band")[:1]))
        .values_list("account_id", "on", "band", "score", "previous_band")
    )
    return [BandRow(*row) for row in rows]


def read_plan(user, today: date) -> TodayPlan:
    """The user's week (6 queries whatever the size of the book)."""
    cadence = cadence_rule()  # query 1
    targets = ClockTargets()  # queries 2-3
    rows = (
        Account.objects.visible_to(user)
        .annotate(
            last_cadence_call=cadence.last_call_annotation(today),
            last_ebr=last_held_subquery(ActivityKind.EBR, today),
            # The burn-down list's own rule (triage.selectors), so Today and the
            # dashboard cannot disagree on who needs a case.
            needs_triage_case=Exists(red_without_case(Account.objects.filter(pk=OuterRef("pk")))),
        )
        .values(*ACCOUNT_COLUMNS, "needs_triage_case")
    )  # query 4
    visible = Account.objects.visible_to(user)
    cases = _open_cases(visible)  # query 5
    accounts = [
        TodayAccount(
            account_id=row["id"],
            name=row["name"],
            rule_set=row["region__rule_set"],
            tam_id=row["tam_id"],
            tam_name=_tam_name(row),
            priority=row["priority"],
            renewal_date=row["renewal_date"],
            last_cadence_call=row["last_cadence_call"],
            last_ebr=row["last_ebr"],
            customer_since=row["customer_since"],
            first_engaged_on=row["first_engaged_on"],
            first_value_on=row["first_value_on"],
            onboarded_on=row["onboarded_on"],
            clock_targets=targets.by_segment.get(
                row["segment_override_id"] or row["segment_id"], targets.defaults
            ),
            health=row["health"],
            health_score=row["health_score"],
            has_open_case=row["id"] in cases,
            needs_triage_case=row["needs_triage_case"],
            triage_update_due=cases.get(row["id"]),
            previous_priority=row["previous_priority"],
            priority_changed_on=row["priority_changed_on"],
        )
        for row in rows
    ]
    return today_plan(accounts, today, cadence.rules, _band_rows(visible, today))  # query 6


@dataclass(frozen=True)
class Decision:
    account_id: int
    account_name: str
    what: str  # "Pr1 exception approved", "Pr2 proposal rejected"
    decided_at: datetime
    by: str
    comment: str


def _person(user) -> str:
    return str(user) if user is not None else "someone"


def recent_decisions(user, since: datetime) -> list[Decision]:
    """Exceptions and EMEA proposals on the user's accounts decided since `since`, newest
    first (2 queries)."""
    scope = {"account__in": Account.objects.visible_to(user)}
    exceptions = (
        PriorityException.objects.filter(**scope, reviewed_at__gte=since)
        .exclude(status=ReviewStatus.PENDING)
        .select_related("account", "reviewed_by")
    )
    reviews = (
        PriorityReview.objects.filter(**scope, decided_at__gte=since)
        .exclude(status=ReviewStatus.PENDING)
        .select_related("account", "decided_by")
    )
    found = [
        Decision(
            e.account_id,
            e.account.name,
            f"Pr{e.requested_priority} exception {e.get_status_display().lower()}",
            e.reviewed_at,
            _person(e.reviewed_by),
            e.review_comment,
        )
        for e in exceptions
    ] + [
        Decision(
            r.account_id,
            r.account.name,
            f"Pr{r.proposed_priority} proposal {r.get_status_display().lower()}"
            + (
                f" as Pr{r.decided_priority}"
                if r.decided_priority not in (None, r.proposed_priority)
                else ""
            ),
            r.decided_at,
            _person(r.decided_by),
            r.comment,
        )
        for r in reviews
    ]
    return sorted(found, key=lambda d: d.decided_at, reverse=True)


def waiting_for_decision(user, today: date) -> int:
    """Requests in a manager's scope still waiting (3 queries): the dashboard's review
    queue counted by its own rule (exceptions not expired, this quarter's EMEA proposals,
    will-churn proposals), so the two pages give the same number."""
    current = fiscal_quarter_of(today, settings.FISCAL_YEAR_START_MONTH)
    return pending_totals(Account.objects.visible_to(user), current, today).total


def _workloads(user, today: date) -> list:
    """(TAM, workload, the accounts driving it) for the user's TAMs."""
    if user.role == Role.MANAGER:
        loads = [
            pair
            for team in Team.objects.filter(manager=user).order_by("name")
            for pair in team_workloads(team, today)
        ]
    elif user.role == Role.TAM:
        loads = [(user, workload_for_tam(user, today))]
    else:
        loads = []
    return [(tam, load, load.drivers[:WORKLOAD_DRIVERS_SHOWN]) for tam, load in loads]


def _tam_filter(request, plan: TodayPlan) -> tuple[list[tuple[int, str]], int | None]:
    """The TAMs with work this week or renewals coming, and the one asked for (if any)."""
    tams = {item.tam_id: item.tam_name for item in plan.items if item.tam_id is not None}
    tams.update({r.tam_id: r.tam_name for r in plan.renewals if r.tam_id is not None})
    choices = sorted(tams.items(), key=lambda pair: (pair[1], pair[0]))
    wanted = request.GET.get("tam", "")
    chosen = int(wanted) if wanted.isdigit() and int(wanted) in tams else None
    return choices, chosen


def today(request):
    user = request.user
    if not lands_on_today(user):
        return redirect("book")
    day = timezone.localdate()
    plan = read_plan(user, day)
    many_tams = user.role == Role.MANAGER
    tam_choices, chosen = _tam_filter(request, plan) if many_tams else ([], None)
    items, renewals, changes = plan.items, plan.renewals, plan.changes
    if chosen is not None:
        items = tuple(item for item in items if item.tam_id == chosen)
        renewals = tuple(r for r in renewals if r.tam_id == chosen)
        changes = tuple(c for c in changes if c.tam_id == chosen)
    context = {
        "today": day,
        "week_ends": plan.week_ends,
        "items": items,
        "overdue_count": sum(item.overdue for item in items),
        "renewals": renewals,
        "changes": changes,
        "many_tams": many_tams,
        "tam_choices": tam_choices,
        "chosen_tam": chosen,
        "workloads": [w for w in _workloads(user, day) if chosen in (None, w[0].pk)],
        "decisions": recent_decisions(user, timezone.now() - timedelta(days=DECISIONS_SINCE_DAYS)),
        "decisions_since_days": DECISIONS_SINCE_DAYS,
        "waiting": waiting_for_decision(user, day) if many_tams else None,
    }
    return render(request, "portal/today.html", context)
