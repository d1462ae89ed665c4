"""How a domain write says that accounts' rule inputs changed (DESIGN 13).

A domain app (logging an entry, an engagement, a decision, an admin edit) must not
import the recompute, which sits above it. It calls `rule_inputs_changed(ids)` instead;
once the transaction commits, `accounts_changed` is sent, and the orchestration layer,
which listens (`orchestration/reactions.py`), brings those accounts up to date. Nothing
is sent for a transaction that rolls back.
"""

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

# Sent once the write that changed them has committed, with `account_ids` (a sorted list),
# `trigger` (what wrote: "entry", "import: accounts.csv", "api: <key name>") and `bulk`.
accounts_changed = Signal()


def rule_inputs_changed(
    account_ids: Iterable[int], *, trigger: str = "entry", bulk: bool = False
) -> None:
    """Announce the accounts a write changed. A person's edit (`bulk=False`) is recomputed
    as soon as it commits, so the page they land on shows it; a bulk write (an import, an
    API request) is recomputed by one debounced task within a minute."""
    ids = sorted(set(account_ids))
    if ids:
        transaction.on_commit(
            lambda: accounts_changed.send(sender=None, account_ids=ids, trigger=trigger, bulk=bulk)
        )
