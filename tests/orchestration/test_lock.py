"""The run lock (DESIGN 8: a run "cannot overlap with itself"), the same on both databases.

A run takes the one lock row if it is free or has run out, renews it while it works (from
a background thread, and between chunks and steps) and frees it at the end; a run that
finds it held records a skip and leaves a full run to follow; a run whose process died
leaves a lock that runs out, and the next run takes it and marks the dead run abandoned.
"""

import datetime
import threading
import time

import pytest
import time_machine
from django.db import connection

from orchestration import engine, runs
from orchestration.lock import LockLost, abandon_dead_runs, release, take_lock
from orchestration.models import (
    RECOMPUTE_LOCK,
    RecomputeRequest,
    RecomputeRun,
    RunLock,
    RunStatus,
)
from orchestration.runs import recompute
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 24, 9, tzinfo=datetime.UTC)
SECONDS = 90  # RECOMPUTE_LOCK_SECONDS' default


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _hold_lock(holder: str, expires_at: datetime.datetime) -> None:
    """The lock as another process left it."""
    RunLock.objects.update_or_create(
        name=RECOMPUTE_LOCK, defaults={"holder": holder, "expires_at": expires_at}
    )


def _lock() -> tuple[str, datetime.datetime | None]:
    row = RunLock.objects.get(name=RECOMPUTE_LOCK)
    return row.holder, row.expires_at


def test_a_run_holds_the_lock_while_it_works_and_frees_it_at_the_end(monkeypatch, clock, account):
    seen_during_the_run = []
    real_derive = runs.derive_first_value_dates

    def derive_and_look_at_the_lock():
        seen_during_the_run.append(_lock())
        return real_derive()

    monkeypatch.setattr(runs, "derive_first_value_dates", derive_and_look_at_the_lock)

    run = recompute()

    assert run.status == RunStatus.SUCCEEDED
    [(holder, expires_at)] = seen_during_the_run
    assert holder and expires_at == NOW + datetime.timedelta(seconds=SECONDS)
    assert _lock() == ("", None)


def test_a_run_while_another_holds_the_lock_is_skipped_and_follows_it(clock, account):
    _hold_lock("other-host:4242:live", NOW + datetime.timedelta(seconds=60))

    skipped = recompute(trigger="nightly")

    assert skipped.status == RunStatus.SKIPPED
    assert skipped.finished_at is not None
    account.refresh_from_db()
    assert account.priority is None  # the skipped run wrote nothing
    assert _lock() == ("other-host:4242:live", NOW + datetime.timedelta(seconds=60))
    # Not lost: a full run is asked for, to follow the run in progress.
    assert list(RecomputeRequest.objects.values_list("account_id", "trigger")) == [
        (None, "nightly")
    ]

    clock.shift(datetime.timedelta(seconds=60))  # the holder never renewed: it died
    assert recompute().status == RunStatus.SUCCEEDED
    assert not RecomputeRequest.objects.exists()  # the run covered the request


def test_a_dead_runs_expired_lock_is_taken_and_its_run_marked_abandoned(clock, account):
    dead = RecomputeRun.objects.create(trigger="nightly", as_of=NOW.date())
    _hold_lock("crashed-host:17:dead", NOW - datetime.timedelta(seconds=1))

    run = recompute()

    assert run.status == RunStatus.SUCCEEDED
    dead.refresh_from_db()
    assert dead.status == RunStatus.ABANDONED
    assert dead.finished_at == NOW
    assert "stopped before the run finished" in dead.error
    account.refresh_from_db()
    assert account.priority == 2  # US Enterprise, nothing special: the default (DESIGN 4)
    assert _lock() == ("", None)


def test_a_run_left_running_with_the_lock_free_is_marked_abandoned(clock, account):
    # Its process died after releasing the lock but before recording the end.
    leftover = RecomputeRun.objects.create(trigger="nightly", as_of=NOW.date())

    recompute()

    leftover.refresh_from_db()
    assert leftover.status == RunStatus.ABANDONED


def test_the_lock_row_is_put_back_if_the_table_was_emptied(clock, account):
    RunLock.objects.all().delete()  # what `flush` does

    assert recompute().status == RunStatus.SUCCEEDED
    assert _lock() == ("", None)


def test_renewal_extends_the_expiry_once_a_third_of_it_has_passed(clock):
    lease = take_lock(SECONDS)

    assert _lock() == (lease.holder, NOW + datetime.timedelta(seconds=90))

    clock.shift(datetime.timedelta(seconds=29))
    lease.renew_if_due()
    assert _lock()[1] == NOW + datetime.timedelta(seconds=90)  # not due yet

    clock.shift(datetime.timedelta(seconds=1))
    lease.renew_if_due()
    assert _lock()[1] == NOW + datetime.timedelta(seconds=30 + 90)

    clock.shift(datetime.timedelta(seconds=10))
    lease.renew()  # between steps: always
    assert _lock() == (lease.holder, NOW + datetime.timedelta(seconds=40 + 90))


def test_a_lease_that_ran_out_and_was_taken_raises_on_renewal(clock):
    stalled = take_lock(SECONDS)
    clock.shift(datetime.timedelta(seconds=SECONDS))
    successor = take_lock(SECONDS)
    assert successor is not None and successor.holder != stalled.holder

    with pytest.raises(LockLost):
        stalled.renew()
    release(stalled)  # releasing what is no longer ours leaves the successor's lock alone
    assert _lock()[0] == successor.holder


def test_a_run_longer_than_the_expiry_keeps_its_lock_by_renewing_between_chunks(
    monkeypatch, clock, tam
):
    for _ in range(3):
        AccountFactory(tam=tam)
    expiry_seen_by_each_chunk = []
    real_load_related = engine.load_related

    def slow_chunk(*args, **kwargs):
        clock.shift(datetime.timedelta(seconds=40))  # three chunks: 120 s > 90 s
        expiry_seen_by_each_chunk.append((_lock()[1], datetime.datetime.now(tz=datetime.UTC)))
        return real_load_related(*args, **kwargs)

    monkeypatch.setattr(engine, "load_related", slow_chunk)

    run = recompute(chunk_size=1)

    assert run.status == RunStatus.SUCCEEDED
    assert len(expiry_seen_by_each_chunk) == 3
    assert all(expires_at > now for expires_at, now in expiry_seen_by_each_chunk)


def test_a_run_whose_lock_was_taken_fails_instead_of_writing_on(monkeypatch, clock, account):
    def another_run_takes_over():
        _hold_lock("faster-host:9:successor", NOW + datetime.timedelta(seconds=SECONDS))
        return 0

    monkeypatch.setattr(runs, "derive_first_value_dates", another_run_takes_over)

    with pytest.raises(LockLost):
        recompute()

    run = RecomputeRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert "LockLost" in run.error
    account.refresh_from_db()
    assert account.priority is None
    assert _lock()[0] == "faster-host:9:successor"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_started_together_exactly_one_runs(monkeypatch):
    start_together = threading.Barrier(2)
    one_finished = threading.Event()
    statuses = []
    real_derive = runs.derive_first_value_dates

    def hold_the_lock_until_the_other_has_finished():
        # Only a run that holds the lock gets here. If both did, both would wait out
        # the timeout and both succeed, and the assertion below fails.
        one_finished.wait(timeout=30)
        return real_derive()

    monkeypatch.setattr(
        runs, "derive_first_value_dates", hold_the_lock_until_the_other_has_finished
    )

    def start_a_run():
        try:
            start_together.wait(timeout=30)
            statuses.append(recompute(trigger="nightly").status)
        finally:
            one_finished.set()
            connection.close()

    threads = [threading.Thread(target=start_a_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [RunStatus.SKIPPED, RunStatus.SUCCEEDED]
    assert sorted(RecomputeRun.objects.values_list("status", flat=True)) == [
        RunStatus.SKIPPED,
        RunStatus.SUCCEEDED,
    ]
    assert _lock() == ("", None)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_live_run_keeps_its_lease_from_a_background_thread():
    # Whatever the run's own thread is doing (a metrics step renews nothing for minutes),
    # the lease is renewed every quarter of its expiry: here every quarter second.
    lease = take_lock(seconds=1)
    first_expiry = _lock()[1]
    lease.keep_alive()
    try:
        renewed = _eventually(lambda: _lock()[1] > first_expiry)
    finally:
        lease.stop()
        release(lease)

    assert renewed
    assert not lease.lost


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_lease_taken_over_is_noticed_by_its_keeper_and_the_run_stops_writing():
    lease = take_lock(seconds=1)
    _hold_lock("faster-host:9:successor", datetime.datetime.now(tz=datetime.UTC))
    lease.keep_alive()
    try:
        noticed = _eventually(lambda: lease.lost)
    finally:
        lease.stop()

    assert noticed
    with pytest.raises(LockLost):
        lease.renew_if_due()  # between chunks: the run stops there
    assert _lock()[0] == "faster-host:9:successor"


def test_the_sweep_abandons_only_runs_whose_lock_has_run_out(clock):
    dead = RecomputeRun.objects.create(trigger="nightly", as_of=NOW.date())
    _hold_lock("crashed-host:17:dead", NOW + datetime.timedelta(seconds=30))

    assert abandon_dead_runs() == []  # the lock is still within its expiry: maybe alive

    clock.shift(datetime.timedelta(seconds=30))
    assert abandon_dead_runs() == [dead.pk]
    dead.refresh_from_db()
    assert dead.status == RunStatus.ABANDONED


def _eventually(condition, timeout: float = 10) -> bool:
    """Wait for another thread's work: True as soon as `condition()` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
