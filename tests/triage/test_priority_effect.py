"""An open case makes the account at risk and in triage for the priority rules (DESIGN 11):
US Enterprise's `churn_risk` (at risk) and Commercial's "at risk, in triage or low NPS".
Opening the case recomputes the account at once; closing it gives the priority back."""

import pytest

from orchestration.runs import recompute
from orchestration.selection import explain_account
from tests.factories import AccountFactory, region
from triage.services import close_case, open_case


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """The recompute that `rule_inputs_changed` asks for runs after the commit."""

    def run(write, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(**kwargs)

    return run


def _priority(account):
    account.refresh_from_db()
    return account.priority, account.priority_reasons


def _churn_check(assessment):
    check = next(check for check in assessment.checks if check.code == "churn_risk")
    return check.fired, check.facts


def _open_and_close(account, tam, run_on_commit):
    case = run_on_commit(
        open_case,
        account=account,
        opened_by=tam,
        reason="competition",
        classification="unexpected_avoidable",
        arr_at_risk="20000",
        note="Evaluating a competitor.",
    )
    opened = _priority(account)
    explained = explain_account(account.pk)
    run_on_commit(close_case, case=case, closed_by=tam, outcome="saved", comment="Renewed.")
    return opened, explained, _priority(account)


def test_us_enterprise_open_case_is_churn_risk_until_closed(tam, run_on_commit):
    # Named and onboarded, nothing else fires: Pr2 by default (as in test_decisions).
    account = AccountFactory(tam=tam)
    recompute()
    assert _priority(account) == (2, "default")

    opened, explained, closed = _open_and_close(account, tam, run_on_commit)

    assert opened == (1, "churn_risk")
    # The account page's explanation agrees with the run.
    assert explained.priority == 1
    assert _churn_check(explained) == (True, {"at_risk": True})
    assert closed == (2, "default")


def test_commercial_open_case_is_at_risk_and_in_triage_until_closed(tam, run_on_commit):
    # Thirty larger accounts rank above it (not top 30 by ARR), a green plan and no NPS:
    # nothing fires, Pr2 (as the smallest of test_commercial_top_30_by_arr_within_the_region).
    noram = region("commercial-noram")
    AccountFactory.create_batch(30, tam=tam, region=noram, arr=70_000, success_plan="green")
    account = AccountFactory(tam=tam, region=noram, arr=60_000, success_plan="green")
    recompute()
    assert _priority(account) == (2, "default")

    opened, explained, closed = _open_and_close(account, tam, run_on_commit)

    assert opened == (1, "churn_risk")
    assert _churn_check(explained) == (True, {"at_risk": True, "in_triage": True, "last_nps": None})
    assert closed == (2, "default")


def test_emea_rules_read_neither_flag(tam, run_on_commit):
    """EMEA Enterprise is scored on other facts (DESIGN 4): a case leaves its priority."""
    account = AccountFactory(tam=tam, region=region("emea-enterprise"))
    recompute()
    before = _priority(account)

    opened, _, closed = _open_and_close(account, tam, run_on_commit)

    assert opened == before == closed


def test_the_imported_flag_still_counts_without_a_case(tam):
    account = AccountFactory(tam=tam, at_risk=True)

    assert _churn_check(explain_account(account.pk)) == (True, {"at_risk": True})
