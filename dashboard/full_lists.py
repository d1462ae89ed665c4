"""Every list of the dashboard in full (DESIGN 12, "Every list has its full view").

The dashboard shows the first five accounts of each burn-down list and the oldest
requests of the review queue; each has a page with every row of the viewer's scope,
sortable by each column, 50 a page, and a CSV of the whole list in the page's order.

The tables follow the book's (`portal/book/table.py`): django-tables2 with the sort in
`?sort=`, which the table whitelists (an unknown column is ignored, the default order
stays), each column ordered by an expression with empty values last and the name (or
id) as tie-breaker so a page boundary and the CSV agree. The rows are read with their
related rows joined, so a page costs the same queries however long the list is. The
dashboard package sits below `portal` (tests/test_layers.py), so the book's helpers
cannot be imported here; the few lines they hold are repeated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import django_tables2 as tables
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html

from accounts.models import Health
from lib.words import date_text, health_text, money_text

from .health_triage import dashboard_burn_down_lists
from .review_queue import pending_requests

PAGE_SIZE = 50
QUEUE_KINDS = ("exceptions", "reviews")


def _date(day: date | None) -> str:
    return date_text(day)


def _muted(text: str) -> str:
    return format_html('<span class="muted">{}</span>', text)


def _ordered(queryset, is_descending, *expressions, ties=("name", "pk")):
    keys = [
        expression.desc(nulls_last=True) if is_descending else expression.asc(nulls_last=True)
        for expression in expressions
    ]
    return queryset.order_by(*keys, *ties), True


def _health_rank(prefix: str = "") -> Case:
    """The computed band, worst first (red 0, yellow 1, green 2; unknown none)."""
    bands = (Health.RED, Health.YELLOW, Health.GREEN)
    whens = [When(**{f"{prefix}health": band}, then=Value(rank)) for rank, band in enumerate(bands)]
    return Case(*whens, default=None, output_field=IntegerField())


# By band, then by score within it (DESIGN 11), as the book sorts.
HEALTH_ORDER = (_health_rank(), F("health_score"))
ACCOUNT_HEALTH_ORDER = (_health_rank("account__"), F("account__health_score"))


def _column(verbose_name, **kwargs):
    return tables.Column(verbose_name=verbose_name, empty_values=(), **kwargs)


class _FullListTable(tables.Table):
    class Meta:
        order_by_field = "sort"
        attrs = {"class": "data full-list"}
        template_name = "dashboard/_full_list_table.html"


def _account_link(account) -> str:
    return format_html(
        '<a href="{}">{}</a>', reverse("account_detail", args=[account.pk]), account.name
    )


def _priority(priority: int | None) -> str:
    return f"Pr{priority}" if priority else ""


def _account_facts(item) -> tuple:
    """What the manager sees of the account beside a request, for the CSV."""
    account = item.account
    segment = account.effective_segment
    return (
        _priority(account.priority),
        _priority(item.model_priority),
        segment.name if segment else "",
        account.arr,
        health_text(account.health, unknown=""),
        account.health_score,
    )


def _health(account) -> str:
    """The computed band and score, "Green 82" (DESIGN 11); blank band: unknown."""
    if not account.health:
        return _muted("Unknown")
    return health_text(account.health, account.health_score)


def _tam_name(account) -> str:
    return str(account.tam) if account.tam_id else "No TAM"


class BurnDownTable(_FullListTable):
    name = _column("Account")
    tam = _column("TAM")
    segment = _column("Segment")
    priority = _column("Priority")
    health = _column("Health")
    arr = _column("ARR", attrs={"th": {"class": "num"}, "td": {"class": "num"}})
    renewal_date = _column("Renewal")

    class Meta(_FullListTable.Meta):
        order_by = ("name",)

    def render_name(self, record):
        return _account_link(record)

    def render_tam(self, record):
        return _tam_name(record)

    def render_segment(self, record):
        segment = record.effective_segment
        return segment.name if segment else _muted("None")

    def render_priority(self, record):
        return f"Pr{record.priority}" if record.priority else _muted("None")

    def render_health(self, record):
        return _health(record)

    def render_arr(self, record):
        return "" if record.arr is None else money_text(record.arr)

    def render_renewal_date(self, record):
        return _date(record.renewal_date) or _muted("Unknown")

    def order_name(self, queryset, is_descending):
        return queryset.order_by(*(("-name", "-pk") if is_descending else ("name", "pk"))), True

    def order_tam(self, queryset, is_descending):
        return _ordered(queryset, is_descending, F("tam__first_name"), F("tam__last_name"))

    def order_segment(self, queryset, is_descending):
        position = Coalesce("segment_override__position", "segment__position")
        return _ordered(queryset, is_descending, position)

    def order_priority(self, queryset, is_descending):
        return _ordered(queryset, is_descending, F("priority"))

    def order_health(self, queryset, is_descending):
        # Worst first when ascending, as in the book.
        return _ordered(queryset, is_descending, *HEALTH_ORDER)

    def order_arr(self, queryset, is_descending):
        return _ordered(queryset, is_descending, F("arr"))

    def order_renewal_date(self, queryset, is_descending):
        return _ordered(queryset, is_descending, F("renewal_date"))


class _RequestTable(_FullListTable):
    """What exceptions and proposals share: the account, its TAM, who asked and why."""

    pager_noun = "requests"  # the pager's count (accounts/_book_table.html)

    account = _column("Account")
    tam = _column("TAM")
    current_priority = _column("Now")
    model_priority = _column("Model")
    segment = _column("Segment")
    arr = _column("ARR")
    health = _column("Health")

    def render_account(self, record):
        return _account_link(record.account)

    def render_current_priority(self, record):
        return _priority(record.account.priority) or _muted("Not assessed")

    def render_model_priority(self, record):
        return _priority(record.model_priority) or _muted("Not assessed")

    def render_segment(self, record):
        segment = record.account.effective_segment
        return segment.name if segment else _muted("None")

    def render_arr(self, record):
        return money_text(record.account.arr) if record.account.arr is not None else ""

    def render_health(self, record):
        return _health(record.account)

    def order_current_priority(self, queryset, is_descending):
        return self._by(queryset, is_descending, "account__priority")

    def order_model_priority(self, queryset, is_descending):
        return self._by(queryset, is_descending, "model_priority")

    def order_segment(self, queryset, is_descending):
        return self._by(queryset, is_descending, "account__segment__name")

    def order_arr(self, queryset, is_descending):
        return self._by(queryset, is_descending, "account__arr")

    def order_health(self, queryset, is_descending):
        return _ordered(
            queryset, is_descending, *ACCOUNT_HEALTH_ORDER, ties=("account__name", "pk")
        )

    def render_tam(self, record):
        return _tam_name(record.account)

    def render_justification(self, record):
        return record.justification or _muted("None given")

    def _by(self, queryset, is_descending, *fields):
        return _ordered(queryset, is_descending, *map(F, fields), ties=("account__name", "pk"))

    def order_account(self, queryset, is_descending):
        keys = ("-account__name", "-pk") if is_descending else ("account__name", "pk")
        return queryset.order_by(*keys), True

    def order_tam(self, queryset, is_descending):
        return self._by(
            queryset, is_descending, "account__tam__first_name", "account__tam__last_name"
        )

    def order_justification(self, queryset, is_descending):
        return self._by(queryset, is_descending, "justification")


class ExceptionTable(_RequestTable):
    requested_priority = _column("Requested")
    requested_by = _column("Requested by")
    requested_at = _column("Requested on")
    expires_on = _column("Until")
    justification = _column("Justification")

    class Meta(_FullListTable.Meta):
        order_by = ("requested_at",)

    def render_requested_priority(self, record):
        return f"Pr{record.requested_priority}"

    def render_requested_by(self, record):
        return str(record.requested_by)

    def render_requested_at(self, record):
        return _date(record.requested_at.date())

    def render_expires_on(self, record):
        return _date(record.expires_on)

    def order_requested_priority(self, queryset, is_descending):
        return self._by(queryset, is_descending, "requested_priority")

    def order_requested_by(self, queryset, is_descending):
        return self._by(
            queryset, is_descending, "requested_by__first_name", "requested_by__last_name"
        )

    def order_requested_at(self, queryset, is_descending):
        return self._by(queryset, is_descending, "requested_at")

    def order_expires_on(self, queryset, is_descending):
        return self._by(queryset, is_descending, "expires_on")


class ReviewTable(_RequestTable):
    suggested_priority = _column("Model suggests")
    proposed_priority = _column("Proposed")
    proposed_by = _column("Proposed by")
    proposed_at = _column("Proposed on")
    justification = _column("Justification")

    class Meta(_FullListTable.Meta):
        order_by = ("proposed_at",)

    def render_suggested_priority(self, record):
        return f"Pr{record.suggested_priority}"

    def render_proposed_priority(self, record):
        return f"Pr{record.proposed_priority}"

    def render_proposed_by(self, record):
        return str(record.proposed_by)

    def render_proposed_at(self, record):
        return _date(record.proposed_at.date())

    def order_suggested_priority(self, queryset, is_descending):
        return self._by(queryset, is_descending, "suggested_priority")

    def order_proposed_priority(self, queryset, is_descending):
        return self._by(queryset, is_descending, "proposed_priority")

    def order_proposed_by(self, queryset, is_descending):
        return self._by(
            queryset, is_descending, "proposed_by__first_name", "proposed_by__last_name"
        )

    def order_proposed_at(self, queryset, is_descending):
        return self._by(queryset, is_descending, "proposed_at")


# --- the lists ---------------------------------------------------------------------------


def _tam_email(account) -> str:
    return account.tam.email if account.tam_id else ""


def _burn_down_row(account) -> tuple:
    segment = account.effective_segment
    return (
        account.external_id,
        account.name,
        _tam_name(account),
        _tam_email(account),
        segment.name if segment else "",
        f"Pr{account.priority}" if account.priority else "",
        health_text(account.health, unknown=""),
        account.health_score,
        account.arr,
        account.renewal_date,
    )


def _exception_row(item) -> tuple:
    return (
        item.account.external_id,
        item.account.name,
        _tam_name(item.account),
        *_account_facts(item),
        f"Pr{item.requested_priority}",
        str(item.requested_by),
        item.requested_at.date(),
        item.expires_on,
        item.justification,
    )


def _review_row(item) -> tuple:
    return (
        item.account.external_id,
        item.account.name,
        _tam_name(item.account),
        *_account_facts(item),
        f"Pr{item.suggested_priority}",
        f"Pr{item.proposed_priority}",
        str(item.proposed_by),
        item.proposed_at.date(),
        item.justification,
    )


@dataclass(frozen=True)
class FullList:
    """One list: its rows (a queryset, unsorted by the table yet), how the page shows them
    and how the CSV writes them."""

    key: str
    title: str
    rows: QuerySet
    table_class: type[_FullListTable]
    csv_header: tuple[str, ...]
    csv_row: Callable[[object], tuple]
    noun: str  # "account" or "request", for the counts and the empty state

    def table(self, sort: str | None) -> _FullListTable:
        return self.table_class(self.rows, order_by=sort or None)


BURN_DOWN_CSV = (
    "external_id", "account", "tam", "tam_email", "segment", "priority", "health",
    "health_score", "arr", "renewal_date",
)  # fmt: skip
QUEUE_ACCOUNT_CSV = (
    "current_priority", "model_priority", "segment", "arr", "health", "health_score",
)  # fmt: skip
EXCEPTION_CSV = (
    "external_id", "account", "tam", *QUEUE_ACCOUNT_CSV, "requested_priority", "requested_by",
    "requested_on", "expires_on", "justification",
)  # fmt: skip
REVIEW_CSV = (
    "external_id", "account", "tam", *QUEUE_ACCOUNT_CSV, "suggested_priority",
    "proposed_priority", "proposed_by", "proposed_on", "justification",
)  # fmt: skip


def burn_down_list(accounts: QuerySet, key: str, today: date) -> FullList | None:
    """The burn-down list `key` over `accounts` (already the viewer's), or None."""
    for item in dashboard_burn_down_lists(accounts, today):
        if item.key == key:
            return FullList(
                key, item.title, item.accounts, BurnDownTable, BURN_DOWN_CSV, _burn_down_row,
                "account",
            )  # fmt: skip
    return None


def queue_list(accounts: QuerySet, kind: str, current, today: date) -> FullList | None:
    """The review queue's pending exceptions or this quarter's pending EMEA proposals
    (the dashboard's rule, `review_queue.pending_requests`) over `accounts`, or None."""
    exceptions, reviews = pending_requests(accounts, current, today)
    if kind == "exceptions":
        rows = exceptions.select_related(
            "account__tam", "account__segment", "account__segment_override", "requested_by"
        )
        return FullList(
            kind, "Priority exceptions waiting for a decision", rows, ExceptionTable,
            EXCEPTION_CSV, _exception_row, "request",
        )  # fmt: skip
    if kind == "reviews":
        rows = reviews.select_related(
            "account__tam", "account__segment", "account__segment_override", "proposed_by"
        )
        return FullList(
            kind, "EMEA review proposals waiting for a decision", rows, ReviewTable,
            REVIEW_CSV, _review_row, "proposal",
        )  # fmt: skip
    return None
