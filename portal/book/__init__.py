"""The book of business (DESIGN section 1): a TAM's accounts, or a manager's or admin's
scope, as one sortable, filterable table with a CSV export of exactly what it shows.

Every row's figures come from the page query itself: the related rows are joined
(`select_related`), the last cadence call and last EBR are correlated subqueries over the
activity index (account, kind, occurred_on), the latest usage snapshot's day (how old the
usage data is, DESIGN 10 "Freshness") one over the (account, taken_on) index, and the
cadence columns, the overdue filter and the sort by next call come from
`rhythm.selectors.CadenceRule`, the rule the dashboard, the account page and the workload
read (one admin setting, one function). The
onboarding clocks are the pure `metrics/clocks.py` over the row's dates and the targets
read once per request. So the page costs the same handful of queries whatever the size of
the book, and so does the export (a server-side cursor on PostgreSQL).

The parts:
- `labels`: the short words the table shows for plan states, clocks and flags.
- `query`: the page's queryset (scope, joins, annotations) and the clock targets.
- `filters`: the filter form (name, TAM, priority, segment, health, flag, cadence overdue).
- `table`: the table's columns, how each cell renders and how each column sorts.
- `views`: the page (`book`), and the filtered, sorted table it shares with the export.
- `export`: the CSV export (`book_export`).
"""

from prioritization.reason_labels import REASON_LABELS

from .export import EXPORT_COLUMNS, book_export
from .views import BOOK_PAGE_SIZE, book

__all__ = ["BOOK_PAGE_SIZE", "EXPORT_COLUMNS", "REASON_LABELS", "book", "book_export"]
