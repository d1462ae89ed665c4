"""Writing what the generator built: the accounts, then the rows about them, each table
in one statement.

`insert_plain_rows` writes plain rows with COPY on PostgreSQL (`core.bulk.insert_rows`)
and one executemany elsewhere: both several times faster than `bulk_create`, which
prepares a model instance per row (SQLite's `insert_rows` path).
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from accounts.models import (
    Account,
    Activity,
    ArrSnapshot,
    Initiative,
    Opportunity,
    StageAdoption,
    SuccessPlanObjective,
    UsageSnapshot,
    Webinar,
)
from core.bulk import insert_rows, update_rows

from .rows import DemoAccount, DemoRows

# The tables `write_rows` fills, by the DemoRows list that holds their rows.
TABLES = {
    "opportunities": Opportunity,
    "initiatives": Initiative,
    "stage_adoptions": StageAdoption,
    "objectives": SuccessPlanObjective,
    "snapshots": ArrSnapshot,
    "usage": UsageSnapshot,
    "activities": Activity,
}


def write_portfolio(demo_accounts: list[DemoAccount], rows: DemoRows) -> None:
    write_accounts(demo_accounts)
    Webinar.objects.bulk_create(rows.webinars, batch_size=500)  # their ids are needed
    write_rows(rows)


def write_accounts(demo_accounts: list[DemoAccount]) -> None:
    """Write the accounts, parents first, and set each `DemoAccount.id`; then point the
    children at their parents."""
    in_order = sorted(demo_accounts, key=lambda demo: demo.parent is not None)
    # Ids only grow: the rows above the newest id before this write are these.
    newest = Account.objects.aggregate(newest=Max("id"))["newest"] or 0
    insert_plain_rows(Account, [vars(demo.account) for demo in in_order])
    ids = dict(Account.objects.filter(id__gt=newest).values_list("external_id", "id"))
    for demo in demo_accounts:
        demo.id = ids[demo.account.external_id]
    children = [(demo.id, demo.parent.id) for demo in in_order if demo.parent is not None]
    update_rows(Account, ["parent"], children)


def write_rows(rows: DemoRows) -> None:
    """Write the rows about accounts already written (webinars too, if any are named)."""
    for name, model in TABLES.items():
        insert_plain_rows(model, getattr(rows, name))


def insert_plain_rows(model: type[models.Model], rows: list[dict]) -> None:
    """Write plain rows (field attnames; an `account` key holds the written DemoAccount,
    a `webinar` key the saved Webinar)."""
    for row in rows:
        if "account" in row:
            row["account_id"] = row.pop("account").id
        if "webinar" in row:
            row["webinar_id"] = row.pop("webinar").pk
    if not rows:
        return
    if connection.vendor == "postgresql":
        insert_rows(model, rows)
    else:
        execute_many(model, rows)


def _written_fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _automatic(field: models.Field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def execute_many(model: type[models.Model], rows: list[dict]) -> None:
    """One INSERT run for every row; the fields a row leaves out take their defaults."""
    fields = _written_fields(model)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    defaults = {
        field.attname: now if _automatic(field) else field.get_default() for field in fields
    }
    names = [field.attname for field in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[row.get(name, defaults[name]) for name in names] for row in rows])
