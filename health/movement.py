"""What moved an account's health score (DESIGN 11): pure, no Django.

`what_moved()` compares two explained results, now and N days ago (the account page asks
for 7 and 90), and lists the measures whose contribution to the score changed, with
before and after. Contributions are compared as shown (to 0.01), so a change too small to
see is not listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .scorecard import Band, HealthResult, Measure


@dataclass(frozen=True, slots=True)
class Movement:
    """A measure whose contribution changed; None: not on the scorecard at that time."""

    measure: Measure
    before: Decimal | None
    after: Decimal | None
    band_before: Band | None
    band_after: Band | None

    @property
    def change(self) -> Decimal:
        return (self.after or Decimal(0)) - (self.before or Decimal(0))


def what_moved(now: HealthResult, then: HealthResult) -> list[Movement]:
    """The measures whose contribution changed from `then` to `now`, the biggest change
    first (ties in `Measure` order). A measure turning N/A moves the others too: its
    weight went to them."""
    order = list(Measure)
    moved = []
    for measure in order:
        before, after = then.measure(measure), now.measure(measure)
        if before is None and after is None:
            continue
        movement = Movement(
            measure,
            before.contribution if before else None,
            after.contribution if after else None,
            before.band if before else None,
            after.band if after else None,
        )
        if movement.change:
            moved.append(movement)
    return sorted(moved, key=lambda m: (-abs(m.change), order.index(m.measure)))
