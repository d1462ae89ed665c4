"""The register's rules held by the database (DESIGN 11 "Triage register")."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Account, Health
from tests.factories import AccountFactory
from triage.models import CaseStatus, RiskCase, TriageSettings
from triage.selectors import (
    arr_at_risk_by,
    open_case_account_ids,
    overdue_updates,
    red_without_case,
)

DAY = datetime.date(2026, 11, 2)


def _case(account, **fields):
    values = {
        "account": account,
        "reason": "budget",
        "classification": "expected_avoidable",
        "arr_at_risk": 10_000,
        "opened_by": account.tam,
        "opened_on": DAY,
        "next_update_due": DAY + datetime.timedelta(days=14),
    }
    values.update(fields)
    return RiskCase.objects.create(**values)


def _refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        _case(**fields)


def test_one_open_case_per_account_whether_open_or_will_churn(account, manager):
    _case(account, status=CaseStatus.WILL_CHURN, signed_off_by=manager, signed_off_on=DAY)

    _refused(account=account)


def test_a_closed_case_leaves_room_for_a_new_one(account):
    _case(
        account,
        status=CaseStatus.SAVED,
        closed_on=DAY,
        outcome_comment="Renewed.",
        next_update_due=None,
    )

    assert _case(account).status == CaseStatus.OPEN


def test_arr_at_risk_is_not_negative(account):
    _refused(account=account, arr_at_risk=-1)


def test_a_closed_case_has_its_day_its_outcome_in_words_and_no_next_update(account):
    closed = {"status": CaseStatus.CHURNED, "closed_on": DAY, "outcome_comment": "Gone."}

    _refused(account=account, **{**closed, "closed_on": None}, next_update_due=None)
    _refused(account=account, **{**closed, "outcome_comment": ""}, next_update_due=None)
    _refused(account=account, **closed)  # still has a next update due
    _refused(account=account, closed_on=DAY)  # open with a closing day


def test_will_churn_needs_a_sign_off_by_someone_else(account, manager):
    _refused(account=account, status=CaseStatus.WILL_CHURN)
    _refused(
        account=account,
        status=CaseStatus.WILL_CHURN,
        will_churn_proposed_by=manager,
        signed_off_by=manager,
        signed_off_on=DAY,
    )


def test_settings_row_exists_with_design_defaults(db):
    row = TriageSettings.current()

    assert row.pk == 1 and TriageSettings.objects.count() == 1
    assert row.interval_days("red") == 14
    assert row.interval_days("yellow") == 30
    assert row.interval_days("green") == 30
    assert row.interval_days("") == 30


def test_a_churned_red_account_is_not_red_without_a_case(tam):
    # ARR exactly 0 is churned (the book's flag): nothing left at risk, so not listed.
    churned = AccountFactory(tam=tam, health=Health.RED, arr=0)
    unknown_arr = AccountFactory(tam=tam, health=Health.RED, arr=None)
    paying = AccountFactory(tam=tam, health=Health.RED, arr=1)

    listed = set(red_without_case(Account.objects.filter(tam=tam)))

    assert churned not in listed
    assert listed == {unknown_arr, paying}


def test_settings_intervals_are_bounded(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        TriageSettings.objects.filter(pk=1).update(red_update_days=0)


def test_selectors_read_open_cases_in_scope(tam):
    red_with_case = AccountFactory(tam=tam, health=Health.RED)
    red_alone = AccountFactory(tam=tam, health=Health.RED)
    yellow = AccountFactory(tam=tam, health=Health.YELLOW)
    _case(red_with_case, arr_at_risk=30_000, next_update_due=DAY)
    _case(yellow, reason="competition", arr_at_risk=5_000, next_update_due=DAY.replace(day=3))
    _case(
        red_alone,
        status=CaseStatus.SAVED,
        closed_on=DAY,
        outcome_comment="Saved.",
        next_update_due=None,
    )
    scope = Account.objects.filter(tam=tam)

    assert open_case_account_ids() == {red_with_case.pk, yellow.pk}
    assert open_case_account_ids([yellow.pk, red_alone.pk]) == {yellow.pk}
    assert list(red_without_case(scope)) == [red_alone]
    # Due on the 2nd: overdue on the 3rd; due on the 3rd: not yet.
    assert [c.account for c in overdue_updates(scope, DAY.replace(day=3))] == [red_with_case]
    by = arr_at_risk_by(scope)
    assert [(line.label, line.cases, line.arr_at_risk) for line in by.by_reason] == [
        ("Competition", 1, 5_000),
        ("Budget", 1, 30_000),
    ]
    assert [(line.label, line.arr_at_risk) for line in by.by_classification] == [
        ("Expected, avoidable", 35_000)
    ]
    assert by.total == 35_000
    assert arr_at_risk_by(Account.objects.none()).by_reason == []
