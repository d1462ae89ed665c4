"""The source id of a record made in the portal: `portal-<pk>` (DESIGN 10).

A record logged on the account page (or typed into admin) has no source system, so no
`external_id`. The export writes it as `portal-<pk>`, a stable id derived from its
primary key, rather than an empty cell the import would refuse; and the import matches
that id back: a record `portal-<pk>` whose row `<pk>` still has no external id (and, for
a fact about an account, is about the same account) is that row. It then keeps the id
from then on, which no export or comparison can tell apart from before: the file still
re-imports as "unchanged". Anywhere else (another database, a row since given a source
id), `portal-<pk>` is just a source id like any other and creates its record.
"""

from __future__ import annotations

import re

from core.bulk import CHUNK_SIZE, update_rows

from .kinds import Kind

PREFIX = "portal-"
_PORTAL_ID = re.compile(r"^portal-([1-9][0-9]{0,18})$")


def exported_id(external_id: str | None, pk: int) -> str:
    return external_id or f"{PREFIX}{pk}"


def adopt(kind: Kind, records: list[dict[str, object]]) -> int:
    """Give `portal-<pk>` to each row `<pk>` that the records name so and that has no
    external id yet; returns how many rows were given theirs."""
    if not kind.keyed_by_external_id:
        return 0
    wanted: dict[int, dict[str, object]] = {}
    for values in records:
        match = _PORTAL_ID.match(str(values.get("external_id") or ""))
        if match:
            wanted[int(match.group(1))] = values
    if not wanted:
        return 0
    account = kind.model._meta.get_field(kind.account_field).attname if kind.account_field else None
    columns = ["pk", *([account] if account else [])]
    adopted = []
    pks = sorted(wanted)
    for start in range(0, len(pks), CHUNK_SIZE):
        rows = kind.model.objects.filter(
            pk__any=pks[start : start + CHUNK_SIZE], external_id__isnull=True
        ).values(*columns)
        for row in rows:
            values = wanted[row["pk"]]
            if account is None or values.get(account) == row[account]:
                adopted.append((row["pk"], values["external_id"]))
    update_rows(kind.model, ["external_id"], adopted)
    return len(adopted)
