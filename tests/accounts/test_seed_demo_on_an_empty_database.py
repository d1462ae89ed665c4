"""seed_demo where no demo portfolio is seeded yet: the tests that need a database without
one. The checks of a seeded portfolio share one in test_seed_demo.py."""

from datetime import date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Account
from lib.fiscal import last_quarters
from metrics.formulas import METRICS
from metrics.models import MetricResult
from people.models import Team
from tests.factories import AccountFactory, AdminFactory

AS_OF = date(2026, 11, 15)  # FY27-Q4


def seed(*options: str) -> str:
    output = StringIO()
    call_command(
        "seed_demo", "--accounts", "200", "--as-of", AS_OF.isoformat(), *options, stdout=output
    )
    return output.getvalue()


@pytest.mark.django_db
def test_if_empty_on_a_database_without_demo_users_lists_real_users():
    account = AccountFactory()
    output = seed("--if-empty")
    assert "demo users are not in this database" in output
    assert "Demo logins" not in output
    assert account.tam.username in output
    assert Account.objects.count() == 1


@pytest.mark.django_db
def test_refuses_when_a_demo_username_is_taken():
    AdminFactory(username="admin")
    with pytest.raises(CommandError, match="already exist"):
        seed()
    assert not Account.objects.exists()
    assert not Team.objects.exists()


TREND_AS_OF = date(2026, 11, 22)  # three weeks into FY27-Q4 (2026-11-01 to 2027-01-31)


@pytest.mark.django_db
def test_a_moderate_demo_has_every_metric_this_quarter_and_a_trend():
    """With 600 accounts three weeks into a quarter, every lifecycle metric has a company
    value for the quarter and the one before, the five earlier quarters are computed (the
    trend), and the quarter-on-quarter metrics are compared with the previous quarter."""
    output = StringIO()
    with time_machine.travel(datetime(2026, 11, 22, 9), tick=False):
        call_command(
            "seed_demo", "--accounts", "600", "--as-of", TREND_AS_OF.isoformat(), stdout=output
        )
    quarters = last_quarters(TREND_AS_OF, 6)
    current, previous = quarters[-1], quarters[-2]
    assert f"lifecycle metrics computed for {quarters[0].label} to {current.label}" in (
        output.getvalue()
    )
    company = MetricResult.objects.filter(scope_type="company")
    keys = {metric.key for metric in METRICS}
    for quarter in quarters:
        computed = set(
            company.filter(fiscal_quarter=quarter.label).values_list("metric__key", flat=True)
        )
        assert computed == keys, quarter.label
    for quarter in (current, previous):
        values = dict(
            company.filter(fiscal_quarter=quarter.label).values_list("metric__key", "value")
        )
        assert sorted(key for key, value in values.items() if value is None) == [], quarter
    compared = company.filter(
        fiscal_quarter=current.label, metric__direction__in=["up", "down"]
    ).values_list("metric__key", "attained")
    assert [key for key, attained in compared if attained is None] == []
    # Some recent customers' first value was derived from their usage snapshots.
    assert Account.objects.filter(
        first_value_derived=True, customer_since__gte=current.start
    ).exists()
