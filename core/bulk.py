"""Set-based writes that stay fast at 100,000+ rows.

`bulk_update` builds one CASE per field and row in Python (about 2,200 rows/s here, see
shared/STACK.md). On PostgreSQL we send each chunk as typed arrays and let one
`UPDATE ... FROM unnest(...)` apply them (about 57,000 rows/s). SQLite, the embedded
default, has no arrays, so it takes Django's `bulk_update`: slower, same result.
Inserts on PostgreSQL go through COPY (see `insert_rows`). `portable=True` takes the path
every database has, also on PostgreSQL: the tests compare the two paths on the same rows.
"""

from __future__ import annotations

import datetime
import io
import json
import queue
import threading
from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.utils import timezone

CHUNK_SIZE = 5000


def update_rows(
    model: type[models.Model],
    field_names: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    chunk_size: int = CHUNK_SIZE,
    portable: bool = False,
) -> int:
    """Write `rows` of `(pk, value_1, value_2, ...)` into `field_names` of `model`.

    Field names are model field names (`region`, not `region_id`). Returns rows written.
    """
    if not rows:
        return 0
    fields = [model._meta.get_field(name) for name in field_names]
    if connection.vendor == "postgresql" and not portable:
        update_chunk = _update_chunk_postgresql
    else:
        update_chunk = _update_chunk_portable
    for start in range(0, len(rows), chunk_size):
        update_chunk(model, fields, rows[start : start + chunk_size])
    return len(rows)


def _update_chunk_postgresql(model, fields, chunk) -> None:
    quote = connection.ops.quote_name
    pk = model._meta.pk
    columns = [pk.column] + [field.column for field in fields]
    types = [pk.db_type(connection)] + [field.db_type(connection) for field in fields]
    # Each column as one array literal ('{1,2,NULL}'::bigint[]): psycopg2 would write a
    # list as ARRAY[1, 2, NULL], thousands of constants the server parses one by one,
    # which was two thirds of a first recompute's account UPDATE (100,000 accounts:
    # 1.48 s, against 0.56 s for the same UPDATE from a table in psql).
    arrays = [
        array_literal([row[index] for row in chunk], field)
        for index, field in enumerate([pk, *fields])
    ]
    assignments = ", ".join(f"{quote(column)} = v.{quote(column)}" for column in columns[1:])
    unnest_args = ", ".join(f"%s::{db_type}[]" for db_type in types)
    column_list = ", ".join(quote(column) for column in columns)
    table = quote(model._meta.db_table)
    key = f"{table}.{quote(pk.column)}"
    # The id range lets the planner read only the chunk's rows through the primary key;
    # without it, it hashes the whole table for every chunk.
    sql = (
        f"UPDATE {table} SET {assignments} "
        f"FROM unnest({unnest_args}) AS v({column_list}) "
        f"WHERE {key} = v.{quote(pk.column)} AND {key} BETWEEN %s AND %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*arrays, min(row[0] for row in chunk), max(row[0] for row in chunk)])


def array_literal(values: Sequence[object], field: models.Field) -> str:
    """`values` of `field` as one PostgreSQL array literal: numbers bare, everything else
    double-quoted with its backslashes and quotes escaped, None as NULL, JSON as text."""
    internal_type = (field.target_field if field.is_relation else field).get_internal_type()
    if internal_type in _NUMBER_TYPES:
        items = ["NULL" if value is None else str(value) for value in values]
    elif internal_type in _TEXT_TYPES:  # the common case: no call per value
        items = [
            "NULL" if value is None else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
            for value in values
        ]
    else:
        items = ["NULL" if value is None else _array_item(value, field) for value in values]
    return "{" + ",".join(items) + "}"


def _array_item(value: object, field: models.Field) -> str:
    if isinstance(field, models.JSONField):
        text = json.dumps(value)
    elif value is True or value is False:
        text = "t" if value else "f"
    elif isinstance(value, datetime.date):  # datetimes too: ISO 8601, with their offset
        text = value.isoformat()
    else:
        text = str(value)
    return '"' + _array_escaped(text) + '"'


def _array_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _update_chunk_portable(model, fields, chunk) -> None:
    objects = []
    for row in chunk:
        instance = model(pk=row[0])
        for field, value in zip(fields, row[1:], strict=True):
            setattr(instance, field.attname, value)
        objects.append(instance)
    model.objects.bulk_update(objects, [field.name for field in fields], batch_size=500)


def insert_rows(
    model: type[models.Model],
    rows: Sequence[dict[str, object]],
    *,
    returning: Sequence[str] = (),
    chunk_size: int = CHUNK_SIZE,
    portable: bool = False,
) -> list[tuple]:
    """Insert `rows` (dicts of field attnames to values) and return `returning` columns.

    Fields a row leaves out take the model field's default (auto_now fields: now), as
    `bulk_create` would, but without building a model instance per row.
    """
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField))
    ]
    now = timezone.now()
    defaults = {
        field.attname: now
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        else field.get_default()
        for field in fields
    }
    copy = connection.vendor == "postgresql" and not portable
    returned: list[tuple] = []
    for start in range(0, len(rows), chunk_size):
        chunk = rows[start : start + chunk_size]
        if copy:
            returned += _insert_chunk_postgresql(model, fields, chunk, defaults, returning)
        else:
            chunk = [{**defaults, **row} for row in chunk]
            returned += _insert_chunk_portable(model, fields, chunk, returning)
    return returned


def _insert_chunk_postgresql(model, fields, chunk, defaults, returning) -> list[tuple]:
    """COPY the chunk (`copy_lines`: straight in, or through a scratch table and one
    INSERT ... SELECT when `returning` asks for the new ids).

    COPY is several times faster than array parameters, which psycopg2 adapts value by
    value, and runs every constraint as an INSERT does.
    Columns no row of the chunk mentions take their default, formatted once for all rows.
    """
    mentioned = set().union(*chunk)
    varying = [field for field in fields if field.attname in mentioned]
    constant = [field for field in fields if field.attname not in mentioned]
    per_row = [
        (field.attname, defaults[field.attname], _copy_formatter(field)) for field in varying
    ]
    fixed = "\t".join(_copy_formatter(field)(defaults[field.attname]) for field in constant)
    end_of_row = ("\t" + fixed if varying and constant else fixed) + "\n"
    lines = (
        "\t".join([format_(row.get(attname, default)) for attname, default, format_ in per_row])
        + end_of_row
        for row in chunk
    )
    return copy_lines(model, [field.attname for field in varying + constant], lines, returning)


def copy_lines(
    model: type[models.Model],
    attnames: Sequence[str],
    lines: Iterable[str],
    returning: Sequence[str] = (),
) -> list[tuple]:
    """Insert rows given as lines of PostgreSQL's COPY text format, one value per attname.

    For callers that format their own rows because every value is a number or a word from
    a fixed vocabulary (nothing to escape): one f-string a row instead of one call a value,
    which matters at a million rows. Runs every constraint, as `insert_rows` does.

    Without `returning` the rows are copied straight into the table: COPY checks every
    constraint and queues the foreign key checks as an INSERT does; skipping the scratch
    table's CREATE, COPY and DROP saves about a tenth of the write (a first recompute's
    100,000 assessments: 0.47 s to 0.42 s in psql, plus a round trip and a catalog
    entry per chunk). With `returning` they go through a scratch table, COPY having no
    RETURNING.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in attnames)
    buffer = io.StringIO()
    buffer.writelines(lines)
    buffer.seek(0)
    if not returning:
        # copy_expert bypasses Django's error translation: callers catch Django's errors
        with connection.cursor() as cursor, connection.wrap_database_errors:
            cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
        return []
    returned_columns = [model._meta.get_field(name).column for name in returning]
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _bulk_insert_rows "
        f"RETURNING {', '.join(quote(column) for column in returned_columns)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE _bulk_insert_rows AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        cursor.copy_expert(f"COPY _bulk_insert_rows ({columns}) FROM STDIN", buffer)
        cursor.execute(sql)
        rows = cursor.fetchall()
        cursor.execute("DROP TABLE _bulk_insert_rows")
    return rows


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


_NUMBER_TYPES = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
    "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
    "PositiveSmallIntegerField", "DecimalField", "FloatField", "ForeignKey",
}  # fmt: skip
_TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}


def _copy_formatter(field):
    """The cheapest correct COPY formatter for a field's values (a million rows add up)."""
    internal_type = field.get_internal_type()
    if internal_type in _NUMBER_TYPES:
        return lambda value: "\\N" if value is None else str(value)
    if internal_type in _TEXT_TYPES:
        return lambda value: "\\N" if value is None else value.translate(_COPY_ESCAPES)
    return _copy_text


def copy_values(values: Iterable[object]) -> str:
    """Values as tab-separated fields of a `copy_lines` line (no line end)."""
    return "\t".join([_copy_text(value) for value in values])


def _copy_text(value: object) -> str:
    """A value in COPY's text format: NULL is \\N, booleans t/f, text escaped."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value).translate(_COPY_ESCAPES)
    return str(value)


def _insert_chunk_portable(model, fields, chunk, returning) -> list[tuple]:
    """Multi-row INSERTs of the values given, auto_now fields' too, as COPY writes them.

    Raw, as `loaddata` saves: `bulk_create` would stamp auto_now fields with the time of
    the INSERT instead of the value the caller chose (a run's one `now`).
    """
    objects = [model(**{field.attname: row[field.attname] for field in fields}) for row in chunk]
    returning_fields = [model._meta.get_field(name) for name in returning] or None
    batch_size = min(500, connection.ops.bulk_batch_size(fields, objects) or 500)
    returned = []
    for start in range(0, len(objects), batch_size):
        returned += model._base_manager._insert(
            objects[start : start + batch_size],
            fields=fields,
            returning_fields=returning_fields,
            raw=True,
        )
    return [tuple(row) for row in returned]


def keyset_chunks(
    queryset, columns: Sequence[str], *, key: str = "id", chunk_size: int = CHUNK_SIZE
):
    """Yield `queryset` as lists of `values(*columns)` dicts, `chunk_size` at a time,
    ordered by the unique `key` and paged on it (no OFFSET: every page costs the same).
    `key` must be among `columns`."""
    last = None
    while True:
        page = queryset if last is None else queryset.filter(**{f"{key}__gt": last})
        rows = list(page.order_by(key).values(*columns)[:chunk_size])
        if not rows:
            return
        yield rows
        last = rows[-1][key]


def id_ranges(queryset, size: int, *, key: str = "id") -> list[tuple[object, object | None]]:
    """Consecutive `(first, last)` key ranges of `queryset` holding `size` rows each.

    The last range is open (`last` is None), so rows added while the ranges are worked
    through are not missed. Each boundary costs one index-only query, whatever the size
    of the table, and only the boundaries are held in memory.
    """
    ordered = queryset.order_by(key).values_list(key, flat=True)
    first = ordered.first()
    ranges = []
    while first is not None:
        tail = ordered.filter(**{f"{key}__gte": first})
        last = next(iter(tail[size - 1 : size]), None)
        ranges.append((first, last))
        first = None if last is None else ordered.filter(**{f"{key}__gt": last}).first()
    return ranges


def for_each_range(ranges, work, *, workers: int = 1) -> None:
    """Call `work(first, last)` for every range, on `workers` threads at once.

    Each thread uses its own database connection (Django's are per thread) and closes it
    when the queue is empty. The first error stops the other threads taking new ranges
    and is raised here. With one worker everything runs in the calling thread, on its
    connection and inside its transaction, as tests and SQLite need.
    """
    if workers <= 1:
        for first, last in ranges:
            work(first, last)
        return
    pending: queue.SimpleQueue = queue.SimpleQueue()
    for item in ranges:
        pending.put(item)
    failures: list[BaseException] = []
    threads = [
        threading.Thread(
            target=_drain, args=(pending, work, failures), name=f"chunk-worker-{number}"
        )
        for number in range(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def _drain(pending: queue.SimpleQueue, work, failures: list[BaseException]) -> None:
    try:
        while not failures:
            try:
                first, last = pending.get_nowait()
            except queue.Empty:
                return
            work(first, last)
    except BaseException as error:  # handed to the calling thread by for_each_range
        failures.append(error)
    finally:
        connection.close()
