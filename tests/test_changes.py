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
from orchestration import outbox, reactions, requests
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


def test_only_one_task_is_armed_until_it_runs(db):
    sent = []

    assert outbox.arm(sent.append, 30) is True
    assert outbox.arm(sent.append, 30) is False  # a write a moment later rides on it
    assert sent == [30]
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        assert outbox.arm(sent.append, 30) is True
    assert sent == [30, 30]


def test_many_accounts_make_one_full_run(tam, settings, django_capture_on_commit_callbacks):
    settings.RECOMPUTE_FULL_RUN_ABOVE = 1
    accounts = [AccountFactory(tam=tam) for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=False):
        rule_inputs_changed([a.pk for a in accounts[:2]], trigger="api: crm sync", bulk=True)
        # One request for the whole portfolio rather than one per account.
        assert list(RecomputeRequest.objects.values_list("account_id", flat=True)) == [None]
    requests.recompute_waiting()

    run = RecomputeRun.objects.get()
    assert (run.trigger, run.status, run.accounts) == ("api", RunStatus.SUCCEEDED, 3)
    assert run.details["requested_accounts"] == "all"
    assert not RecomputeRequest.objects.exists()


def test_while_a_run_holds_the_lock_the_requests_wait(tam):
    account = AccountFactory(tam=tam)
    outbox.store([account.pk], "import: usage.csv")

    with exclusive_run() as held:
        assert held is not None
        assert requests.recompute_waiting() is None

    assert RecomputeRequest.objects.filter(account_id=account.pk).exists()
    assert not RecomputeRun.objects.exists()
    run = requests.recompute_waiting()  # what the ending run's task delivers
    assert (run.status, run.accounts) == (RunStatus.SUCCEEDED, 1)
    assert not RecomputeRequest.objects.exists()


def test_nothing_waiting_records_nothing(db):
    assert requests.recompute_waiting() is None
    assert not RecomputeRun.objects.exists()


# --- the outbox: the request commits with the change ------------------------------------


def test_the_request_is_stored_in_the_writes_transaction(tam, django_capture_on_commit_callbacks):
    account = AccountFactory(tam=tam)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rule_inputs_changed([account.pk], trigger="import: usage.csv", bulk=True)
        # Before the commit, nothing has been sent, but the request is already written.
        assert list(RecomputeRequest.objects.values_list("account_id", "trigger")) == [
            (account.pk, "import: usage.csv")
        ]
    assert len(callbacks) == 1  # the delivery, after the commit


def test_a_write_that_rolls_back_leaves_no_request(tam, django_capture_on_commit_callbacks):
    account = AccountFactory(tam=tam)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        rule_inputs_changed([account.pk], bulk=True)
        raise RuntimeError("the write failed")

    assert not RecomputeRequest.objects.exists()


def test_a_persons_edit_removes_its_request_once_recomputed(
    tam, django_capture_on_commit_callbacks
):
    account = AccountFactory(tam=tam, at_risk=True)
    earlier = outbox.store([account.pk], "import: usage.csv")  # another write's, waiting

    with django_capture_on_commit_callbacks(execute=True):
        rule_inputs_changed([account.pk])

    account.refresh_from_db()
    assert account.priority == 1
    # Only its own request is removed: the import's waits for its debounced run.
    assert list(RecomputeRequest.objects.values_list("id", flat=True)) == earlier


def test_a_persons_edit_during_a_run_keeps_its_request_for_after_the_run(
    tam, django_capture_on_commit_callbacks
):
    account = AccountFactory(tam=tam, at_risk=True)

    with exclusive_run() as held, django_capture_on_commit_callbacks(execute=True):
        assert held is not None
        rule_inputs_changed([account.pk])

    account.refresh_from_db()
    assert account.priority == 1  # recomputed at once all the same
    # The run may have read the account before the edit and write it back after: the
    # request stays, so the account is recomputed again once the run ends.
    assert list(RecomputeRequest.objects.values_list("account_id", "trigger")) == [
        (account.pk, "entry")
    ]


def test_a_persons_edit_whose_recompute_fails_keeps_its_request(
    tam, monkeypatch, django_capture_on_commit_callbacks
):
    account = AccountFactory(tam=tam)

    def broken(account_ids):
        raise RuntimeError("a rule failed")

    monkeypatch.setattr(reactions, "recompute_accounts", broken)
    monkeypatch.setattr(reactions, "deliver", lambda: "waiting")
    with django_capture_on_commit_callbacks(execute=True):
        rule_inputs_changed([account.pk])  # the edit is saved; no error reaches the person

    assert RecomputeRequest.objects.filter(account_id=account.pk).exists()
