"""Writing the demo's rows (demo/writing.py): COPY on PostgreSQL, one executemany
elsewhere; both ways must write the same rows."""

import copy
import random
from datetime import date

import pytest
from django.db.models import F

from accounts.models import (
    Account,
    Activity,
    ActivityKind,
    Stage,
    StageAdoption,
    UsageSnapshot,
    Webinar,
)
from core.bulk import insert_rows
from demo.accounts import bands_for, book_owners, plan_accounts
from demo.draws import DemoCalendar
from demo.portfolio import rows_about_accounts
from demo.rows import BookOwner
from demo.usage import usage_histories
from demo.webinars import attendances, webinars
from demo.writing import PlainBatch, execute_many, flatten, write, write_portfolio
from tests.factories import TamFactory, TeamFactory, region

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 15)


def planned_portfolio(count: int):
    """`count` demo accounts in two regions and the rows about them, not written yet."""
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
    stages = list(Stage.objects.all())
    rows = rows_about_accounts(accounts, calendar, stages, facts_rng=rng, history_rng=rng)
    usage_histories(accounts, calendar, rows, rng)
    rows.webinars = webinars(calendar, [tam.pk for tam in tams], rng)
    rows.activities += attendances(rows.webinars, accounts, rng)
    return accounts, rows


def stored(model) -> list[tuple]:
    names = [
        field.attname
        for field in model._meta.concrete_fields
        if not field.primary_key and field.attname != "created_at"
    ]
    return sorted(model.objects.values_list(*names), key=repr)


def test_copy_and_executemany_write_the_same_rows():
    """`insert_plain_rows` takes COPY on PostgreSQL (`core.bulk.insert_rows`) and one
    executemany elsewhere: both write the same values, defaults and escapes included."""
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
    Webinar.objects.bulk_create(rows.webinars)
    batch = flatten(accounts, rows)
    write(PlainBatch(accounts=batch.accounts, parents=batch.parents))  # the accounts only
    ids = list(Account.objects.order_by("id").values_list("id", flat=True))
    for model, plain in batch.tables.items():
        assert plain, model
        for row in plain:
            row["account_id"] = ids[row.pop("account")]
        insert_rows(model, copy.deepcopy(plain))  # COPY on PostgreSQL
        by_copy = stored(model)
        model.objects.all().delete()
        execute_many(model, copy.deepcopy(plain))
        assert stored(model) == by_copy, model


def test_children_point_at_their_parents_and_rows_at_their_accounts():
    accounts, rows = planned_portfolio(100)
    write_portfolio(accounts, rows)
    children = [demo for demo in accounts if demo.parent is not None]
    assert children  # 8% of 100
    written = dict(Account.objects.values_list("external_id", "parent__external_id"))
    assert written == {
        demo.account.external_id: demo.parent.account.external_id if demo.parent else None
        for demo in accounts
    }
    assert not Account.objects.filter(parent__isnull=False).exclude(region=F("parent__region"))
    # Each row lands on its own account: its customer-since bounds its snapshots.
    assert not UsageSnapshot.objects.filter(taken_on__lt=F("account__customer_since")).exists()
    assert StageAdoption.objects.count() == len(rows.stage_adoptions)
    assert Activity.objects.filter(kind=ActivityKind.WEBINAR_ATTENDANCE).exists()
