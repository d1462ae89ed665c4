"""Admin helpers that keep change lists cheap on tables of 100,000s to millions of rows.

Django's admin counts the whole result set to draw its page links and offers filters that
list the distinct values of a column; on the activity timeline either is a scan of millions
of rows per page view. The helpers here avoid both.
"""

from django.conf import settings
from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import cached_property

from lib.fiscal import last_quarters

_RELTUPLES_SQL = "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)"


class EstimatedCountPaginator(Paginator):
    """Counts an unfiltered big table from PostgreSQL's statistics instead of COUNT(*).

    On PostgreSQL, an unfiltered queryset over a model's table is counted with the
    planner's estimate (`pg_class.reltuples`, kept fresh by ANALYZE and autovacuum) when
    that estimate is above `estimate_from` rows. A filtered queryset (admin filters or a
    search), a smaller table, a table never analysed, or another database gets the exact
    count. Limit: the estimate is off by the churn since the last ANALYZE, so on the
    unfiltered list the total shown is approximate and the last page may be short or empty.
    """

    estimate_from = 10_000

    @cached_property
    def count(self):
        estimate = self._estimated_count()
        if estimate is not None:
            return estimate
        return super().count

    def _estimated_count(self):
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or not _is_whole_table(queryset.query):
            return None
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return None
        table = connection.ops.quote_name(queryset.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(_RELTUPLES_SQL, [table])
            row = cursor.fetchone()
        # reltuples is -1 (PostgreSQL 14+) or 0 for a table that was never analysed.
        estimate = int(row[0]) if row and row[0] is not None else -1
        return estimate if estimate > self.estimate_from else None


def _is_whole_table(query):
    """True when the query returns every row of its model's table (joins only widen rows)."""
    return not query.where and not query.combinator and not query.is_sliced


class FiscalQuarterListFilter(admin.SimpleListFilter):
    """Filter on a `fiscal_quarter` label column, offering the last eight fiscal quarters.

    Django's default filter for a plain CharField lists its distinct values, a full scan
    of a table that holds one row per account (or metric and scope) per quarter. The
    choices here come from the fiscal calendar instead; older quarters are reached by
    searching for their label or by editing the URL (`?fiscal_quarter=FY25-Q1`).
    """

    title = "fiscal quarter"
    parameter_name = "fiscal_quarter"
    quarters_offered = 8

    def lookups(self, request, model_admin):
        quarters = last_quarters(
            timezone.localdate(), self.quarters_offered, settings.FISCAL_YEAR_START_MONTH
        )
        return [(quarter.label, quarter.label) for quarter in reversed(quarters)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(fiscal_quarter=self.value())
        return queryset


class LargeTableAdmin(admin.ModelAdmin):
    """A change list for a table that grows to millions of rows: no full count anywhere.

    The estimated count pages the unfiltered list, the "N total" link is dropped and so
    are the per-filter counts (facets), each of which would be a COUNT over the table.
    """

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER


class ComputedTableAdmin:
    """A table the recompute writes (assessments, metric results, runs): nobody adds a
    row by hand, and no bulk action deletes what the next run would only write again."""

    def has_add_permission(self, request):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
