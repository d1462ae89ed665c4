"""The orchestration's answers to a change announced by a domain write (`core.changes`).

The changed accounts are recomputed as soon as the write commits, in the same process,
so the page the user lands on next already shows the new segment and priority; the
rankings are read whole, as in the nightly run (`selection.py`).
"""

from core.changes import accounts_changed

from .selection import recompute_accounts


def recompute_changed_accounts(sender, *, account_ids: list[int], **kwargs) -> None:
    recompute_accounts(account_ids)


def connect() -> None:
    accounts_changed.connect(recompute_changed_accounts, dispatch_uid="recompute-changed")
