"""The run's metrics step spread over workers (orchestration/metrics_step.py; issue 14):
a metric per chunk, each reading its sums from every range's stored partial, writes
what the conductor writes when it merges everything itself, failures included. The
helpers are left out here (the conductor drains both phases on its own thread); the
two-worker run is tests/orchestration/test_fanout.py."""

import pytest
from django.utils import timezone

from accounts.models import Account
from bench.build_portfolio import build_portfolio
from metrics import formulas
from metrics.models import MetricResult
from orchestration.configuration import load_configuration
from orchestration.engine import Plan
from orchestration.fanout import Conductor
from orchestration.metrics_step import METRIC_RESULTS, METRICS, compute_metrics
from orchestration.models import RecomputeChunk, RecomputeRun
from orchestration.runs import recompute

ACCOUNTS = 300
CHUNK_SIZE = 40  # eight ranges: sums of the same scope come from several


def _results() -> list[tuple]:
    return list(
        MetricResult.objects.order_by("metric_id", "scope_type", "scope").values_list(
            "metric_id", "scope_type", "scope", "fiscal_quarter", "numerator", "denominator",
            "value", "target", "attained", "details", "fingerprint",
        )
    )  # fmt: skip


def _metrics(spread: bool):
    today = timezone.localdate()
    run = RecomputeRun.objects.create(trigger="test", as_of=today)
    conductor = Conductor(run.pk, "test-holder", heartbeat=lambda: None, threads=1)
    plan = Plan(load_configuration(), today, write=True, chunk_size=CHUNK_SIZE, spread=conductor)
    return run, compute_metrics(plan, CHUNK_SIZE, run.pk, spread=spread)


@pytest.fixture
def portfolio(db):
    build_portfolio(ACCOUNTS, seed=5, as_of=timezone.localdate())
    recompute(chunk_size=CHUNK_SIZE)  # segments, priorities and the quarter's assessments
    MetricResult.objects.all().delete()


def test_results_written_a_metric_per_chunk_are_those_the_conductor_writes_alone(portfolio):
    _, alone = _metrics(spread=False)
    expected = _results()
    MetricResult.objects.all().delete()

    run, spread = _metrics(spread=True)

    assert expected, "the portfolio should have metric results to compare"
    assert _results() == expected
    assert (spread.accounts, spread.results_created, spread.results_updated) == (
        alone.accounts, alone.results_created, 0,
    )  # fmt: skip
    assert spread.accounts == ACCOUNTS
    phases = RecomputeChunk.objects.filter(run=run)
    assert phases.filter(phase=METRICS).count() == ACCOUNTS // CHUNK_SIZE + 1
    assert phases.filter(phase=METRIC_RESULTS).count() == len(formulas.METRICS)
    assert not phases.filter(done=False).exists()


def test_a_spread_run_over_unchanged_results_writes_nothing(portfolio):
    _metrics(spread=True)
    before = _results()

    _, again = _metrics(spread=True)

    assert (again.results_created, again.results_updated, again.results_deleted) == (0, 0, 0)
    assert _results() == before


def test_an_account_a_formula_fails_on_is_left_out_the_same_way(portfolio, monkeypatch):
    real = formulas.contributions
    failing = Account.objects.order_by("id").values_list("id", flat=True)[ACCOUNTS // 2]

    def contributions(account, *args, **kwargs):
        if account.account_id == failing:
            raise ZeroDivisionError("a formula met a zero")
        return real(account, *args, **kwargs)

    monkeypatch.setattr(formulas, "contributions", contributions)
    _, alone = _metrics(spread=False)
    expected = _results()
    MetricResult.objects.all().delete()

    _, spread = _metrics(spread=True)

    assert [failure["account_id"] for failure in spread.failures] == [failing]
    assert spread.failures == alone.failures
    assert spread.accounts == alone.accounts
    assert _results() == expected
