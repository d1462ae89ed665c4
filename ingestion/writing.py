"""Set-based upsert of validated records of one kind (DESIGN 10).

Existing records are read by key in chunks, compared field by field, and only the
changed ones are written: new ones by `insert_rows`, changed ones by `update_rows`, one
statement per chunk. Re-sending the same records writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db.models.functions import Lower

from core import audit
from core.bulk import CHUNK_SIZE, insert_rows, update_rows

from .kinds import Kind


@dataclass
class Outcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Account ids whose facts were created or changed: their rules may answer differently.
    account_ids: set[int] = field(default_factory=set)
    # The written records' values (model attnames), for the effects on their accounts.
    written: list[dict[str, object]] = field(default_factory=list)


@dataclass(frozen=True)
class FieldChange:
    """One field of an existing record that an upsert changes (the import page's preview)."""

    kind: str
    key: tuple
    field: str  # the column's name; a reference's model attname (its id)
    old: object
    new: object


# The list a preview collects changes into, and how many it wants; unset, upsert collects nothing.
_collector: ContextVar[tuple[list[FieldChange], int] | None] = ContextVar(
    "ingestion_field_changes", default=None
)


@contextmanager
def collecting_changes(limit: int) -> Iterator[list[FieldChange]]:
    """Within the block, upserts append up to `limit` changed fields to the yielded list."""
    changes: list[FieldChange] = []
    token = _collector.set((changes, limit))
    try:
        yield changes
    finally:
        _collector.reset(token)


def note_changes(kind_name: str, changes: Iterable[tuple[str, str, object, object]]) -> None:
    """Add changes found outside `upsert` (the accounts import keeps its own) to a preview's
    collector: `(key, field, old, new)` each."""
    collector = _collector.get()
    if collector is None:
        return
    collected, limit = collector
    for key, field_name, old, new in changes:
        if len(collected) >= limit:
            return
        collected.append(FieldChange(kind_name, (key,), field_name, old, new))


def _collect(kind: Kind, key: tuple, current: dict, values: dict, compared: list[str]) -> None:
    collector = _collector.get()
    if collector is None or len(collector[0]) >= collector[1]:
        return
    changes, limit = collector
    column_of = {
        _attname(kind, target.field): column
        for column, target in kind.targets.items()
        if target.ref is None
    }
    for name in compared:
        if current[name] != values[name] and len(changes) < limit:
            field_name = column_of.get(name, name)
            changes.append(FieldChange(kind.name, key, field_name, current[name], values[name]))


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), CHUNK_SIZE):
        yield values[start : start + CHUNK_SIZE]


def _attname(kind: Kind, field_name: str) -> str:
    return kind.model._meta.get_field(field_name).attname


def desired_values(
    kind: Kind, columns: list[str], values: dict[str, object], ids: dict[str, dict[str, int]]
) -> dict[str, object]:
    """One record's model values (attnames), references replaced by ids."""
    written = list(dict.fromkeys([*columns, *kind.always]))
    result = {}
    for column in written:
        target = kind.targets[column]
        value = values.get(column)
        if target.ref is not None:
            value = ids.get(column, {}).get(value) if value else None
        elif value is None and column not in columns:
            value = _empty(kind, target.field)
        result[_attname(kind, target.field)] = value
    if kind.name == "people":
        name = str(values.get("name") or "")
        first, _, last = name.partition(" ")
        result["first_name"], result["last_name"] = first, last
    return result


def _empty(kind: Kind, field_name: str) -> object:
    model_field = kind.model._meta.get_field(field_name)
    return "" if model_field.get_internal_type() in ("CharField", "TextField") else None


def _key(kind: Kind, values: dict[str, object]) -> tuple:
    return tuple(_normal_key(kind, values[_attname(kind, name)]) for name in kind.key_fields)


def _existing(kind: Kind, wanted: dict[tuple, dict], attnames: list[str]) -> dict[tuple, dict]:
    model = kind.model
    key_attnames = [_attname(kind, name) for name in kind.key_fields]
    columns = list(dict.fromkeys(["pk", *key_attnames, *attnames]))
    found: dict[tuple, dict] = {}
    keys = list(wanted)
    if kind.name == "people":
        lookups = [("email_lower__any", [key[0] for key in chunk]) for chunk in _chunks(keys)]
        queryset = model.objects.annotate(email_lower=Lower("email"))
    elif kind.account_field and kind.key_fields[0] == "account":
        account_ids = sorted({key[0] for key in keys})
        lookups = [("account_id__any", chunk) for chunk in _chunks(account_ids)]
        queryset = model.objects.all()
    else:
        lookups = [
            (f"{key_attnames[0]}__any", [key[0] for key in chunk]) for chunk in _chunks(keys)
        ]
        queryset = model.objects.all()
    for lookup, chunk in lookups:
        for row in queryset.filter(**{lookup: chunk}).values(*columns):
            key = _key(kind, row)
            if key in wanted:
                found[key] = row
    return found


# People (their role, their team) and teams are in the audit log (issue 11), whichever way
# they are fed; the facts are not (they are the portal's data, not its settings).
AUDITED_KINDS = frozenset({"teams", "people"})


def upsert(kind: Kind, records: list[dict[str, object]]) -> Outcome:
    """Write `records` (model attnames to values, all with the same attnames)."""
    outcome = Outcome(rows=len(records))
    if not records:
        return outcome
    attnames = list(records[0])
    wanted = {_key(kind, values): values for values in records}
    existing = _existing(kind, wanted, attnames)
    compared = [name for name in attnames if name != "pk"]
    updates, inserts, audited = [], [], []
    for key, values in wanted.items():
        current = existing.get(key)
        if current is None:
            inserts.append(values)
        elif any(current[name] != values[name] for name in compared):
            updates.append((current["pk"], *[values[name] for name in compared]))
            _collect(kind, key, current, values, compared)
            outcome.written.append({**values, "pk": current["pk"]})
            audited.append((key, current, values))
        else:
            continue
        account = kind.account_field and values.get(_attname(kind, kind.account_field))
        if account:
            outcome.account_ids.add(account)
    field_names = [kind.model._meta.get_field(name).name for name in compared]
    update_rows(kind.model, field_names, updates)
    if kind.name == "people":
        inserts = [_new_person(values) for values in inserts]
    returning = (kind.model._meta.pk.name, *[_attname(kind, name) for name in kind.key_fields])
    new_ids = insert_rows(
        kind.model, inserts, returning=returning if kind.name in AUDITED_KINDS else ()
    )
    if kind.name in AUDITED_KINDS:
        _audit(kind, audited, inserts, new_ids)
    outcome.written.extend(inserts)
    outcome.created, outcome.updated = len(inserts), len(updates)
    outcome.unchanged = outcome.rows - outcome.created - outcome.updated
    return outcome


def _audit(kind: Kind, changed: list, inserts: list[dict], new_ids: list[tuple]) -> None:
    """Record the changed rows (the fields compared) and the created ones, as the admin
    would; the actor and the way in come from the face (`audit.acting`), else "import"."""
    model = kind.model
    id_of = {tuple(_normal_key(kind, part) for part in row[1:]): row[0] for row in new_ids}
    writes = [
        audit.Written(
            model,
            current["pk"],
            ", ".join(map(str, key)),
            audit.snapshot_of_row(model, {name: current[name] for name in values if name != "pk"}),
            audit.snapshot_of_row(model, {name: values[name] for name in values if name != "pk"}),
        )
        for key, current, values in changed
    ]
    for values in inserts:
        key = _key(kind, values)
        writes.append(
            audit.Written(
                model,
                id_of.get(key),
                ", ".join(map(str, key)),
                None,
                audit.snapshot_of_row(model, values),
            )
        )
    audit.record_all(writes, default_via="import")


def _normal_key(kind: Kind, part: object) -> object:
    return part.lower() if isinstance(part, str) and kind.name == "people" else part


def _new_person(values: dict[str, object]) -> dict[str, object]:
    """A person imported signs in after a password reset or through single sign-on."""
    email = str(values["email"])
    return {**values, "username": email[:150], "password": make_password(None)}
