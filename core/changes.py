"""How a domain write says that accounts' rule inputs changed (DESIGN 13).

A domain app (logging an entry, an engagement, a decision, an admin edit, an import)
must not import the recompute, which sits above it. It calls `rule_inputs_changed(ids)`
instead, inside the transaction that makes the change:
- `accounts_changing` is sent at once, in that transaction, so what a receiver stores
  (the recompute's outbox, `orchestration/reactions.py`) commits or rolls back with the
  change: a committed change is never left without its recompute request;
- `accounts_changed` is sent once the transaction commits, with what each receiver of
  `accounts_changing` returned (`stored`, by receiver), and the orchestration brings
  those accounts up to date. Nothing is sent for a transaction that rolls back.
"""

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

# Both carry `account_ids` (a sorted list), `trigger` (what wrote: "entry",
# "import: accounts.csv", "api: <key name>") and `bulk`; `accounts_changed` also `stored`.
accounts_changing = Signal()
accounts_changed = Signal()


def rule_inputs_changed(
    account_ids: Iterable[int], *, trigger: str = "entry", bulk: bool = False
) -> None:
    """Announce the accounts a write changed. A person's edit (`bulk=False`) is recomputed
    as soon as it commits, so the page they land on shows it; a bulk write (an import, an
    API request) is recomputed by one debounced task within a minute."""
    ids = sorted(set(account_ids))
    if not ids:
        return
    stored = dict(accounts_changing.send(sender=None, account_ids=ids, trigger=trigger, bulk=bulk))
    transaction.on_commit(
        lambda: accounts_changed.send(
            sender=None, account_ids=ids, trigger=trigger, bulk=bulk, stored=stored
        )
    )
