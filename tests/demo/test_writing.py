"""Writing the demo's rows (demo/writing.py): COPY on PostgreSQL, one executemany
elsewhere; both ways must write the same rows."""

import copy
import random
from datetime import date

import pytest
from django.db.models import F

from accounts.models import Account, Activity, ActivityKind, Stage, StageAdoption, Webinar
from core.bulk import insert_rows
from demo.accounts import bands_for, book_owners, plan_accounts
from demo.draws import DemoCalendar
from demo.portfolio import rows_about_accounts
from demo.rows import BookOwner
from demo.usage import usage_histories
from demo.webinars import attendances, webinars
from demo.writing import TABLES, execute_many, write_accounts
from tests.factories import TamFactory, TeamFactory, region

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 15)


def planned_portfolio(count: int):
    """`count` demo accounts in two regions, written, and the rows about them (unwritten)."""
    rng = random.Random(5)
    calendar = DemoCalendar.ending(AS_OF, 4)
    regions = ("us-enterprise", "commercial-noram")
    tams = [TamFactory(team=TeamFactory(region=region(code))) for code in regions]
    owners = book_owners(count, [BookOwner(tam.pk, tam.team.region) for tam in tams], rng)
    accounts = plan_accounts(
        owners,
        bands_for(owners, rng),
        external_ids=[f"T-{number}" for number in range(count)],
        calendar=calendar,
        rng=rng,
    )
    write_accounts(accounts)
    stages = list(Stage.objects.all())
    rows = rows_about_accounts(accounts, calendar, stages, facts_rng=rng, history_rng=rng)
    usage_histories(accounts, calendar, rows, rng)
    held = webinars(calendar, [tam.pk for tam in tams], rng)
    Webinar.objects.bulk_create(held)
    rows.activities += attendances(held, accounts, rng)
    return accounts, rows


def stored(model) -> list[tuple]:
    names = [
        field.attname
        for field in model._meta.concrete_fields
        if not field.primary_key and field.attname != "created_at"
    ]
    return sorted(model.objects.values_list(*names), key=repr)


def test_both_ways_write_the_same_rows():
    accounts, rows = planned_portfolio(60)
    # Text COPY has to escape: a note with a tab, a newline and a backslash.
    rows.activities.append(
        {
            "account": accounts[0],
            "kind": ActivityKind.CADENCE_CALL,
            "occurred_on": AS_OF,
            "notes": "tab\there\nnew line C:\\path",
        }
    )
    for name, model in TABLES.items():
        plain = getattr(rows, name)
        assert plain, name
        for row in plain:
            row["account_id"] = row.pop("account").id
            if "webinar" in row:
                row["webinar_id"] = row.pop("webinar").pk
        insert_rows(model, copy.deepcopy(plain))  # COPY on PostgreSQL
        by_copy = stored(model)
        model.objects.all().delete()
        execute_many(model, copy.deepcopy(plain))
        assert stored(model) == by_copy, name


def test_children_point_at_their_parents_in_the_same_region():
    accounts, _ = planned_portfolio(100)
    children = [demo for demo in accounts if demo.parent is not None]
    assert children  # 8% of 100
    assert Account.objects.filter(parent__isnull=False).count() == len(children)
    assert not Account.objects.filter(parent__isnull=False).exclude(region=F("parent__region"))
    assert {demo.id for demo in accounts} == set(Account.objects.values_list("id", flat=True))
    assert StageAdoption.objects.count() == 0  # write_accounts writes only the accounts
    assert Activity.objects.count() == 0
