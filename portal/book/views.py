"""The book page, and the filtered, sorted table it shares with the CSV export."""

from __future__ import annotations

from datetime import date

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.models import Account
from metrics.clock_targets import ClockTargets
from rhythm.selectors import CadenceRule, cadence_rule

from .filters import BookFilter, sees_many_books
from .query import book_queryset
from .table import BookTable

BOOK_PAGE_SIZE = 50


def book_table(request, today: date) -> tuple[BookTable, BookFilter]:
    """The filtered, sorted table both the page and the export read. The cadence rule is
    read once (the admin's rhythm setting) and serves the columns, the filter and the sort."""
    cadence = cadence_rule()
    filterset = BookFilter(
        request.GET,
        queryset=book_queryset(request.user, today, cadence),
        request=request,
        today=today,
        cadence=cadence,
    )
    table = BookTable(
        filterset.qs,
        today=today,
        clock_targets=ClockTargets(),
        cadence=cadence,
        exclude=() if sees_many_books(request.user) else ("tam",),
        # One column at a time: the header links offer no more. None: Meta's (name).
        order_by=request.GET.get("sort", "").split(",")[0] or None,
    )
    return table, filterset


def _filters_active(request, filterset) -> bool:
    return any(request.GET.get(name) for name in filterset.filters)


class _CountedPaginator(Paginator):
    """A paginator told its count, so the page does not count the annotated queryset."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _matching_accounts(request, filterset, today: date, cadence: CadenceRule) -> int:
    """How many accounts the filters leave, counted without the book's columns.

    The annotations (last calls, next call due) join the region and scan the timeline;
    counting through them cost more than the page itself for a company-wide book. Only
    the overdue filter needs them.
    """
    if filterset.form.is_valid() and filterset.form.cleaned_data.get("overdue"):
        return filterset.qs.count()
    lean = BookFilter(
        request.GET,
        queryset=Account.objects.visible_to(request.user),
        request=request,
        today=today,
        cadence=cadence,
    )
    return lean.qs.count()


def book(request):
    today = timezone.localdate()
    table, filterset = book_table(request, today)
    total = _matching_accounts(request, filterset, today, table.cadence)
    # The page size stays 50 whatever the query string says (no per_page).
    page_number = request.GET.get("page", 1)
    paging = {"paginator_class": _CountedPaginator, "per_page": BOOK_PAGE_SIZE, "count": total}
    try:
        table.paginate(page=page_number, **paging)
    except PageNotAnInteger:
        table.paginate(page=1, **paging)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)
    filtered = _filters_active(request, filterset)
    # Only an empty result needs to know whether the scope itself is empty.
    scope_empty = total == 0 and (
        not filtered or not Account.objects.visible_to(request.user).exists()
    )
    export_query = request.GET.copy()
    export_query.pop("page", None)
    context = {
        "table": table,
        "filter": filterset,
        "total": total,
        "filtered": filtered,
        "scope_empty": scope_empty,
        "export_query": export_query.urlencode(),
        "sort": request.GET.get("sort", ""),
        "many_books": sees_many_books(request.user),
    }
    return render(request, "accounts/book.html", context)
