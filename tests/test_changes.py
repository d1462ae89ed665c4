"""A domain write says which accounts changed; the orchestration recomputes them after the
commit (DESIGN 13), and nothing happens for a write that rolls back."""

import pytest
from django.db import transaction

from core.changes import accounts_changed, rule_inputs_changed
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
