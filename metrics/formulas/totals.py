"""Adding up a metric's contributions in one scope and finishing its value; pure.

The nightly job adds each account's `Contribution` into one `Accumulator` per metric
and scope (TAM, team, region, segment, company), merges a TAM's into its team's and so
on, and `finish()` turns the sums into a `MetricValue`. No population means no data:
never 0% and never a division by zero.
"""

from __future__ import annotations

import statistics
from decimal import Decimal
from operator import attrgetter

from .facts import ZERO, Contribution, Metric, MetricValue, Targets


class Accumulator:
    """The running sums of one metric in one scope."""

    __slots__ = ("count", "denominator", "extra", "numerator", "samples")

    def __init__(self) -> None:
        self.numerator = ZERO
        self.denominator = ZERO
        self.samples: list | set | None = None
        self.extra: dict[str, Decimal] = {}
        self.count = 0

    def merge(self, other: Accumulator, kind: str) -> None:
        """Add another scope's sums in (a TAM's into its team's, region's, company's)."""
        self.count += other.count
        self.numerator += other.numerator
        self.denominator += other.denominator
        if other.samples:
            if self.samples is None:
                self.samples = set() if kind == "distinct" else []
            if kind == "distinct":
                self.samples.update(other.samples)
            else:
                self.samples.extend(other.samples)
        for name, amount in other.extra.items():
            self.extra[name] = self.extra.get(name, ZERO) + amount

    @classmethod
    def summed(cls, group: list[Accumulator], kind: str) -> Accumulator:
        """A new accumulator holding `group` added up: what merging each in turn gives,
        with the figures summed in one pass (the fold into scopes calls this for every
        scope of every metric, `metrics.partials`). A single accumulator, a third of the
        scopes, is copied without the lists."""
        total = cls()
        if len(group) == 1:
            (only,) = group
            total.count = only.count
            total.numerator = ZERO + only.numerator
            total.denominator = ZERO + only.denominator
            if only.samples:
                total.samples = set(only.samples) if kind == "distinct" else list(only.samples)
            if only.extra:
                total.extra = {name: ZERO + amount for name, amount in only.extra.items()}
            return total
        total.count = sum(map(_count, group))
        total.numerator = sum(map(_numerator, group), ZERO)
        total.denominator = sum(map(_denominator, group), ZERO)
        samples = [accumulator.samples for accumulator in group if accumulator.samples]
        if samples:
            if kind == "distinct":
                total.samples = set().union(*samples)
            else:
                total.samples = [sample for some in samples for sample in some]
        extra = total.extra
        for accumulator in group:
            for name, amount in accumulator.extra.items():
                extra[name] = extra.get(name, ZERO) + amount
        return total

    def add(self, contribution: Contribution, kind: str) -> None:
        self.count += 1
        self.numerator += contribution.numerator
        self.denominator += contribution.denominator
        if contribution.samples:
            if self.samples is None:
                self.samples = set() if kind == "distinct" else []
            if kind == "distinct":
                self.samples.update(contribution.samples)
            else:
                self.samples.extend(contribution.samples)
        for name, amount in contribution.extra:
            self.extra[name] = self.extra.get(name, ZERO) + amount


_count = attrgetter("count")
_numerator = attrgetter("numerator")
_denominator = attrgetter("denominator")


def _attained(direction: str, value: Decimal | None, targets: Targets) -> bool | None:
    if value is None:
        return None
    if direction in ("up", "down"):
        if targets.previous is None:
            return None
        return value > targets.previous if direction == "up" else value < targets.previous
    if targets.target is None:
        return None
    if direction == "at_least":
        return value >= targets.target
    if direction == "at_most":
        return value <= targets.target
    return value > targets.target


def _details(accumulator: Accumulator) -> dict:
    details = {name: f"{amount}" for name, amount in accumulator.extra.items()}
    responses = accumulator.extra.get("responses")
    if responses:
        promoters = accumulator.extra.get("promoters", ZERO)
        detractors = accumulator.extra.get("detractors", ZERO)
        details["nps"] = f"{((promoters - detractors) / responses * 100):.1f}"
    return details


def finish(metric: Metric, accumulator: Accumulator | None, targets: Targets) -> MetricValue:
    """The value of a metric in one scope; no population means no data."""
    comparison = targets.previous if metric.direction in ("up", "down") else targets.target
    if accumulator is None or accumulator.count == 0:
        return MetricValue(
            numerator=None, denominator=None, value=None, target=comparison, attained=None
        )
    value, numerator, denominator = _value(metric, accumulator)
    details = _details(accumulator)
    return MetricValue(
        numerator=numerator,
        denominator=denominator,
        value=value,
        target=comparison,
        attained=_attained(metric.direction, value, targets),
        details=details,
    )


def _value(metric: Metric, accumulator: Accumulator) -> tuple:
    if metric.kind == "count":
        return accumulator.numerator, accumulator.numerator, None
    if metric.kind == "distinct":
        count = Decimal(len(accumulator.samples or ()))
        return count, count, None
    if metric.kind == "median_days":
        samples = accumulator.samples or []
        median = Decimal(str(statistics.median(samples))) if samples else None
        return median, accumulator.numerator, accumulator.denominator
    if not accumulator.denominator:
        return None, accumulator.numerator, accumulator.denominator
    value = accumulator.numerator / accumulator.denominator
    return value.quantize(Decimal("0.0001")), accumulator.numerator, accumulator.denominator
