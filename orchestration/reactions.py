"""The orchestration's answers to a change announced by a domain write (`core.changes`).

A person's edit is recomputed as soon as the write commits, in the same process, so the
page they land on next already shows the new segment and priority; the rankings are read
whole, as in the nightly run (`selection.py`). A bulk write's accounts are queued for the
debounced recompute (`requests.py`), one task for many writes.
"""

from django.db import transaction

from core.changes import accounts_changed

from . import requests
from .selection import recompute_accounts
from .tasks import arm_recompute_requested


def recompute_changed_accounts(
    sender, *, account_ids: list[int], trigger: str = "entry", bulk: bool = False, **kwargs
) -> None:
    if not bulk:
        recompute_accounts(account_ids)
        return
    with transaction.atomic():
        requests.queue(account_ids, trigger)
    arm_recompute_requested()


def connect() -> None:
    accounts_changed.connect(recompute_changed_accounts, dispatch_uid="recompute-changed")
