from django.contrib import admin

from core.audit_admin import AuditedAdmin
from core.large_admin import (
    FiscalQuarterListFilter,
    LargeTableAdmin,
)
from metrics.models import BurnDownThresholds, MetricDefinition, MetricResult, MetricTarget


class MetricTargetInline(admin.TabularInline):
    model = MetricTarget
    extra = 0


@admin.register(MetricDefinition)
class MetricDefinitionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("key", "name", "segments", "unit", "direction", "default_target")
    list_filter = ("unit", "direction")
    search_fields = ("key", "name")
    inlines = (MetricTargetInline,)


@admin.register(MetricTarget)
class MetricTargetAdmin(AuditedAdmin, admin.ModelAdmin):
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


@admin.register(BurnDownThresholds)
class BurnDownThresholdsAdmin(AuditedAdmin, admin.ModelAdmin):
    """One row: the lists read the first; a second would be ignored, so none can be added.
    The cadence intervals and the renewal window are in Rhythm settings (rhythm app), the
    one setting the book, the account page, the workload and these lists all read."""

    fieldsets = (
        (
            None,
            {
                "fields": (
                    "first_engage_days",
                    "first_value_days",
                    "onboarding_days",
                    "pr1_ebr_months",
                    "low_utilisation_share",
                ),
                "description": "The cadence-call lists and the renewal survey list follow "
                "the cadence intervals and the renewal window of Rhythm settings.",
            },
        ),
    )

    list_display = (
        "__str__",
        "first_engage_days",
        "first_value_days",
        "onboarding_days",
        "pr1_ebr_months",
        "low_utilisation_share",
    )

    def has_add_permission(self, request):
        return not BurnDownThresholds.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
