from django.contrib import admin

from metrics.models import MetricDefinition, MetricResult, MetricTarget
from tam_portal.large_admin import (
    FiscalQuarterListFilter,
    LargeTableAdmin,
)


class MetricTargetInline(admin.TabularInline):
    model = MetricTarget
    extra = 0


@admin.register(MetricDefinition)
class MetricDefinitionAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "segments", "unit", "direction", "default_target")
    list_filter = ("unit", "direction")
    search_fields = ("key", "name")
    inlines = (MetricTargetInline,)


@admin.register(MetricTarget)
class MetricTargetAdmin(admin.ModelAdmin):
    list_display = ("metric", "segment", "target")
    list_filter = ("segment", "metric")
    list_select_related = ("metric", "segment")
    search_fields = ("metric__key", "metric__name")


@admin.register(MetricResult)
class MetricResultAdmin(LargeTableAdmin):
    list_display = (
        "metric",
        "scope_type",
        "scope",
        "fiscal_quarter",
        "numerator",
        "denominator",
        "value",
        "target",
        "attained",
    )
    list_filter = (FiscalQuarterListFilter, "scope_type", "attained", "metric")
    list_select_related = ("metric",)
    search_fields = ("scope", "metric__key", "fiscal_quarter__exact")
    readonly_fields = ("computed_at",)
    # Latest quarter first; the (fiscal_quarter, scope_type, scope) index serves it.
    ordering = ("-fiscal_quarter", "scope_type", "scope")
