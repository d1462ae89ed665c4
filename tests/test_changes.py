"""A domain write says which accounts changed; the orchestration recomputes them after the
commit (DESIGN 13): a person's edit at once, a bulk write by one debounced, recorded run
(DESIGN 10); nothing happens for a write that rolls back."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from core.changes import accounts_changed, rule_inputs_changed
from orchestration import requests
from orchestration.lock import exclusive_run
from orchestration.models import RecomputeRequest, RecomputeRun, RunStatus
from tests.factories import AccountFactory


@pytest.fixture
def heard():
    received = []

    def listener(sender, *, account_ids, **kwargs):
        received.append(account_ids)

    accounts_changed.connect(listener, dispatch_uid="test-listener")
    yield received
    accounts_changed.disconnect(dispatch_uid="test-listener")


def test_the_change_goes_out_once_the_write_commits(db, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rule_inputs_changed([3, 1, 3])
        assert heard == []  # not before the commit

    assert heard == [[1, 3]]


def test_a_write_that_rolls_back_says_nothing(db, heard, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        rule_inputs_changed([1])
        raise RuntimeError("the write failed")

    assert callbacks == []
    assert heard == []


def test_no_accounts_no_signal(db, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rule_inputs_changed([])

    assert callbacks == []


def test_the_orchestration_recomputes_the_announced_accounts(
    tam, django_capture_on_commit_callbacks
):
    account = AccountFactory(tam=tam, at_risk=True)  # US Enterprise, named: churn risk -> Pr1
    assert account.priority is None

    with django_capture_on_commit_callbacks(execute=True):
        rule_inputs_changed([account.pk])

    account.refresh_from_db()
    assert (account.priority, account.priority_reasons) == (1, "churn_risk")


# --- bulk writes: one debounced recompute --------------------------------------------------


def _announce_bulk(ids, trigger, capture):
    with capture(execute=True):
        rule_inputs_changed(ids, trigger=trigger, bulk=True)


def test_a_bulk_write_is_recomputed_by_one_recorded_run(tam, django_capture_on_commit_callbacks):
    accounts = [AccountFactory(tam=tam, at_risk=True) for _ in range(3)]

    _announce_bulk(
        [a.pk for a in accounts], "import: accounts.csv", django_capture_on_commit_callbacks
    )

    # Without a broker the armed task runs at once: every account recomputed, one run.
    assert {a.priority for a in Account.objects.all()} == {1}
    run = RecomputeRun.objects.get()
    assert (run.trigger, run.status, run.accounts) == ("import", RunStatus.SUCCEEDED, 3)
    assert run.details["requested_by"] == ["import: accounts.csv"]
    assert not RecomputeRequest.objects.exists()


def test_only_one_task_is_armed_until_it_runs(db, settings):
    settings.RECOMPUTE_DEBOUNCE_SECONDS = 30
    sent = []

    assert requests.arm(sent.append) is True
    assert requests.arm(sent.append) is False  # a write a moment later rides on it
    assert sent == [30]
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        assert requests.arm(sent.append) is True
    assert sent == [30, 30]


def test_many_accounts_make_one_full_run(tam, settings, django_capture_on_commit_callbacks):
    settings.RECOMPUTE_FULL_RUN_ABOVE = 1
    accounts = [AccountFactory(tam=tam) for _ in range(3)]

    _announce_bulk(
        [a.pk for a in accounts[:2]], "api: crm sync", django_capture_on_commit_callbacks
    )

    run = RecomputeRun.objects.get()
    assert (run.trigger, run.status, run.accounts) == ("api", RunStatus.SUCCEEDED, 3)
    assert run.details["requested_accounts"] == 2
    assert not RecomputeRequest.objects.exists()


def test_a_full_run_that_finds_the_lock_held_keeps_the_requests(tam, settings):
    settings.RECOMPUTE_FULL_RUN_ABOVE = 0
    account = AccountFactory(tam=tam)
    requests.queue([account.pk], "import: usage.csv")
    rearmed = []

    with exclusive_run() as held:
        assert held is not None
        run = requests.recompute_waiting(rearm=lambda: rearmed.append(True))

    assert run.status == RunStatus.SKIPPED
    assert rearmed == [True]
    assert RecomputeRequest.objects.filter(account_id=account.pk).exists()


def test_nothing_waiting_records_nothing(db):
    assert requests.recompute_waiting() is None
    assert not RecomputeRun.objects.exists()
