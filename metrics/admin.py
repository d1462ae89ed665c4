from decimal import Decimal

from django.contrib import admin

from core.audit_admin import AuditedAdmin
from core.large_admin import (
    ComputedTableAdmin,
    FiscalQuarterListFilter,
    LargeTableAdmin,
)
from metrics.models import BurnDownThresholds, MetricDefinition, MetricResult, MetricTarget

# Shares are stored as fractions (what the formulas compute); people read percentages.
TARGET_HELP = "A share is entered as a fraction: 0.75 is 75%. Days, scores and counts as they are."


def as_read(value: Decimal | None, unit: str) -> str:
    """A target or a value the way the dashboard shows it: a share as a percentage."""
    if value is None:
        return "-"
    if unit == "share":
        return f"{(value * 100).normalize():f}%"
    return f"{value.normalize():f}"


class TargetHelp:
    """Puts the share-as-fraction help beside every target field."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("target", "default_target"):
            kwargs["help_text"] = TARGET_HELP
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class MetricTargetInline(TargetHelp, admin.TabularInline):
    model = MetricTarget
    extra = 0
    fields = ("segment", "target", "target_as_read")
    readonly_fields = ("target_as_read",)

    @admin.display(description="Reads as")
    def target_as_read(self, target: MetricTarget) -> str:
        return as_read(target.target, target.metric.unit) if target.pk else "-"


@admin.register(MetricDefinition)
class MetricDefinitionAdmin(TargetHelp, AuditedAdmin, admin.ModelAdmin):
    list_display = ("key", "name", "segments", "unit", "direction", "default_target_as_read")
    list_filter = ("unit", "direction")
    search_fields = ("key", "name")
    inlines = (MetricTargetInline,)
    readonly_fields = ("default_target_as_read",)

    @admin.display(description="Default target", ordering="default_target")
    def default_target_as_read(self, metric: MetricDefinition) -> str:
        return as_read(metric.default_target, metric.unit)


@admin.register(MetricTarget)
class MetricTargetAdmin(TargetHelp, AuditedAdmin, admin.ModelAdmin):
    list_display = ("metric", "segment", "target_as_read")
    list_filter = ("segment", "metric")
    list_select_related = ("metric", "segment")
    search_fields = ("metric__key", "metric__name")
    readonly_fields = ("target_as_read",)

    @admin.display(description="Target", ordering="target")
    def target_as_read(self, target: MetricTarget) -> str:
        return as_read(target.target, target.metric.unit) if target.pk else "-"


@admin.register(MetricResult)
class MetricResultAdmin(ComputedTableAdmin, LargeTableAdmin):
    list_display = (
        "metric",
        "scope_type",
        "scope",
        "fiscal_quarter",
        "numerator",
        "denominator",
        "value_as_read",
        "target_as_read",
        "attained",
    )
    list_filter = (FiscalQuarterListFilter, "scope_type", "attained", "metric")
    list_select_related = ("metric",)
    search_fields = ("scope", "metric__key", "fiscal_quarter__exact")
    readonly_fields = ("computed_at",)
    # Latest quarter first; the (fiscal_quarter, scope_type, scope) index serves it.
    ordering = ("-fiscal_quarter", "scope_type", "scope")

    @admin.display(description="Value", ordering="value")
    def value_as_read(self, result: MetricResult) -> str:
        return as_read(result.value, result.metric.unit)

    @admin.display(description="Target", ordering="target")
    def target_as_read(self, result: MetricResult) -> str:
        return as_read(result.target, result.metric.unit)


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
