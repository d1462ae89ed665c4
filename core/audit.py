"""Recording into the audit log (`core.models.AuditEntry`, issue 11 point 7).

One entry per object written: who, when, the way in (`via`), what (model, id, label), the
action, and the fields before and after. A change keeps only the fields that changed;
a creation keeps the whole object as `after`, a deletion as `before`. Secrets never
reach the log: a password hash or an API key's digest is left out of every snapshot, by
name, whatever model carries it.

Who records: the admin, through `core.audit_admin.AuditedAdmin` (form saves, inlines,
list edits, actions, deletions); the decision services (prioritization); the bulk writes
of people and teams (ingestion). A face that knows who is acting while a lower layer
writes (the API, an import) says so with `acting(actor=..., via=...)`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder

from .models import AuditAction, AuditEntry

# Left out of every snapshot: a password hash and a credential's digest are secrets even
# hashed (an offline guess needs only the hash).
NEVER_RECORDED = frozenset({"password", "digest"})

_acting: ContextVar[tuple[object, str] | None] = ContextVar("audit_acting", default=None)


@contextmanager
def acting(*, actor=None, via: str) -> Iterator[None]:
    """Within the block, entries recorded without an actor or a way in get these."""
    token = _acting.set((actor, via))
    try:
        yield
    finally:
        _acting.reset(token)


def plain(value: object) -> object:
    """The value as JSON holds it: dates as ISO text, decimals as their exact text."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(obj, *, exclude: Iterable[str] = (), with_many_to_many: bool = False) -> dict:
    """The object's recordable fields, by field name (a reference as its id)."""
    left_out = NEVER_RECORDED | set(exclude)
    values = {
        field.name: plain(field.value_from_object(obj))
        for field in obj._meta.concrete_fields
        if field.name not in left_out
    }
    if with_many_to_many and obj.pk is not None:
        for field in obj._meta.many_to_many:
            if field.name not in left_out:
                values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return values


def snapshot_of_row(model, row: dict[str, object]) -> dict:
    """A snapshot from database values keyed by attname (`team_id`), as bulk writes hold them."""
    values = {}
    for attname, value in row.items():
        field = _field(model, attname)
        if field is not None and field.name not in NEVER_RECORDED:
            values[field.name] = plain(value)
    return values


@dataclass
class Written:
    """One object's write, before it becomes an entry."""

    model: type
    object_id: object
    label: str
    before: dict | None
    after: dict | None
    action: str | None = None


def record(*, obj, before: dict | None, after: dict | None, actor=None, action=None, via=None):
    """Record one object's write (`after=None`: deleted); the entry, or None if nothing
    recordable changed."""
    entries = record_all(
        [Written(type(obj), obj.pk, str(obj), before, after, action)], actor=actor, via=via
    )
    return entries[0] if entries else None


def record_all(
    writes: Iterable[Written], *, actor=None, via=None, default_via: str = ""
) -> list[AuditEntry]:
    """Record many writes in one insert; writes that changed nothing are skipped. Without
    an actor or a way in, those of `acting` apply, else nobody and `default_via`."""
    context_actor, context_via = _acting.get() or (None, default_via)
    actor = actor if actor is not None else context_actor
    if not isinstance(actor, get_user_model()):
        actor = None  # an integration key acts as nobody; its name is in `via`
    pairs = [(write, _entry(write)) for write in writes]
    pairs = [(write, entry) for write, entry in pairs if entry is not None]
    if not pairs:
        return []
    _label_references(pairs)
    entries = [entry for _, entry in pairs]
    for entry in entries:
        entry.actor = actor
        entry.actor_name = actor.get_username() if actor is not None else ""
        entry.via = (via if via is not None else context_via)[:150]
    return AuditEntry.objects.bulk_create(entries)


def _entry(write: Written) -> AuditEntry | None:
    before, after, action = write.before, write.after, write.action
    if before is None and after is None:
        return None
    if before is not None and after is not None:
        changed = [name for name in after if name in before and before[name] != after[name]]
        if not changed:
            return None
        before = {name: before[name] for name in changed}
        after = {name: after[name] for name in changed}
        action = action or AuditAction.CHANGED
    else:
        action = action or (AuditAction.CREATED if before is None else AuditAction.DELETED)
    return AuditEntry(
        action=action,
        model=write.model._meta.label_lower,
        object_id=str(write.object_id if write.object_id is not None else "")[:64],
        object_label=write.label[:200],
        before=before,
        after=after,
    )


def _field(model, name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return next((f for f in model._meta.concrete_fields if f.attname == name), None)


def _label_references(pairs: list[tuple[Written, AuditEntry]]) -> None:
    """Show a reference as `label (#id)` rather than a bare id: one query per model."""
    wanted: dict[type, set] = defaultdict(set)
    places = []
    for write, entry in pairs:
        for values in (entry.before, entry.after):
            for name, value in (values or {}).items():
                field = _field(write.model, name)
                if field is None or not field.is_relation or value in (None, []):
                    continue
                ids = value if isinstance(value, list) else [value]
                wanted[field.related_model].update(ids)
                places.append((values, name, field.related_model))
    found = {model: model._base_manager.in_bulk(ids) for model, ids in wanted.items()}
    for values, name, model in places:
        value = values[name]
        if isinstance(value, list):
            values[name] = [_labelled(found[model], one) for one in value]
        else:
            values[name] = _labelled(found[model], value)


def _labelled(objects: dict, pk) -> str:
    obj = objects.get(pk)
    return f"{obj} (#{pk})" if obj is not None else f"#{pk}"
