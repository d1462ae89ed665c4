"""Finish a quarter's summed metrics into values per scope and write them where they changed.

One MetricResult per metric and scope; a scope an account counts in but with no
population for the metric gets a result with no value ("no data", never 0%). Results
no account counts in any more are deleted.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.bulk import insert_rows, update_rows
from lib.fiscal import FiscalQuarter

from . import formulas
from .models import MetricDefinition, MetricResult, ScopeType, segment_of_team_segment
from .partials import MetricsPartial

_FIELDS = ("numerator", "denominator", "value", "target", "attained", "details")
_PLACES = Decimal("0.0001")
_DELETE_BATCH = 5000


def write_results(
    quarter: FiscalQuarter, partial: MetricsPartial, defaults: dict, by_segment: dict, run
) -> None:
    """Every metric's results for the quarter, counted into `run` (created, updated,
    deleted); one metric at a time, so only one metric's results are in memory."""
    metric_ids = dict(MetricDefinition.objects.values_list("key", "id"))
    seen_scopes = partial.seen_scopes()
    with transaction.atomic():
        for metric in formulas.METRICS:
            values = _finish(
                quarter,
                metric,
                metric_ids[metric.key],
                partial.scope_accumulators(metric.key),
                seen_scopes,
                defaults,
                by_segment,
            )
            _write(quarter.label, metric_ids[metric.key], values, run)


def _previous_values(quarter: FiscalQuarter, metric: formulas.Metric, metric_id: int) -> dict:
    # Time to IACV growth compares with the prior fiscal year's cohort (page 000).
    shift = -4 if metric.key == "time_to_iacv_growth" else -1
    return {
        (scope_type, scope): value
        for scope_type, scope, value in MetricResult.objects.filter(
            metric_id=metric_id,
            fiscal_quarter=quarter.shifted(shift).label,
            value__isnull=False,
        ).values_list("scope_type", "scope", "value")
    }


def _finish(quarter, metric, metric_id, accumulators, seen_scopes, defaults, by_segment) -> dict:
    previous = _previous_values(quarter, metric, metric_id)
    default = defaults.get(metric.key)
    values = {}
    for scope_type, scope in seen_scopes:
        target = default
        if scope_type == ScopeType.SEGMENT:
            target = by_segment.get((metric.key, scope), target)
        elif scope_type == ScopeType.TEAM_SEGMENT:
            target = by_segment.get((metric.key, segment_of_team_segment(scope)), target)
        targets = formulas.Targets(target, previous.get((scope_type, scope)))
        values[(scope_type, scope)] = formulas.finish(
            metric, accumulators.get((scope_type, scope)), targets
        )
    return values


def _stored(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(_PLACES)


def _write(label: str, metric_id: int, values: dict, run) -> None:
    existing = {
        (scope_type, scope): (pk, *rest)
        for pk, scope_type, scope, *rest in MetricResult.objects.filter(
            fiscal_quarter=label, metric_id=metric_id
        ).values_list("id", "scope_type", "scope", *_FIELDS)
    }
    now = timezone.now()
    to_create, to_update = [], []
    for (scope_type, scope), value in values.items():
        wanted = (
            _stored(value.numerator), _stored(value.denominator), _stored(value.value),
            _stored(value.target), value.attained, value.details,
        )  # fmt: skip
        current = existing.pop((scope_type, scope), None)
        if current is None:
            to_create.append(
                {"metric_id": metric_id, "scope_type": scope_type, "scope": scope,
                 "fiscal_quarter": label, "computed_at": now,
                 **dict(zip(_FIELDS, wanted, strict=True))}
            )  # fmt: skip
        elif current[1:] != wanted:
            to_update.append((current[0], *wanted, now))
    insert_rows(MetricResult, to_create)
    update_rows(MetricResult, [*_FIELDS, "computed_at"], to_update)
    stale = [pk for pk, *_ in existing.values()]
    for start in range(0, len(stale), _DELETE_BATCH):
        MetricResult.objects.filter(pk__in=stale[start : start + _DELETE_BATCH]).delete()
    run.results_created += len(to_create)
    run.results_updated += len(to_update)
    run.results_deleted += len(stale)
