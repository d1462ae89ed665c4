"""The list endpoints' filters; a malformed value answers 400 with the field's error."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django.db.models import Q

from accounts.models import Account, Health
from metrics.models import MetricResult, ScopeType

PRIORITIES = [(n, f"Pr{n}") for n in range(1, 5)]


class AccountFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__code", help_text="Region code.")
    tam = django_filters.CharFilter(
        field_name="tam__email", lookup_expr="iexact", help_text="The TAM's e-mail."
    )
    segment = django_filters.CharFilter(
        method="effective_segment", help_text="The effective segment's code."
    )
    priority = django_filters.TypedChoiceFilter(choices=PRIORITIES, coerce=int)
    health = django_filters.ChoiceFilter(choices=Health.choices)
    updated_since = django_filters.IsoDateTimeFilter(
        method="changed_since",
        help_text="ISO 8601 date-time: accounts changed at or after it.",
    )

    class Meta:
        model = Account
        fields = ["region", "tam", "segment", "priority", "health", "updated_since"]

    def changed_since(self, queryset, name, value):
        # Sent as UTC: PostgreSQL refuses an offset beyond +-15:59, which ISO 8601 (and
        # Python) allow up to +-23:59; a moment that has no UTC year 1..9999 matches nothing
        # or everything, as it lies before or after every change.
        try:
            moment = value.astimezone(UTC)
        except OverflowError:
            return queryset.none() if value.year > 1 else queryset
        return queryset.filter(updated_at__gte=moment)

    def effective_segment(self, queryset, name, value):
        return queryset.filter(
            Q(segment_override__code=value) | Q(segment_override__isnull=True, segment__code=value)
        )


class MetricResultFilter(django_filters.FilterSet):
    quarter = django_filters.CharFilter(field_name="fiscal_quarter", help_text="e.g. FY27-Q4")
    metric = django_filters.CharFilter(field_name="metric__key", help_text="The metric's key.")
    scope_type = django_filters.ChoiceFilter(choices=ScopeType.choices)
    scope = django_filters.CharFilter(
        help_text="Team, TAM or region id, segment code, '<team id>:<segment code>' or 'all'."
    )

    class Meta:
        model = MetricResult
        fields = ["quarter", "metric", "scope_type", "scope"]
