"""The dashboard's lists in full: a page and a CSV for each burn-down list and for each
half of the review queue (`full_lists`), in the dashboard's scope (`?scope=`, 404
outside it). A TAM's read-only team view lists only their own accounts, as the dashboard
names only those."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from lib.fiscal import fiscal_quarter_of
from lib.spreadsheet import SpreadsheetWriter

from . import company, full_lists, triage_lists
from .views import _scope_for

CSV_CHUNK_SIZE = 2000
# People open these in Excel, which reads a file without a byte order mark in the local
# code page (as the book's CSV).
UTF8_BOM = "\ufeff"


def _scoped_accounts(request):
    scope = _scope_for(request, company.available_scopes(request.user))
    accounts = scope.accounts(request.user, scope.members())
    return scope, scope.book_of(request.user, accounts)


def _burn_down(request, key):
    scope, accounts = _scoped_accounts(request)
    found = full_lists.burn_down_list(accounts, key, timezone.localdate())
    if found is None:
        raise Http404("No such burn-down list.")
    return scope, found


def _queue(request, kind):
    scope, accounts = _scoped_accounts(request)
    today = timezone.localdate()
    current = fiscal_quarter_of(today, settings.FISCAL_YEAR_START_MONTH)
    found = full_lists.queue_list(accounts, kind, current, today)
    if found is None and kind == "will-churn":
        found = triage_lists.will_churn_queue(accounts)
    if found is None:
        raise Http404("No such queue.")
    return scope, found


def _sort(request) -> str:
    # One column at a time, as the header links offer; the table ignores unknown columns.
    return request.GET.get("sort", "").split(",")[0]


def _page(request, scope, found, csv_url):
    table = found.table(_sort(request))
    paging = {"per_page": full_lists.PAGE_SIZE}
    try:
        table.paginate(page=request.GET.get("page", 1), **paging)
    except PageNotAnInteger:
        table.paginate(page=1, **paging)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)
    csv_query = request.GET.copy()
    csv_query.pop("page", None)
    context = {
        "scope": scope,
        "list": found,
        "table": table,
        "total": table.paginator.count,
        "csv_url": f"{csv_url}?{csv_query.urlencode()}" if csv_query else csv_url,
    }
    return render(request, "dashboard/full_list.html", context)


class _Echo:
    def write(self, value):
        return value


def _csv(request, found, filename):
    rows = found.table(_sort(request)).data.data  # the list in the table's order
    writer = SpreadsheetWriter(_Echo())

    def lines():
        yield UTF8_BOM + writer.writerow(found.csv_header)
        for row in rows.iterator(chunk_size=CSV_CHUNK_SIZE):
            yield writer.writerow(found.csv_row(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    today = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{filename}-{today}.csv"'
    return response


def burn_down_list(request, key):
    scope, found = _burn_down(request, key)
    return _page(request, scope, found, reverse("dashboard:burn_down_csv", args=[key]))


def burn_down_csv(request, key):
    _, found = _burn_down(request, key)
    return _csv(request, found, f"burn-down-{key}")


def queue_list(request, kind):
    scope, found = _queue(request, kind)
    return _page(request, scope, found, reverse("dashboard:queue_csv", args=[kind]))


def queue_csv(request, kind):
    _, found = _queue(request, kind)
    return _csv(request, found, f"review-queue-{kind}")
