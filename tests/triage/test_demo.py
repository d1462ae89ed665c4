"""The demo's triage register (issue 13 point 7): a handful of cases in every state, on
red or yellow accounts (or churned ones), with dated updates, some overdue."""

import datetime

from django.db.models import Count

from accounts.models import Account
from demo import build_demo_portfolio
from orchestration.runs import recompute
from triage.models import CaseStatus, RiskCase
from triage.selectors import overdue_updates, red_without_case

AS_OF = datetime.date(2026, 11, 24)


def test_the_demo_has_cases_in_every_state(db):
    build_demo_portfolio(accounts=300, seed=7, as_of=AS_OF)
    recompute(as_of=AS_OF)

    cases = RiskCase.objects.select_related("account")
    by_status = dict(cases.values_list("status").annotate(n=Count("pk")))
    assert set(by_status) == set(CaseStatus.values)
    assert cases.waiting_for_sign_off().exists()
    assert overdue_updates(Account.objects.all(), AS_OF).exists()
    assert red_without_case(Account.objects.all()).exists()
    for case in cases:
        updates = list(case.updates.order_by("on"))
        assert updates and updates[0].on == case.opened_on
        assert updates[-1].on <= AS_OF
        if case.status == CaseStatus.CHURNED:
            assert case.account.arr == 0  # a customer that did churn
        else:
            assert case.account.tam_sentiment in ("red", "yellow")
    # An open case puts the account at risk for the rules: US Enterprise's and
    # Commercial's churn_risk fires on every such account of theirs a TAM covers (a
    # digital-only account is Pr4 whatever its facts, DESIGN 4).
    ruled = (
        cases.open()
        .filter(account__region__rule_set__in=["us_enterprise", "commercial"])
        .exclude(account__priority_reasons="digital")
    )
    assert ruled.exists()
    assert all("churn_risk" in case.account.priority_reasons for case in ruled)
