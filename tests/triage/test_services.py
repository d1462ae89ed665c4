"""Who may do what with a risk case, the will churn sign-off and the update interval
(DESIGN 11 "Triage register": red every 14 days, yellow every 30)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Health
from core.models import AuditEntry
from tests.factories import AccountFactory
from triage import services
from triage.models import CaseStatus, RiskCase, TriageSettings

TODAY = datetime.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime.combine(TODAY, datetime.time(9)), tick=False):
        yield


def _open(account, user, **fields):
    values = {
        "reason": "champion_left",
        "classification": "unexpected_avoidable",
        "arr_at_risk": "40,000",
        "note": "Our champion left in October.",
    }
    values.update(fields)
    return services.open_case(account=account, opened_by=user, **values)


@pytest.fixture
def red_account(tam):
    return AccountFactory(tam=tam, health=Health.RED, arr=100_000)


@pytest.mark.parametrize("who", ["tam", "manager", "admin_user"])
def test_the_tam_the_teams_manager_and_an_admin_open_a_case(request, red_account, who):
    user = request.getfixturevalue(who)

    case = _open(red_account, user)

    assert (case.status, case.opened_by, case.opened_on) == (CaseStatus.OPEN, user, TODAY)
    assert case.arr_at_risk == 40_000
    assert [u.note for u in case.updates.all()] == ["Our champion left in October."]
    assert AuditEntry.objects.filter(model="triage.riskcase", action="created").count() == 1


def test_nobody_outside_the_scope_opens_a_case(red_account, other_tam):
    with pytest.raises(PermissionDenied):
        _open(red_account, other_tam)


@pytest.mark.parametrize(
    ("band", "days"), [(Health.RED, 14), (Health.YELLOW, 30), (Health.GREEN, 30), ("", 30)]
)
def test_next_update_due_by_the_accounts_band(tam, band, days):
    account = AccountFactory(tam=tam, health=band)

    case = _open(account, tam)

    assert case.next_update_due == TODAY + datetime.timedelta(days=days)


def test_an_update_moves_the_next_one_by_the_interval_of_the_band_now(red_account, tam):
    case = _open(red_account, tam)
    TriageSettings.objects.filter(pk=1).update(red_update_days=7)

    with time_machine.travel(datetime.datetime(2026, 12, 1, 9), tick=False):
        services.add_update(case=case, by=tam, note="Met the new VP.")

    case.refresh_from_db()
    assert case.next_update_due == datetime.date(2026, 12, 8)
    assert [u.on for u in case.updates.all()] == [datetime.date(2026, 12, 1), TODAY]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"reason": "weather"}, "reason"),
        ({"classification": "expected"}, "classification"),
        ({"arr_at_risk": "-1"}, "arr_at_risk"),
        ({"arr_at_risk": "lots"}, "arr_at_risk"),
        ({"arr_at_risk": "100000.01"}, "arr_at_risk"),  # above the account's ARR
        ({"note": "  "}, "note"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_a_case_needs_a_reason_classification_arr_and_note(red_account, tam, fields, field):
    with pytest.raises(ValidationError) as error:
        _open(red_account, tam, **fields)

    assert field in error.value.message_dict
    assert not RiskCase.objects.exists()


def test_the_whole_arr_may_be_at_risk_and_any_amount_without_a_known_arr(tam, red_account):
    assert _open(red_account, tam, arr_at_risk="100000").arr_at_risk == 100_000
    no_arr = AccountFactory(tam=tam, arr=None)
    assert _open(no_arr, tam, arr_at_risk="$5,000,000").arr_at_risk == 5_000_000


def test_a_second_open_case_is_refused_with_the_reason(red_account, tam):
    _open(red_account, tam)

    with pytest.raises(ValidationError, match="already has an open risk case"):
        _open(red_account, tam)


def test_will_churn_waits_for_the_managers_sign_off(red_account, tam, manager):
    case = _open(red_account, tam)

    services.propose_will_churn(case=case, proposed_by=tam, note="Signed with a competitor.")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.waiting_for_sign_off

    services.sign_off_will_churn(case=case, reviewer=manager)
    case.refresh_from_db()
    assert (case.status, case.signed_off_by, case.signed_off_on) == (
        CaseStatus.WILL_CHURN,
        manager,
        TODAY,
    )
    assert AuditEntry.objects.filter(model="triage.riskcase", action="decided").count() == 1


def test_the_tam_and_another_teams_manager_do_not_sign_off(red_account, tam, other_tam):
    case = _open(red_account, tam)
    services.propose_will_churn(case=case, proposed_by=tam, note="Lost.")
    other_manager = other_tam.team.manager

    for who in (tam, other_manager):
        with pytest.raises(PermissionDenied):
            services.sign_off_will_churn(case=case, reviewer=who)


def test_nobody_signs_off_their_own_proposal(red_account, manager, admin_user):
    case = _open(red_account, manager)
    services.propose_will_churn(case=case, proposed_by=manager, note="Lost.")

    with pytest.raises(ValidationError, match="another manager or an admin"):
        services.sign_off_will_churn(case=case, reviewer=manager)
    services.sign_off_will_churn(case=case, reviewer=admin_user)  # an admin may

    case.refresh_from_db()
    assert case.signed_off_by == admin_user


def test_sent_back_needs_a_reason_and_the_case_stays_open(red_account, tam, manager):
    case = _open(red_account, tam)
    services.propose_will_churn(case=case, proposed_by=tam, note="Lost.")

    with pytest.raises(ValidationError):
        services.send_back_will_churn(case=case, reviewer=manager, comment=" ")
    services.send_back_will_churn(case=case, reviewer=manager, comment="Exec call first.")

    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and not case.waiting_for_sign_off
    assert case.updates.first().note == "Will churn sent back: Exec call first."


def test_a_manager_without_a_proposal_has_nothing_to_sign_off(red_account, tam):
    case = _open(red_account, tam)
    manager = tam.team.manager

    with pytest.raises(ValidationError, match="No will churn proposal"):
        services.sign_off_will_churn(case=case, reviewer=manager)


@pytest.mark.parametrize("outcome", ["saved", "downgraded", "churned"])
def test_closing_records_the_outcome_and_ends_the_follow_up(red_account, tam, outcome):
    case = _open(red_account, tam)

    services.close_case(case=case, closed_by=tam, outcome=outcome, comment="Decided at renewal.")

    case.refresh_from_db()
    assert (case.status, case.closed_on, case.next_update_due) == (outcome, TODAY, None)
    with pytest.raises(ValidationError, match="already closed"):
        services.add_update(case=case, by=tam, note="Late note.")


def test_closing_needs_an_outcome_and_a_comment(red_account, tam):
    case = _open(red_account, tam)

    with pytest.raises(ValidationError) as error:
        services.close_case(case=case, closed_by=tam, outcome="open", comment="")

    assert set(error.value.message_dict) == {"outcome", "comment"}
