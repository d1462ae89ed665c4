"""The triage register as a table (DESIGN 11, DESIGN 12 "Every list has its full view"):
the register page (`portal/triage.py`, every case in scope) and the review queue's
`will-churn` kind (proposals waiting for the team's manager) share it.

Sorted, paginated and downloaded as the dashboard's other full lists (`full_lists`).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils.html import format_html

from accounts.models import Account, Health
from lib.words import health_text, money_text
from triage.models import RiskCase
from triage.selectors import waiting_for_sign_off

from .full_lists import (
    FullList,
    _account_link,
    _column,
    _date,
    _FullListTable,
    _health,
    _muted,
    _ordered,
    _tam_name,
)

# The account's computed band, worst first, then its score (as the book sorts health).
_BANDS = (Health.RED, Health.YELLOW, Health.GREEN)
HEALTH_ORDER = (
    Case(
        *[When(account__health=band, then=Value(rank)) for rank, band in enumerate(_BANDS)],
        default=None,
        output_field=IntegerField(),
    ),
    F("account__health_score"),
)

CASE_CSV = (
    "external_id", "account", "tam", "health", "health_score", "status", "reason",
    "classification", "arr_at_risk", "opened_on", "opened_by", "next_update_due",
    "will_churn_proposed_by", "will_churn_proposed_on", "closed_on", "outcome_comment",
)  # fmt: skip


class RiskCaseTable(_FullListTable):
    account = _column("Account")
    tam = _column("TAM")
    health = _column("Health")
    status = _column("Status")
    reason = _column("Reason")
    classification = _column("Classification")
    arr_at_risk = _column("ARR at risk", attrs={"th": {"class": "num"}, "td": {"class": "num"}})
    opened_on = _column("Opened")
    next_update_due = _column("Next update due")

    pager_noun = "cases"  # the pager's count (accounts/_book_table.html)

    class Meta(_FullListTable.Meta):
        order_by = ("next_update_due",)

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def render_account(self, record):
        return _account_link(record.account)

    def render_tam(self, record):
        return _tam_name(record.account)

    def render_health(self, record):
        return _health(record.account)

    def render_status(self, record):
        if record.waiting_for_sign_off:
            return "Open, will churn proposed"
        return record.get_status_display()

    def render_reason(self, record):
        return record.get_reason_display()

    def render_classification(self, record):
        return record.get_classification_display()

    def render_arr_at_risk(self, record):
        return money_text(record.arr_at_risk)

    def render_opened_on(self, record):
        return _date(record.opened_on)

    def render_next_update_due(self, record):
        if record.next_update_due is None:
            return _muted(f"Closed {_date(record.closed_on)}")
        due = _date(record.next_update_due)
        if self.today and record.next_update_due < self.today:
            # The house's mark for late things (the account page's late clocks and
            # stale measures), not the muted grey of a closed case.
            return format_html('<strong class="late">{} (overdue)</strong>', due)
        return due

    def _by(self, queryset, is_descending, *expressions):
        return _ordered(queryset, is_descending, *expressions, ties=("account__name", "pk"))

    def order_account(self, queryset, is_descending):
        keys = ("-account__name", "-pk") if is_descending else ("account__name", "pk")
        return queryset.order_by(*keys), True

    def order_tam(self, queryset, is_descending):
        names = (F("account__tam__first_name"), F("account__tam__last_name"))
        return self._by(queryset, is_descending, *names)

    def order_health(self, queryset, is_descending):
        return self._by(queryset, is_descending, *HEALTH_ORDER)

    def order_status(self, queryset, is_descending):
        return self._by(queryset, is_descending, F("status"))

    def order_reason(self, queryset, is_descending):
        return self._by(queryset, is_descending, F("reason"))

    def order_classification(self, queryset, is_descending):
        return self._by(queryset, is_descending, F("classification"))

    def order_arr_at_risk(self, queryset, is_descending):
        return self._by(queryset, is_descending, F("arr_at_risk"))

    def order_opened_on(self, queryset, is_descending):
        return self._by(queryset, is_descending, F("opened_on"))

    def order_next_update_due(self, queryset, is_descending):
        return self._by(queryset, is_descending, F("next_update_due"))


def _person(user) -> str:
    return str(user) if user is not None else ""


def case_row(case: RiskCase) -> tuple:
    account = case.account
    return (
        account.external_id,
        account.name,
        _tam_name(account),
        health_text(account.health, unknown=""),
        account.health_score,
        case.get_status_display(),
        case.get_reason_display(),
        case.get_classification_display(),
        case.arr_at_risk,
        case.opened_on,
        _person(case.opened_by),
        case.next_update_due,
        _person(case.will_churn_proposed_by),
        case.will_churn_proposed_on,
        case.closed_on,
        case.outcome_comment,
    )


RELATED = ("account__tam", "opened_by", "will_churn_proposed_by")


def register(accounts: QuerySet[Account], status: str = "") -> QuerySet[RiskCase]:
    """Every case on `accounts` (the viewer's), or those of one status (`open` means
    open or will churn, as the rules read it)."""
    cases = RiskCase.objects.filter(account__in=accounts).select_related(*RELATED)
    if status == "open":
        return cases.open()
    return cases.filter(status=status) if status else cases


def will_churn_queue(accounts: QuerySet[Account]) -> FullList:
    """The review queue's `will-churn` kind: proposals the team's manager signs off."""
    return FullList(
        "will-churn", "Will churn proposals waiting for sign-off",
        waiting_for_sign_off(accounts).select_related(*RELATED), RiskCaseTable, CASE_CSV,
        case_row, "proposal",
    )  # fmt: skip
