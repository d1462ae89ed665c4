"""The orchestration's answers to a change announced by a domain write (`core.changes`).

Inside the write's transaction (`accounts_changing`) the accounts are stored in the
recompute's outbox (`outbox.py`), so the request commits with the change. After the
commit (`accounts_changed`):
- a person's edit is recomputed at once, in the same process, so the page they land on
  next already shows the new segment and priority (the rankings read whole, as in the
  nightly run: `selection.py`); its requests are then removed, unless a run is in
  progress that may have read those accounts before the change, in which case they stay
  and follow that run. If this recompute fails, they stay for the sweep as well;
- a bulk write's accounts wait for the debounced task, one for many writes
  (`tasks.deliver`, `requests.py`).
"""

import logging

from core.changes import accounts_changed, accounts_changing

from . import outbox
from .lock import is_held
from .selection import recompute_accounts
from .tasks import deliver

logger = logging.getLogger(__name__)


def store_recompute_requests(
    sender, *, account_ids: list[int], trigger: str = "entry", **kwargs
) -> list[int]:
    return outbox.store(account_ids, trigger)


def recompute_changed_accounts(
    sender, *, account_ids: list[int], bulk: bool = False, stored: dict | None = None, **kwargs
) -> None:
    if bulk:
        deliver()
        return
    try:
        recompute_accounts(account_ids)
    except Exception:  # the edit has committed; its requests wait
        logger.exception("Recomputing accounts %s after an edit failed.", account_ids)
        deliver()
        return
    if not is_held():
        outbox.remove((stored or {}).get(store_recompute_requests) or [])


def connect() -> None:
    accounts_changing.connect(store_recompute_requests, dispatch_uid="recompute-requests")
    accounts_changed.connect(recompute_changed_accounts, dispatch_uid="recompute-changed")
