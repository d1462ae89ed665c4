"""Finish a quarter's summed metrics into values per scope and write them where they changed.

One MetricResult per metric and scope; a scope an account counts in but with no
population for the metric gets a result with no value ("no data", never 0%). Results
no account counts in any more are deleted.

What changed is decided by fingerprint (`models.result_fingerprint`): each result row
keeps a hash of the values written with it, and a run reads back only (id, scope,
fingerprint) instead of every figure and `details` decoded (issue 14: most of a night's
results are unchanged). The fingerprint is of what was written, so an edit that bypasses
the model is not seen: results are the portal's own rows, the admin cannot add or bulk
delete them, and an edit through the admin's form (or any `save`) recomputes the
fingerprint, so the next run rewrites the edited row. Only a raw SQL or `QuerySet.update`
edit of a figure would stay until the figure changes again; a row whose fingerprint is
empty (written before it existed, or by `bulk_create`) is always rewritten.
"""

from __future__ import annotations

from functools import lru_cache

from django.db import connection, transaction
from django.utils import timezone

from core.bulk import copy_lines, copy_values, insert_rows, update_rows
from lib.fiscal import FiscalQuarter

from . import formulas
from .models import (
    RESULT_VALUES,
    MetricDefinition,
    MetricResult,
    ScopeType,
    result_fingerprint,
    segment_of_team_segment,
    stored_decimal,
)
from .partials import MetricsPartial

_DELETE_BATCH = 5000


def write_results(
    quarter: FiscalQuarter, partial: MetricsPartial, defaults: dict, by_segment: dict, run
) -> None:
    """Every metric's results for the quarter, counted into `run` (created, updated,
    deleted); one metric at a time, so only one metric's results are in memory."""
    metric_ids = dict(MetricDefinition.objects.values_list("key", "id"))
    seen_scopes = [(scope, _target_segment(scope)) for scope in partial.seen_scopes()]
    with transaction.atomic():
        for metric in formulas.METRICS:
            rows = _finish(
                quarter,
                metric,
                metric_ids[metric.key],
                partial.scope_accumulators(metric.key),
                seen_scopes,
                defaults,
                by_segment,
            )
            _write(quarter.label, metric_ids[metric.key], rows, run)


def _previous_values(quarter: FiscalQuarter, metric: formulas.Metric, metric_id: int) -> dict:
    # Time to IACV growth compares with the prior fiscal year's cohort (page 000).
    shift = -4 if metric.key == "time_to_iacv_growth" else -1
    return {
        (scope_type, scope): value
        for scope_type, scope, value in MetricResult.objects.filter(
            metric_id=metric_id,
            fiscal_quarter=quarter.shifted(shift).label,
            value__isnull=False,
        )
        .order_by()  # the model's ordering joins the definitions to sort: not needed here
        .values_list("scope_type", "scope", "value")
    }


def _finish(quarter, metric, metric_id, accumulators, seen_scopes, defaults, by_segment) -> dict:
    """Each seen scope's values as stored, with their fingerprint (`seen_scopes`: each
    with its `_target_segment`). Most scopes have no
    sums for a given metric; their result depends only on the targets, so it is finished
    and fingerprinted once per distinct targets rather than once per scope."""
    previous = _previous_values(quarter, metric, metric_id)
    default = defaults.get(metric.key)
    segments = {segment for _, segment in seen_scopes if segment is not None}
    targets = {segment: by_segment.get((metric.key, segment), default) for segment in segments}
    no_data: dict[tuple, tuple] = {}
    rows = {}
    for key, segment in seen_scopes:
        target = default if segment is None else targets[segment]
        last = previous.get(key)
        accumulator = accumulators.get(key)
        if accumulator is None:
            row = no_data.get((target, last))
            if row is None:
                row = no_data[(target, last)] = _stored_row(
                    formulas.finish(metric, None, formulas.Targets(target, last))
                )
        else:
            row = _stored_row(formulas.finish(metric, accumulator, formulas.Targets(target, last)))
        rows[key] = row
    return rows


def _target_segment(scope: tuple[str, str]) -> str | None:
    """The segment whose own target a scope takes, if any: a segment's, or a team's
    accounts in one segment; every other scope takes the metric's default."""
    scope_type, scope_id = scope
    if scope_type == ScopeType.SEGMENT:
        return scope_id
    if scope_type == ScopeType.TEAM_SEGMENT:
        return segment_of_team_segment(scope_id)
    return None


def _stored_row(value: formulas.MetricValue) -> tuple[tuple, str]:
    wanted = (
        stored_decimal(value.numerator), stored_decimal(value.denominator),
        stored_decimal(value.value), stored_decimal(value.target), value.attained,
        value.details,
    )  # fmt: skip
    return wanted, result_fingerprint(wanted)


def _write(label: str, metric_id: int, rows: dict, run) -> None:
    existing = {
        (scope_type, scope): (pk, fingerprint)
        for pk, scope_type, scope, fingerprint in MetricResult.objects.filter(
            fiscal_quarter=label, metric_id=metric_id
        )
        .order_by()
        .values_list("id", "scope_type", "scope", "fingerprint")
    }
    now = timezone.now()
    to_create, to_update = [], []
    for scope_key, row in rows.items():
        current = existing.pop(scope_key, None)
        if current is None:
            to_create.append((scope_key, row))
        elif current[1] != row[1]:
            to_update.append((current[0], *row[0], row[1], now))
    _insert(label, metric_id, to_create, now)
    update_rows(MetricResult, [*RESULT_VALUES, "fingerprint", "computed_at"], to_update)
    stale = [pk for pk, _ in existing.values()]
    for start in range(0, len(stale), _DELETE_BATCH):
        MetricResult.objects.filter(pk__in=stale[start : start + _DELETE_BATCH]).delete()
    run.results_created += len(to_create)
    run.results_updated += len(to_update)
    run.results_deleted += len(stale)


_INSERTED = ("metric_id", "fiscal_quarter", "computed_at", "scope_type", "scope", "fingerprint")


def _insert(label: str, metric_id: int, created: list[tuple], now, *, portable=False) -> None:
    """The new results, `created` as (scope, (values, fingerprint)). On PostgreSQL their
    COPY lines are built here: a first run creates every result (95,000 at 100,000
    accounts), and the scopes with no data for a metric share one row of values
    (`_finish`), formatted once; the rest is a scope's id and type. Elsewhere (or
    `portable`: the tests compare the two), `insert_rows`."""
    if portable or connection.vendor != "postgresql":
        insert_rows(
            MetricResult,
            [
                {"metric_id": metric_id, "scope_type": scope_type, "scope": scope,
                 "fiscal_quarter": label, "computed_at": now, "fingerprint": fingerprint,
                 **dict(zip(RESULT_VALUES, wanted, strict=True))}
                for (scope_type, scope), (wanted, fingerprint) in created
            ],
        )  # fmt: skip
        return
    head = copy_values([metric_id, label, now.isoformat()])
    tails: dict[int, str] = {}  # id of a shared row -> its formatted values
    lines = []
    for (scope_type, scope), row in created:
        tail = tails.get(id(row))
        if tail is None:
            tail = tails[id(row)] = _values_text(*row)
        lines.append(f"{head}\t{_scope_text(scope_type, scope)}\t{tail}\n")
    copy_lines(MetricResult, [*_INSERTED, *RESULT_VALUES], lines)


_NULL = "\\N"
_ATTAINED = {None: _NULL, True: "t", False: "f"}


def _values_text(values: tuple, fingerprint: str) -> str:
    """A result's fingerprint and `RESULT_VALUES` as COPY fields: four figures (Decimals
    or None), attained, and details, which are mostly empty."""
    *figures, attained, details = values
    figures_text = "\t".join([_NULL if figure is None else str(figure) for figure in figures])
    details_text = "{}" if not details else copy_values([details])
    return f"{fingerprint}\t{figures_text}\t{_ATTAINED[attained]}\t{details_text}"


@lru_cache(maxsize=200_000)
def _scope_text(scope_type: str, scope: str) -> str:
    """A scope as two COPY fields: every metric writes the same scopes."""
    return copy_values([scope_type, scope])
