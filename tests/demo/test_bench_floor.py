"""The benchmark's floor (bench/floor.py): its one SQL statement decides segments as
segments/assign.py does and, for US Enterprise accounts, priorities as the recompute does."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from accounts.models import Account
from bench.floor import COPY_TABLE, copy_accounts, run_floor
from orchestration.configuration import load_configuration
from orchestration.runs import recompute
from segments.assign import assign_segment
from tests.factories import AccountFactory, InitiativeFactory, OpportunityFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgresql_only(reason="the floor is one PostgreSQL statement, as the bench runs"),
]

TODAY = datetime.date(2026, 11, 24)  # FY27-Q4: 2026-11-01 .. 2027-01-31

# (ARR, LAM, LAM confidence, the segment DESIGN 3's default table gives)
BOUNDARIES = [
    (None, None, "", None),  # unknown ARR: no segment
    ("4999.99", None, "", None),  # below Digital-Only's $5,000
    ("5000.00", None, "", "digital"),  # Digital-Only is ARR >= 5,000
    ("5000.00", "100000.00", "high", "digital"),  # high LAM needs ARR above $5,000
    ("5000.01", "100000.00", "high", "mid-touch"),  # ARR > 5,000 with high LAM
    ("5000.01", "99999.99", "high", "digital"),  # LAM just short of high
    ("5000.01", "250000.00", "low", "digital"),  # low confidence is not high LAM
    ("19999.99", None, "", "digital"),
    ("20000.00", None, "", "onboarding"),  # Onboarding is ARR >= 20,000
    ("50000.00", None, "", "onboarding"),  # Mid-Touch is ARR > 50,000: $50,000 is not
    ("50000.01", None, "", "mid-touch"),
    ("99999.99", None, "", "mid-touch"),
    ("100000.00", None, "", "named"),  # Named is ARR >= 100,000
    ("499999.99", None, "", "named"),
    ("500000.00", None, "", "strategic"),  # Strategic is ARR >= 500,000
]


def floor_rows() -> dict[int, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, segment_id, priority, priority_reasons FROM {COPY_TABLE}")
        return {row[0]: row[1:] for row in cursor.fetchall()}


def money(text):
    return None if text is None else Decimal(text)


def test_the_floor_gives_the_segment_assign_gives_at_the_thresholds():
    ids = {}
    for arr, lam, confidence, expected in BOUNDARIES:
        account = AccountFactory(arr=money(arr), lam=money(lam), lam_confidence=confidence)
        ids[account.pk] = (arr, lam, confidence, expected)
    copy_accounts(vacuum=False)  # VACUUM cannot run inside the test's transaction
    assert run_floor(TODAY) == len(BOUNDARIES)

    config = load_configuration()
    rows = floor_rows()
    for account_id, (arr, lam, confidence, expected) in ids.items():
        assigned = assign_segment(money(arr), money(lam), confidence, config.thresholds)
        assert assigned == expected, (arr, lam, confidence)
        floor_segment = config.segment_code_of.get(rows[account_id][0])
        assert floor_segment == assigned, (arr, lam, confidence)


def test_the_floor_decides_us_enterprise_priorities_as_the_recompute_does():
    """US Enterprise accounts (the factory's region) through each step the floor covers:
    the run and the floor must write the same segment, priority and reasons."""
    strategic = {"arr": Decimal("600000")}
    parent = AccountFactory(**strategic)
    AccountFactory(**strategic, parent=parent, managed=False)  # Pr3 unmanaged_child
    AccountFactory(arr=Decimal("6000"))  # Pr4 digital
    AccountFactory(arr=Decimal("30000"))  # onboarded Onboarding segment: Pr4
    AccountFactory(arr=Decimal("30000"), onboarded_on=None)  # Pr1 onboarding
    AccountFactory(**strategic, onboarded_on=None)  # Pr1 onboarding (step 5)
    AccountFactory(**strategic, at_risk=True)  # Pr1 churn_risk
    # Closing in (today, today + 6 months]: 2027-05-24 is the window's last day.
    OpportunityFactory(account=AccountFactory(**strategic), close_date=datetime.date(2027, 5, 24))
    OpportunityFactory(account=AccountFactory(**strategic), close_date=datetime.date(2027, 5, 25))
    OpportunityFactory(account=AccountFactory(**strategic), close_date=TODAY)  # not ahead
    OpportunityFactory(
        account=AccountFactory(**strategic), close_date=datetime.date(2027, 1, 5), status="won"
    )
    # More than 2 hours a week, active in the quarter; exactly 2 is not more.
    InitiativeFactory(account=AccountFactory(**strategic), tam_hours_per_week=Decimal("2.01"))
    InitiativeFactory(account=AccountFactory(**strategic), tam_hours_per_week=Decimal("2"))
    InitiativeFactory(
        account=AccountFactory(**strategic),
        kind="infrastructure_change",
        tam_hours_per_week=Decimal("5"),
        starts_on=datetime.date(2027, 2, 1),  # next quarter: not yet
    )
    both = AccountFactory(**strategic, at_risk=True)
    InitiativeFactory(account=both, kind="infrastructure_change", tam_hours_per_week=Decimal(3))
    copy_accounts(vacuum=False)
    assert run_floor(TODAY) == 15  # the first pass writes every account
    floor = floor_rows()
    assert run_floor(TODAY) == 0  # the second changes nothing

    with time_machine.travel(datetime.datetime.combine(TODAY, datetime.time(9)), tick=False):
        recompute(as_of=TODAY)
    real = {
        row[0]: row[1:]
        for row in Account.objects.values_list("id", "segment_id", "priority", "priority_reasons")
    }
    assert floor == real
    priorities = sorted(priority for _, priority, _ in real.values())
    assert priorities == [1] * 6 + [2] * 6 + [3] + [4] * 2
    assert real[both.pk][1:] == (1, "infra_change;churn_risk")
