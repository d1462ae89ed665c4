"""The book's CSV export: every row of the filtered, sorted book, not just one page.

The cadence columns say what the "Next cadence call" cell says: `next_cadence_call_due`
is empty when the account was never called (overdue, no date) or has no cadence calls,
and `cadence_call_overdue` (true / false; empty without cadence calls) tells those apart.
`usage_data_on` (the latest usage snapshot's day) and `tam_sentiment_on` say how old the
usage data and the health input are. Text cells a spreadsheet would run as formulas are
guarded (`lib.spreadsheet`), every one of them, not just the name.

It is the CSV people open in Excel, so the stream starts with a UTF-8 byte order mark
(without one Excel reads the file in the local code page and mangles "Zürich").
`tam_name` and `flags` (the book's badges, `;`-separated: `Churned`, `Renewal passed`)
come last, so a reader that goes by column position still finds the older columns; after
them, for the people who read the file (issue 12 point 8), `reasons` says the priority's
reason codes in words and `segment_name` the segment's name. `priority_reasons` and
`segment` keep their codes, as `export_accounts` writes them (DESIGN 9). `health` is the
computed band (DESIGN 11; empty: unknown) and `health_score`, last, its 0-100 score.
"""

from __future__ import annotations

from datetime import date

from django.http import StreamingHttpResponse
from django.utils import timezone

from accounts.models import Account
from lib.spreadsheet import SpreadsheetWriter
from metrics.clock_targets import ClockTargets
from metrics.clocks import account_clocks
from prioritization.reason_labels import reasons_sentence
from rhythm.selectors import CadenceRule

from .labels import account_flags, clock_state
from .query import cadence_of
from .views import book_table

EXPORT_CHUNK_SIZE = 2000
UTF8_BOM = "\ufeff"

EXPORT_COLUMNS = (
    "external_id", "name", "tam_email", "region", "segment", "segment_pinned", "priority",
    "priority_reasons", "health", "arr", "customer_since", "first_engage_clock",
    "first_value_clock", "onboard_clock", "last_cadence_call", "next_cadence_call_due",
    "cadence_call_overdue", "cadence_call_overdue_days", "last_ebr", "success_plan",
    "renewal_date", "usage_data_on", "tam_sentiment_on", "tam_name", "flags", "reasons",
    "segment_name", "health_score", "tam_sentiment",
)  # fmt: skip


def export_row(
    account: Account, targets: ClockTargets, cadence: CadenceRule, today: date
) -> tuple[object, ...]:
    """The row's values; the writer turns them into cells (text guarded, numbers as is)."""
    clocks = account_clocks(account, targets.for_account(account), today)
    states = {clock.name: clock_state(clock) for clock in clocks}
    segment = account.effective_segment
    status = cadence_of(account, cadence, today)
    return (
        account.external_id,
        account.name,
        account.tam.email if account.tam else "",
        account.region.code,
        segment.code if segment else "",
        account.segment_override_id is not None,
        f"Pr{account.priority}" if account.priority else "",
        account.priority_reasons,
        account.health,
        account.arr,
        account.customer_since,
        states.get("first_engage", ""),
        states.get("first_value", ""),
        states.get("onboard", ""),
        account.last_cadence_call,
        status.due_on if status else None,
        status.overdue if status else None,
        status.overdue_days if status else None,
        account.last_ebr,
        account.success_plan,
        account.renewal_date,
        account.usage_data_on,
        account.tam_sentiment_on,
        str(account.tam) if account.tam else "",
        ";".join(account_flags(account.arr, account.renewal_date, today)),
        reasons_sentence(account.priority_reasons, empty="") if account.priority else "",
        segment.name if segment else "",
        account.health_score,
        # With the sentiment beside it, `health` is the computed band to the accounts
        # import too, so a book file loaded back cannot turn the band into the sentiment.
        account.tam_sentiment,
    )


class _Echo:
    """The writer writes each line into this and gets it back, for streaming."""

    def write(self, value):
        return value


def book_export(request):
    """Every row of the filtered, sorted book (not just one page), streamed as CSV."""
    today = timezone.localdate()
    table, _ = book_table(request, today)
    accounts = table.data.data  # the filtered queryset in the table's order
    targets, cadence = table.clock_targets, table.cadence
    writer = SpreadsheetWriter(_Echo())

    def lines():
        yield UTF8_BOM + writer.writerow(EXPORT_COLUMNS)
        for account in accounts.iterator(chunk_size=EXPORT_CHUNK_SIZE):
            yield writer.writerow(export_row(account, targets, cadence, today))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="book-{today.isoformat()}.csv"'
    return response
