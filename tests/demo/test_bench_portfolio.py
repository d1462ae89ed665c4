"""The benchmark's portfolio (bench/build_portfolio.py) is the demo's, scaled: drawn by the
demo's generator batch by batch, with the history on a generator of its own."""

from datetime import date

import pytest
from django.db.models import F

from accounts.models import Account, Activity, Webinar
from bench import build_portfolio as bench
from demo.tables import ARR_BANDS
from people.models import Role, Team, User
from prioritization.models import PriorityException, PriorityReview

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 15)


def accounts_drawn() -> list[tuple]:
    """Every account's fields but today's active users (the usage history sets them)."""
    return list(
        Account.objects.order_by("external_id").values_list(
            "external_id", "name", "region__code", "tam__username", "parent__external_id",
            "managed", "arr", "lam", "customer_since", "onboarded_on", "health",
            "success_plan", "segment_override__code",
        )
    )  # fmt: skip


def delete_the_portfolio() -> None:
    for model in (Account, Webinar, Team, User):
        model.objects.all().delete()


def test_the_accounts_are_the_same_with_or_without_history(monkeypatch):
    monkeypatch.setattr(bench, "FIRST_BATCH_SIZE", 100)
    monkeypatch.setattr(bench, "BATCH_SIZE", 200)  # batches of 100, 200 and 100
    counts = bench.build_portfolio(400, seed=3, as_of=AS_OF)
    without = accounts_drawn()
    assert counts["accounts"] == len(without) == 400
    assert "activities" not in counts
    assert not Activity.objects.exists()
    delete_the_portfolio()

    counts = bench.build_portfolio(400, seed=3, as_of=AS_OF, activities=True)
    assert accounts_drawn() == without
    assert counts["activities"] == Activity.objects.count() > 0
    assert counts["webinars"] == Webinar.objects.count() > 0


def test_books_follow_the_demos_teams_and_bands(monkeypatch):
    """400 accounts at 50 per TAM: 8 TAMs spread as the demo's 60 are (US Enterprise has
    18 of them: round(8 x 18 / 60) = 2), each region's accounts with its own TAMs, every
    ARR band drawn (each gets at least one account per region kind)."""
    counts = bench.build_portfolio(400, seed=3, as_of=AS_OF)
    tams = User.objects.filter(role=Role.TAM)
    assert tams.filter(team__region__code="us-enterprise").count() == 2
    assert tams.count() == counts["users"] - Team.objects.count()  # one manager a team
    assert not Account.objects.exclude(region=F("tam__team__region")).exists()
    assert not Account.objects.filter(parent__isnull=False).exclude(region=F("parent__region"))
    for band in ARR_BANDS:
        assert Account.objects.filter(arr__gte=band.low, arr__lt=band.high).exists(), band.code
    # What the benchmark adds to the demo: decided exceptions and EMEA reviews.
    assert counts["priority_exceptions"] == PriorityException.objects.count()
    assert PriorityReview.objects.exclude(account__region__code="emea-enterprise").count() == 0


def test_generating_a_batch_does_not_touch_the_database(django_assert_num_queries):
    """A forked worker generates the batches: it must not use the connection it copied."""
    builder = bench._Builder(3, AS_OF, activities=True)
    builder.create_people(300, 50)
    builder.plan_books(300)
    builder.create_webinars()
    with django_assert_num_queries(0):
        batch = builder.generate(0, 300)
    assert len(batch.accounts) == 300
