"""Writing what the generator built, in two steps. `flatten` turns the accounts and the
rows about them into plain data (a `PlainBatch`: dicts, the accounts in the order written
and the rows pointing at an account by its place among them), which pickles cheaply: the
benchmark flattens in the process that generates and writes in another. `write` then
writes the accounts (parents first), points the children at their parents and writes the
rows about them, each table in one statement.

The rows of a keyed kind get the source-style id a CRM would give them (DESIGN 10), made
of their account's external id, the kind and their place among the account's rows of
that kind (`SF-000042-ACT-0007`): unique across batches, stable for a seed, and drawing
nothing, so the demo's other values do not depend on them. An export of the demo thus
re-imports as it is (`ingestion.exporting`).

`insert_plain_rows` writes plain rows with COPY on PostgreSQL (`core.bulk.insert_rows`)
and one executemany elsewhere, several times faster than the portable path of
`insert_rows`, which prepares a model instance per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

# The prefix of the source-style ids of each keyed kind (see above).
ID_PREFIXES = {Opportunity: "OPP", Initiative: "INI", SuccessPlanObjective: "OBJ", Activity: "ACT"}

# The table of each DemoRows list but the webinars, in the order written.
TABLES = {
    "opportunities": Opportunity,
    "initiatives": Initiative,
    "stage_adoptions": StageAdoption,
    "objectives": SuccessPlanObjective,
    "snapshots": ArrSnapshot,
    "usage": UsageSnapshot,
    "activities": Activity,
}


@dataclass
class PlainBatch:
    accounts: list[dict]  # columns by attname, parents before children
    parents: list[tuple[int, int]]  # (a child's place in `accounts`, its parent's place)
    # Rows about the accounts by model; `account` is the account's place in `accounts`.
    tables: dict[type[models.Model], list[dict]] = field(default_factory=dict)


def write_portfolio(demo_accounts: list[DemoAccount], rows: DemoRows) -> None:
    Webinar.objects.bulk_create(rows.webinars, batch_size=500)  # attendances need their ids
    write(flatten(demo_accounts, rows))


def flatten(
    demo_accounts: list[DemoAccount],
    rows: DemoRows,
    more: dict[type[models.Model], list[dict]] | None = None,
) -> PlainBatch:
    """The accounts and `rows` about them (plus `more` rows by model) as plain data; the
    webinars attended must be saved already."""
    in_order = sorted(demo_accounts, key=lambda demo: demo.parent is not None)
    place = {demo: index for index, demo in enumerate(in_order)}
    tables = {model: getattr(rows, name) for name, model in TABLES.items()} | (more or {})
    for model, prefix in ID_PREFIXES.items():
        _give_external_ids(tables.get(model, []), prefix)
    for plain in tables.values():
        for row in plain:
            row["account"] = place[row["account"]]
            if "webinar" in row:
                row["webinar_id"] = row.pop("webinar").pk
    return PlainBatch(
        accounts=[vars(demo.account) for demo in in_order],
        parents=[(place[demo], place[demo.parent]) for demo in in_order if demo.parent],
        tables=tables,
    )


def _give_external_ids(plain: list[dict], prefix: str) -> None:
    numbers: dict[DemoAccount, int] = {}
    for row in plain:
        if row.get("external_id"):
            continue
        demo = row["account"]
        numbers[demo] = numbers.get(demo, 0) + 1
        row["external_id"] = f"{demo.account.external_id}-{prefix}-{numbers[demo]:04d}"


def write(batch: PlainBatch) -> None:
    # Ids only grow: the rows above the newest id before this write are the batch's.
    newest = Account.objects.aggregate(newest=Max("id"))["newest"] or 0
    insert_plain_rows(Account, batch.accounts)
    id_of = dict(Account.objects.filter(id__gt=newest).values_list("external_id", "id"))
    ids = [id_of[account["external_id"]] for account in batch.accounts]
    update_rows(Account, ["parent"], [(ids[child], ids[parent]) for child, parent in batch.parents])
    for model, plain in batch.tables.items():
        for row in plain:
            row["account_id"] = ids[row.pop("account")]
        insert_plain_rows(model, plain)


def insert_plain_rows(model: type[models.Model], rows: list[dict]) -> None:
    """Write rows of field attnames; the fields a row leaves out take their defaults."""
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
