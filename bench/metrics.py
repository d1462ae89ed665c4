"""Time the lifecycle metrics (`metrics.compute.compute_quarter`) on N accounts and their
history (the timeline, usage and ARR snapshots).

Usage: python bench/metrics.py [ACCOUNTS] [--no-trace] [--seed S] [--chunk-size C]
[--accounts-per-tam A] [--workers K] [--count-adds] (default 100,000 accounts, 50 per
TAM, one thread). --workers K spreads the chunks over K threads (`compute_quarter`'s
`workers`); --count-adds counts the `Accumulator.add` and `merge` calls of each run
(which slows it a little). Run it through
`bench/run metrics [ACCOUNTS]`, which provisions a throwaway PostgreSQL.

Results are kept per TAM, team, team x segment, region, segment and for the company, so
with 50 accounts per TAM the scopes grow with the accounts; --accounts-per-tam 250 at
100,000 accounts keeps the 20,000-account run's 400 TAMs, to tell what grows with
accounts from what grows with scopes.

Migrates, builds the portfolio with its history (bench/build_portfolio.py,
`activities=True`), then runs `recompute()` once so segments, priorities and the
quarter's assessments exist. That run ends by computing the current quarter's metrics
itself, so its results are deleted before the timed runs:
1. current quarter, first run: every result is created;
2. current quarter, second run: nothing changes;
3. previous quarter, first run;
all without tracemalloc, for the wall time. Then, unless --no-trace, the current quarter
once more under tracemalloc (which slows Python down several times) for the peak Python
memory: it updates the results of the up / down metrics, which now have the previous
quarter's value to compare with. ru_maxrss is the process's peak resident size so far
(the build included). Last, the company-scope value of each metric for the current
quarter, as stored.

DEBUG is off, as in production (with it on Django keeps the SQL of every query).
"""

import argparse
import contextlib
import gc
import sys
import time
import tracemalloc
from dataclasses import dataclass

from _setup import MB, distribution, load, maxrss_mb  # sets Django up: must come before the rest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from accounts.models import Activity
from bench.build_portfolio import ACCOUNTS_PER_TAM, build_portfolio
from lib.fiscal import FiscalQuarter, fiscal_quarter_of
from metrics import formulas
from metrics.compute import CHUNK_SIZE, MetricsRun, compute_quarter
from metrics.models import MetricResult, ScopeType
from orchestration.models import RunStatus
from orchestration.runs import recompute


@dataclass
class Measurement:
    label: str
    traced: bool
    seconds: float
    queries: int
    python_peak_mb: float | None
    maxrss_mb: float
    run: MetricsRun


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class CallCounter:
    """Counts the calls of `Accumulator.add` and `merge` while on."""

    def __init__(self):
        self.calls = {"add": 0, "merge": 0}

    def __enter__(self):
        self.real = {name: getattr(formulas.Accumulator, name) for name in self.calls}
        for name, real in self.real.items():
            setattr(formulas.Accumulator, name, self._counting(name, real))
        return self

    def _counting(self, name, real):
        def counted(accumulator, *args):
            self.calls[name] += 1
            return real(accumulator, *args)

        return counted

    def __exit__(self, *exc):
        for name, real in self.real.items():
            setattr(formulas.Accumulator, name, real)


def measure(
    label: str,
    quarter: FiscalQuarter,
    *,
    traced: bool,
    as_of,
    chunk_size: int,
    workers: int = 1,
    count_adds: bool = False,
) -> Measurement:
    gc.collect()
    counter = QueryCounter()
    if traced:
        tracemalloc.start()
    calls = CallCounter()
    started = time.perf_counter()
    cpu_started = time.process_time()
    with connection.execute_wrapper(counter), calls if count_adds else contextlib.nullcontext():
        run = compute_quarter(quarter, today=as_of, chunk_size=chunk_size, workers=workers)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak = tracemalloc.get_traced_memory()[1] / MB if traced else None
    if traced:
        tracemalloc.stop()
    result = Measurement(label, traced, seconds, counter.count, peak, maxrss_mb(), run)
    print(
        f"{label}{' [tracemalloc]' if traced else ''}: {seconds:.1f} s (CPU {cpu:.1f} s), "
        f"{run.accounts / seconds:,.0f} accounts/s, {counter.count} queries, "
        + (f"Python peak {peak:.1f} MB, " if peak is not None else "")
        + f"maxrss {result.maxrss_mb:.0f} MB; accounts {run.accounts:,}, "
        f"results created {run.results_created:,}, updated {run.results_updated:,}, "
        f"deleted {run.results_deleted:,}"
        + (
            f", Accumulator.add {calls.calls['add']:,}, merge {calls.calls['merge']:,}"
            if count_adds
            else ""
        )
        + f" (load {load()})",
        flush=True,
    )
    return result


def build(accounts: int, *, seed: int, as_of, accounts_per_tam: int) -> None:
    started = time.perf_counter()
    counts = build_portfolio(
        accounts, seed=seed, as_of=as_of, activities=True, accounts_per_tam=accounts_per_tam
    )
    elapsed = time.perf_counter() - started
    rows = sum(count for count in counts.values())
    print(
        f"built the portfolio in {elapsed:.1f} s ({accounts / elapsed:,.0f} accounts/s, "
        f"{rows / elapsed:,.0f} rows/s), maxrss {maxrss_mb():.0f} MB: "
        + ", ".join(f"{name} {count:,}" for name, count in counts.items()),
        flush=True,
    )
    kinds = Activity.objects.values_list("kind").annotate(n=Count("id")).order_by("kind")
    print("  activities: " + ", ".join(f"{kind} {n:,}" for kind, n in kinds), flush=True)


def run_recompute(as_of, chunk_size: int, quarter: FiscalQuarter) -> None:
    started = time.perf_counter()
    run = recompute(as_of=as_of, trigger="bench", chunk_size=chunk_size)
    seconds = time.perf_counter() - started
    if run.status != RunStatus.SUCCEEDED:
        print(f"recompute ended {run.status}\n{run.error}", file=sys.stderr)
        sys.exit(1)
    details = run.details or {}
    print(
        f"recompute (segments, priorities, assessments, first-value dates and the "
        f"{details.get('metrics_quarter')} metrics): {seconds:.1f} s "
        f"(segments+priorities {details.get('segments_and_priorities_seconds', '?')} s, "
        f"metrics {details.get('metrics_seconds', '?')} s); "
        f"priorities changed {run.priorities_changed:,}, "
        f"assessments created {run.assessments_created:,}, "
        f"first-value dates derived {details.get('first_value_dates_derived', 0):,}, "
        f"metric results created {details.get('metric_results_created', 0):,} "
        f"(load {load()})",
        flush=True,
    )
    distribution()
    deleted, _ = MetricResult.objects.filter(fiscal_quarter=quarter.label).delete()
    print(f"  deleted its {deleted:,} {quarter.label} results for the timed runs", flush=True)


def _formatted(value, unit: str) -> str:
    if value is None:
        return "no data"
    if unit in ("share", "ratio"):
        return f"{value * 100:.1f}%"
    if unit == "days":
        return f"{value.normalize():f} days"
    if unit == "count":
        return f"{value.normalize():f}"
    return f"{value:.2f}"


def company_values(quarter: FiscalQuarter) -> None:
    """The company scope of every metric, as stored, so the data's plausibility shows."""
    results = (
        MetricResult.objects.filter(
            fiscal_quarter=quarter.label, scope_type=ScopeType.COMPANY, scope="all"
        )
        .select_related("metric")
        .order_by("metric__key")
    )
    print(f"\n{quarter.label} company scope:")
    for result in results:
        unit = result.metric.unit
        fraction = ""
        if result.numerator is not None and result.denominator is not None:
            fraction = f" ({result.numerator.normalize():f}/{result.denominator.normalize():f})"
        target = _formatted(result.target, unit) if result.target is not None else "-"
        details = ", ".join(f"{name} {value}" for name, value in sorted(result.details.items()))
        print(
            f"  {result.metric.key:<28} {_formatted(result.value, unit):>12}{fraction:<24} "
            f"target {target:<10} attained {result.attained}"
            + (f"  [{details}]" if details else "")
        )
    scopes = (
        MetricResult.objects.filter(fiscal_quarter=quarter.label)
        .values_list("scope_type")
        .annotate(n=Count("id"))
        .order_by("scope_type")
    )
    print("  results per scope type: " + ", ".join(f"{kind} {n:,}" for kind, n in scopes))


def summary(measurements: list[Measurement]) -> None:
    header = (
        f"{'run':<48} {'wall s':>7} {'acc/s':>8} {'queries':>7} {'py peak MB':>10} "
        f"{'maxrss MB':>9} {'created':>8} {'updated':>8} {'deleted':>8}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for item in measurements:
        run = item.run
        label = item.label + (" [tracemalloc]" if item.traced else "")
        peak = f"{item.python_peak_mb:.1f}" if item.python_peak_mb is not None else "-"
        print(
            f"{label:<48} {item.seconds:>7.1f} {run.accounts / item.seconds:>8,.0f} "
            f"{item.queries:>7} {peak:>10} {item.maxrss_mb:>9.0f} {run.results_created:>8,} "
            f"{run.results_updated:>8,} {run.results_deleted:>8,}"
        )


def main(
    accounts: int,
    *,
    trace: bool,
    seed: int,
    chunk_size: int,
    accounts_per_tam: int,
    workers: int = 1,
    count_adds: bool = False,
) -> None:
    as_of = timezone.localdate()
    quarter = fiscal_quarter_of(as_of, settings.FISCAL_YEAR_START_MONTH)
    previous = quarter.previous
    print(
        f"database: {connection.vendor}, as of {as_of} ({quarter.label}), "
        f"{accounts:,} accounts ({accounts_per_tam} per TAM), chunk size {chunk_size:,}, "
        f"{workers} thread(s), "
        f"load {load()}",
        flush=True,
    )
    call_command("migrate", verbosity=0)
    build(accounts, seed=seed, as_of=as_of, accounts_per_tam=accounts_per_tam)
    run_recompute(as_of, chunk_size, quarter)

    options = {
        "as_of": as_of,
        "chunk_size": chunk_size,
        "workers": workers,
        "count_adds": count_adds,
    }
    measurements = [
        measure(f"1 {quarter.label} first run (created)", quarter, traced=False, **options),
        measure(f"2 {quarter.label} second run (no change)", quarter, traced=False, **options),
        measure(f"3 {previous.label} (previous quarter)", previous, traced=False, **options),
    ]
    if trace:
        # After run 3 the up / down metrics have a previous quarter to compare with.
        label = f"4 {quarter.label} again (QoQ comparisons)"
        measurements.append(measure(label, quarter, traced=True, **options))
    summary(measurements)
    company_values(quarter)
    print(f"\nload average now: {load()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description="Time the lifecycle metrics on N accounts with their history."
    )
    parser.add_argument("accounts", nargs="?", type=int, default=100_000)
    parser.add_argument("--no-trace", action="store_true", help="skip the run under tracemalloc")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE)
    parser.add_argument("--accounts-per-tam", type=int, default=ACCOUNTS_PER_TAM)
    parser.add_argument("--workers", type=int, default=1, help="threads for the chunks")
    parser.add_argument(
        "--count-adds", action="store_true", help="count Accumulator.add and merge calls"
    )
    arguments = parser.parse_args()
    main(
        arguments.accounts,
        trace=not arguments.no_trace,
        seed=arguments.seed,
        chunk_size=arguments.chunk_size,
        accounts_per_tam=arguments.accounts_per_tam,
        workers=arguments.workers,
        count_adds=arguments.count_adds,
    )
