"""One account a recompute step could not compute, as the run records it (issue 11).

A rule or a metric that raises for one account must not stop the run for everyone else:
the step leaves that account out whole (nothing of it written, its old segment, priority
and assessment kept, no part of it in any metric) and hands back one of these, which the
run keeps in `RecomputeRun.failures` and shows in admin.
"""

from __future__ import annotations

# The steps as admins read them on the run's page.
SEGMENTS = "segments"
PRIORITIES = "priorities"
METRICS = "metrics"
HEALTH = "health"

ERROR_LENGTH = 500  # a run keeps up to 100 failures: enough to see what went wrong


def account_failure(account_id: int, step: str, error: Exception) -> dict:
    """`{"account_id", "account", "step", "error"}`: the error's type and message. The
    account's name is left empty here: the run reads the names of the failures it keeps in
    one query at the end rather than one name per account of every chunk."""
    return {
        "account_id": account_id,
        "account": "",
        "step": step,
        "error": f"{type(error).__name__}: {error}"[:ERROR_LENGTH],
    }
