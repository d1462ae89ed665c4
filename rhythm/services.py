"""Workload and due touch points read from the database (DESIGN section 6).

The rules are in `rhythm/workload.py` and `rhythm/touchpoints.py` (pure, with the
cadence and renewal rules of `rhythm/cadence.py`); this module reads their inputs in bulk,
with a fixed number of queries however many TAMs or accounts there are:

- `workload_for_tam`: the rhythm setting, accounts, task rows, capacity profiles (4).
- `team_workloads`: the team's TAMs, then the same four (5 queries); `workloads_of`
  the same four for any list of TAMs (a page of the company's).
- `due_touchpoints`: the rhythm setting, accounts, last cadence call and last EBR per
  account (3 queries).

A TAM works by the table of the segment most of their book is in (among segments that
have a table; `named` when none does, page 002 being the table DESIGN starts from). The
task table and capacities are tiny admin tables, read whole, once per call.

These are reads for a given TAM or team: callers scope first (`Account.objects
.visible_to`, the views' scoping helpers); nothing here checks who is asking.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

from django.db.models import Max, Q
from django.utils import timezone

from accounts.models import Account, Activity, ActivityKind
from people.models import Role, Team, User

from . import touchpoints, workload
from .models import CapacityProfile, RhythmTask
from .selectors import rhythm_rules
from .touchpoints import DueLists, TouchpointFacts
from .workload import BookAccount, Capacity, TaskRow, Workload, WorkloadRates

BOOK_COLUMNS = (
    "id", "name", "tam_id", "priority", "customer_since", "onboarded_on",
    "region__rule_set", "segment__code", "segment_override__code",
)  # fmt: skip


def _book_account(row: dict, as_of: date) -> BookAccount:
    """Onboarding is open on `as_of`: customer since then or before, not yet onboarded."""
    customer_since, onboarded_on = row["customer_since"], row["onboarded_on"]
    return BookAccount(
        account_id=row["id"],
        name=row["name"],
        rule_set=row["region__rule_set"],
        segment=row["segment_override__code"] or row["segment__code"],
        priority=row["priority"],
        onboarding_open=(
            customer_since is not None
            and customer_since <= as_of
            and (onboarded_on is None or onboarded_on > as_of)
        ),
    )


def _books(tam_ids: list[int], as_of: date) -> dict[int, list[BookAccount]]:
    books: dict[int, list[BookAccount]] = defaultdict(list)
    rows = Account.objects.filter(tam_id__in=tam_ids).order_by("name", "id").values(*BOOK_COLUMNS)
    for row in rows:
        books[row["tam_id"]].append(_book_account(row, as_of))
    return books


class _Tables:
    """Every segment's task rows and capacity, read once (two queries)."""

    def __init__(self):
        self.rows: dict[str, list[TaskRow]] = defaultdict(list)
        task_rows = RhythmTask.objects.order_by("segment__position", "position", "id").values(
            "segment__code", "task", "driver", "hours_per_week", "hours_per_year", "notes"
        )
        for row in task_rows:
            self.rows[row.pop("segment__code")].append(TaskRow(**row))
        # Dicts keep insertion order: the segment codes in segment order, for ties.
        self.segments = list(self.rows)
        self.capacities = {
            row["segment__code"]: Capacity(row["weekly_capacity_hours"], row["pto_days_per_year"])
            for row in CapacityProfile.objects.values(
                "segment__code", "weekly_capacity_hours", "pto_days_per_year"
            )
        }

    def workload(self, book: list[BookAccount], rates: WorkloadRates) -> Workload:
        code = workload.table_segment_for(book, self.segments)
        result = workload.expected_weekly_hours(
            book, self.rows.get(code, []), self.capacities.get(code, Capacity()), rates
        )
        return replace(result, table_segment=code)


def _rates(rates: WorkloadRates | None) -> WorkloadRates:
    """The caller's rates, else the defaults with the admin's cadence intervals (1 query)."""
    return rates or WorkloadRates(rhythm=rhythm_rules())


def workload_for_tam(
    tam: User, as_of: date | None = None, rates: WorkloadRates | None = None
) -> Workload:
    """The TAM's expected hours a week from their book on `as_of` (default today)."""
    as_of = as_of or timezone.localdate()
    rates = _rates(rates)  # query 1
    books = _books([tam.pk], as_of)  # query 2
    return _Tables().workload(books[tam.pk], rates)  # queries 3-4


def team_workloads(
    team: Team, as_of: date | None = None, rates: WorkloadRates | None = None
) -> list[tuple[User, Workload]]:
    """Every active TAM of `team` with their workload, in username order (5 queries)."""
    tams = list(team.members.filter(role=Role.TAM, is_active=True))  # query 1
    return workloads_of(tams, as_of, rates)  # queries 2-5


def workloads_of(
    tams: list[User], as_of: date | None = None, rates: WorkloadRates | None = None
) -> list[tuple[User, Workload]]:
    """Each of `tams` with their workload, in the given order (4 queries): a page of the
    whole company's TAMs."""
    as_of = as_of or timezone.localdate()
    rates = _rates(rates)  # query 1
    books = _books([tam.pk for tam in tams], as_of)  # query 2
    tables = _Tables()  # queries 3-4
    return [(tam, tables.workload(books[tam.pk], rates)) for tam in tams]


def due_touchpoints(tam: User, as_of: date | None = None, within_days: int = 0) -> DueLists:
    """The TAM's cadence calls, EBRs and renewal touch points due by `as_of +
    within_days` (default: due or overdue today), each list by due date (3 queries).

    Activities dated after `as_of` do not count, so a past `as_of` reads as it was.
    """
    as_of = as_of or timezone.localdate()
    rules = rhythm_rules()  # query 1
    accounts = list(
        Account.objects.filter(tam=tam).values(
            "id", "name", "priority", "renewal_date", "region__rule_set"
        )
    )  # query 2
    last = {
        row["account_id"]: row
        for row in Activity.objects.filter(
            account__tam=tam,
            kind__in=[ActivityKind.CADENCE_CALL, ActivityKind.EBR],
            occurred_on__lte=as_of,
        )
        .order_by()
        .values("account_id")
        .annotate(
            last_call=Max("occurred_on", filter=Q(kind=ActivityKind.CADENCE_CALL)),
            last_ebr=Max("occurred_on", filter=Q(kind=ActivityKind.EBR)),
        )
    }  # query 3
    facts = [
        TouchpointFacts(
            account_id=row["id"],
            name=row["name"],
            rule_set=row["region__rule_set"],
            priority=row["priority"],
            renewal_date=row["renewal_date"],
            last_cadence_call=last.get(row["id"], {}).get("last_call"),
            last_ebr=last.get(row["id"], {}).get("last_ebr"),
        )
        for row in accounts
    ]
    return touchpoints.touchpoints_due(facts, as_of, within_days, rules)
