"""What the faces and the recompute read from the register (DESIGN 11 "Triage register").

Each takes the accounts in scope as a queryset (`Account.objects.visible_to(user)`, a
team's, or all) and answers in a query or two, whatever the number of accounts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum

from accounts.models import Account, Health

from .models import RiskCase, RiskClassification, RiskReason


def open_case_account_ids(account_ids: Iterable[int] | None = None) -> set[int]:
    """The accounts with an open case (`open` or `will_churn`), among `account_ids` if given."""
    cases = RiskCase.objects.open()
    if account_ids is not None:
        cases = cases.filter(account_id__in=list(account_ids))
    return set(cases.values_list("account_id", flat=True))


def has_open_case(account_id: int) -> bool:
    return RiskCase.objects.open().filter(account_id=account_id).exists()


def open_cases(accounts_qs: QuerySet[Account]) -> QuerySet[RiskCase]:
    return RiskCase.objects.open().filter(account__in=accounts_qs)


def overdue_updates(accounts_qs: QuerySet[Account], today: date) -> QuerySet[RiskCase]:
    """Open cases whose next update was due before `today`, the longest overdue first.
    A case due today is not overdue yet: the TAM has the day to write it."""
    return (
        open_cases(accounts_qs)
        .filter(next_update_due__lt=today)
        .select_related("account", "account__tam")
        .order_by("next_update_due", "account__name")
    )


@dataclass(frozen=True)
class ArrAtRiskLine:
    code: str
    label: str
    cases: int
    arr_at_risk: Decimal


@dataclass(frozen=True)
class ArrAtRisk:
    by_reason: list[ArrAtRiskLine]
    by_classification: list[ArrAtRiskLine]

    @property
    def total(self) -> Decimal:
        return sum((line.arr_at_risk for line in self.by_reason), Decimal(0))

    @property
    def cases(self) -> int:
        return sum(line.cases for line in self.by_reason)


def arr_at_risk_by(accounts_qs: QuerySet[Account]) -> ArrAtRisk:
    """The open cases' ARR at risk by reason and by classification (two grouped queries);
    only the reasons and classifications with a case, in the order of their choices."""
    cases = open_cases(accounts_qs)

    def lines(field: str, choices) -> list[ArrAtRiskLine]:
        rows = {
            row[field]: row
            for row in cases.order_by()
            .values(field)
            .annotate(cases=Count("pk"), arr_at_risk=Sum("arr_at_risk"))
        }
        return [
            ArrAtRiskLine(code, label, rows[code]["cases"], rows[code]["arr_at_risk"] or Decimal(0))
            for code, label in choices
            if code in rows
        ]

    return ArrAtRisk(
        by_reason=lines("reason", RiskReason.choices),
        by_classification=lines("classification", RiskClassification.choices),
    )


def red_without_case(accounts_qs: QuerySet[Account]) -> QuerySet[Account]:
    """Accounts whose computed band is red and that have no open case (a burn-down list).

    A churned customer (ARR exactly 0, as the book's "Churned" flag reads it) is left out:
    it has no ARR left to put at risk, so it would stay on the list for good."""
    return (
        accounts_qs.filter(health=Health.RED)
        .exclude(arr=0)
        .exclude(Exists(RiskCase.objects.open().filter(account_id=OuterRef("pk"))))
    )


def waiting_for_sign_off(accounts_qs: QuerySet[Account]) -> QuerySet[RiskCase]:
    """`will_churn` proposals the team's manager has not decided yet, oldest first."""
    return (
        RiskCase.objects.waiting_for_sign_off()
        .filter(account__in=accounts_qs)
        .select_related("account", "account__tam", "will_churn_proposed_by")
        .order_by("will_churn_proposed_on", "pk")
    )
