"""Every segment's onboarding-clock targets, read once (2 queries) for many accounts:
the segment's metric target, else the metric's default (DESIGN 5). The book and the API
read them here."""

from __future__ import annotations

from .models import CLOCK_METRICS, MetricDefinition, MetricTarget


class ClockTargets:
    def __init__(self):
        self.defaults = {
            key: int(value) if value is not None else None
            for key, value in MetricDefinition.objects.filter(key__in=CLOCK_METRICS).values_list(
                "key", "default_target"
            )
        }
        self.by_segment: dict[int, dict[str, int | None]] = {}
        for segment_id, key, target in MetricTarget.objects.filter(
            metric__key__in=CLOCK_METRICS
        ).values_list("segment_id", "metric__key", "target"):
            self.by_segment.setdefault(segment_id, dict(self.defaults))[key] = int(target)

    def for_account(self, account) -> dict[str, int | None]:
        segment_id = account.segment_override_id or account.segment_id
        return self.by_segment.get(segment_id, self.defaults)
