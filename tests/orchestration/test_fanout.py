"""A run's chunks spread over whoever drains them (orchestration/fanout.py; issue 14,
point 3): claims by compare-and-set, a claim that runs out taken again, a chunk that fails
on a helper failing the run, a transient error retried, helpers that come too late doing
nothing; and a run fanned out through two real Celery workers writing what a run in one
process writes."""

import os
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from accounts.models import Account
from bench.build_portfolio import build_portfolio
from metrics.models import MetricResult
from orchestration import fanout
from orchestration import runs as runs_module
from orchestration.fanout import ChunkFailed, claim, create_chunks, drain, help_run
from orchestration.lock import release, take_lock
from orchestration.models import RecomputeChunk, RecomputeRun, RunStatus
from orchestration.runs import recompute
from orchestration.tasks import recompute_portfolio
from prioritization.models import PriorityAssessment
from tam_portal.celery import app
from tests.broker import app_pointed_at, eventually, start_worker, stop_worker
from tests.factories import AccountFactory, TamFactory

REDIS_URL = os.environ.get("TEST_REDIS_URL")
PHASE = "decide"


def _running_run() -> RecomputeRun:
    return RecomputeRun.objects.create(trigger="test", as_of=timezone.localdate())


def _chunk(run, index) -> RecomputeChunk:
    return RecomputeChunk.objects.get(run=run, phase=PHASE, index=index)


# --- claiming -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_chunk_claimed_is_not_claimed_again_while_its_claim_lasts():
    run = _running_run()
    create_chunks(run.pk, PHASE, [(1, 10), (11, None)])

    first = claim(run.pk, PHASE, "host:1:a")
    second = claim(run.pk, PHASE, "host:2:b")
    third = claim(run.pk, PHASE, "host:3:c")

    assert (first.index, first.first_id, first.last_id) == (0, 1, 10)
    assert (second.index, second.first_id, second.last_id) == (1, 11, None)  # None: open end
    assert third is None  # both held
    assert _chunk(run, 0).claimed_by == "host:1:a"


@pytest.mark.django_db
def test_a_claim_that_ran_out_is_taken_by_the_next_drainer():
    """The drainer holding it died mid-chunk: its claim runs out, another takes the chunk."""
    run = _running_run()
    create_chunks(run.pk, PHASE, [(1, None)])
    claim(run.pk, PHASE, "host:1:died")
    RecomputeChunk.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))

    again = claim(run.pk, PHASE, "host:2:alive")

    assert again.index == 0
    assert _chunk(run, 0).claimed_by == "host:2:alive"


@pytest.mark.django_db
def test_draining_runs_every_chunk_once_and_keeps_its_result():
    run = _running_run()
    create_chunks(run.pk, PHASE, [(1, 5), (6, 9), (10, None)])
    seen = []

    def work(first, last):
        seen.append((first, last))
        return {"first": first}

    done = drain(run.pk, PHASE, work)

    assert done == 3
    assert seen == [(1, 5), (6, 9), (10, None)]
    chunks = RecomputeChunk.objects.filter(run=run).order_by("index")
    assert [(chunk.done, chunk.result) for chunk in chunks] == [
        (True, {"first": 1}),
        (True, {"first": 6}),
        (True, {"first": 10}),
    ]


@pytest.mark.django_db
def test_a_chunk_finished_after_its_run_ended_is_rolled_back():
    """A drainer still in a chunk when the run fails (or its lock is lost) writes nothing:
    its `done` finds the run no longer running, and the chunk's writes roll back with it."""
    tam = TamFactory()
    AccountFactory(tam=tam, name="before")
    run = _running_run()
    create_chunks(run.pk, PHASE, [(1, None)])

    def work_as_the_run_fails(first, last):
        Account.objects.filter(tam=tam).update(name="written after the run ended")
        RecomputeRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED)
        return {}

    assert drain(run.pk, PHASE, work_as_the_run_fails) == 0

    assert Account.objects.get(tam=tam).name == "before"
    assert not _chunk(run, 0).done


# --- failures and retries -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_chunk_that_fails_on_a_helper_fails_the_run(monkeypatch):
    """A helper's chunk raises: the error is written on the chunk's row, the conductor
    raises it and the run ends FAILED, never left running."""
    AccountFactory.create_batch(3, tam=TamFactory())

    def failing_helper(run_id, phase, holder, count):
        # What a helper on another worker does, here before the conductor starts draining.
        def broken(first, last):
            raise ValueError("a bug on the helper")

        with pytest.raises(ValueError):
            drain(run_id, phase, broken)

    monkeypatch.setattr(runs_module, "helpers_wanted", lambda: 1)
    monkeypatch.setattr(fanout, "_send_helpers", failing_helper)

    with pytest.raises(ChunkFailed, match="ValueError: a bug on the helper"):
        recompute(chunk_size=1)

    run = RecomputeRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert "ValueError: a bug on the helper" in run.error
    failed = RecomputeChunk.objects.exclude(error="").get()
    assert not failed.done


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_chunk_meeting_a_transient_error_is_retried_and_done_once(monkeypatch):
    monkeypatch.setattr("orchestration.chunks.time.sleep", lambda seconds: None)
    run = _running_run()
    create_chunks(run.pk, PHASE, [(1, None)])
    attempts = []

    def flaky(first, last):
        attempts.append(first)
        if len(attempts) == 1:
            raise OperationalError("deadlock detected")
        return {"attempt": len(attempts)}

    assert drain(run.pk, PHASE, flaky) == 1

    assert attempts == [1, 1]
    chunk = _chunk(run, 0)
    assert (chunk.done, chunk.result, chunk.error) == (True, {"attempt": 2}, "")


@pytest.mark.django_db
def test_a_helper_for_a_run_that_ended_or_lost_its_lock_claims_nothing():
    lease = take_lock()
    run = _running_run()
    create_chunks(run.pk, PHASE, [(1, None)])

    assert help_run(run.pk, PHASE, "another holder") == 0  # the lock is not the run's
    run.status = RunStatus.FAILED
    run.save()
    assert help_run(run.pk, PHASE, lease.holder) == 0  # the run has ended
    release(lease)

    assert not RecomputeChunk.objects.filter(done=True).exists()
    assert _chunk(run, 0).claimed_by == ""


@pytest.mark.django_db
def test_a_run_without_a_broker_does_every_chunk_itself_and_records_them():
    AccountFactory.create_batch(5, tam=TamFactory())

    run = recompute(chunk_size=2)

    assert run.status == RunStatus.SUCCEEDED
    decided = RecomputeChunk.objects.filter(run=run, phase="decide")
    assert decided.count() == 3 and not decided.filter(done=False).exists()
    assert sum(run.details["chunks_by_worker"].values()) == RecomputeChunk.objects.count()
    assert "phase_context" not in run.details  # the finished record drops it


# --- two real workers -----------------------------------------------------------------------


ACCOUNTS = 600
CHUNK_SIZE = 20  # 30 decide chunks: enough for both workers to take some


def _written() -> tuple[list, list, list]:
    accounts = Account.objects.order_by("id").values_list(
        "id", "segment_id", "priority", "priority_reasons", "health", "health_score"
    )
    assessments = PriorityAssessment.objects.order_by("account_id", "fiscal_quarter").values_list(
        "account_id", "fiscal_quarter", "computed_priority", "reasons", "effective_priority",
        "source", "decided_by_id",
    )  # fmt: skip
    # The metrics phase's chunks come back from the helper as JSON and are merged with the
    # conductor's own sums: the results must be those of one process.
    metrics = MetricResult.objects.order_by("metric_id", "scope_type", "scope").values_list(
        "metric_id", "scope_type", "scope", "fiscal_quarter", "numerator", "denominator",
        "value", "target", "attained", "details",
    )  # fmt: skip
    return list(accounts), list(assessments), list(metrics)


def _counts(run) -> tuple:
    return (
        run.status, run.accounts, run.segments_changed, run.priorities_changed,
        run.assessments_created, run.assessments_updated, run.failed_accounts,
    )  # fmt: skip


@pytest.mark.skipif(
    not REDIS_URL and not os.environ.get("CI"),
    reason="needs the Redis that scripts/test provisions (TEST_REDIS_URL)",
)
@pytest.mark.postgresql_only(
    reason="workers and a broker are the production setup; on SQLite (the embedded default) "
    "tasks run in-process, and the run's chunks on its own thread"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_fanned_out_over_two_workers_writes_what_a_run_in_one_process_writes():
    build_portfolio(ACCOUNTS, seed=3, as_of=timezone.localdate())
    in_process = recompute(trigger="nightly", chunk_size=CHUNK_SIZE)  # no broker: eager
    expected = _written()
    Account.objects.update(
        segment=None, priority=None, priority_reasons="", health="", health_score=None
    )
    PriorityAssessment.objects.all().delete()
    MetricResult.objects.all().delete()

    workers = [start_worker(REDIS_URL), start_worker(REDIS_URL)]
    try:
        with app_pointed_at(REDIS_URL):
            both_up = lambda: len(app.control.ping(timeout=0.5)) == 2  # noqa: E731
            assert eventually(both_up, timeout=60), "the two workers did not start"
            sent = recompute_portfolio.delay(trigger="nightly", chunk_size=CHUNK_SIZE)
            outcome = sent.get(timeout=300)
    finally:
        for worker in workers:
            stop_worker(worker)

    run = RecomputeRun.objects.get(pk=outcome["run"])
    assert _counts(run) == _counts(in_process)
    assert run.accounts == ACCOUNTS
    assert expected[2], "the portfolio should have metric results to compare"
    assert _written() == expected
    chunks = RecomputeChunk.objects.filter(run=run)
    assert not chunks.filter(done=False).exists()
    pids = {
        int(claimed_by.split(":")[1]) for claimed_by in chunks.values_list("claimed_by", flat=True)
    }
    assert pids == {worker.pid for worker in workers}, "both workers should have done chunks"
    assert sum(run.details["chunks_by_worker"].values()) == chunks.count()
