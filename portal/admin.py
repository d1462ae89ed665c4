"""Admin pages that reach into more than one domain (layer 4 of DESIGN 13).

Saving a segment threshold, a region or its rule parameters changes every account's
segment or priority: these pages show the impact before saving (`admin_preview`) and
queue a recompute after, so they sit above the orchestration rather than in a domain app.
A segment's code is what the rules and metrics know it by: it is fixed once created
(names, positions and thresholds stay editable), and a segment is never deleted here.
"""

from django.contrib import admin

from accounts.models import Region
from core.audit_admin import AuditedAdmin
from prioritization.admin import RULE_PARAMETER_FIELDSETS, RuleSetParametersForm
from prioritization.models import RuleSetParameters
from segments.models import Segment

from .admin_preview import ImpactPreviewAdmin, queue_recompute


class RuleSetParametersInline(admin.StackedInline):
    """On the region page, so a new region is created with its parameters.

    An untouched inline form is not saved by Django: `RegionAdmin.save_related` then
    creates the parameters with their defaults.
    """

    model = RuleSetParameters
    form = RuleSetParametersForm
    fieldsets = RULE_PARAMETER_FIELDSETS
    extra = 1
    max_num = 1
    can_delete = False


@admin.register(RuleSetParameters)
class RuleSetParametersAdmin(AuditedAdmin, ImpactPreviewAdmin):
    impact_argument = "parameters"
    form = RuleSetParametersForm
    fieldsets = ((None, {"fields": ("region",)}), *RULE_PARAMETER_FIELDSETS)
    list_display = (
        "region",
        "uptier_window_months",
        "pr1_cap_per_tam",
        "top_arr_rank",
        "low_stage_adoption_min_arr",
    )
    list_filter = ("region__rule_set",)
    list_select_related = ("region",)
    search_fields = ("region__name", "region__code")


@admin.register(Region)
class RegionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("name", "code", "rule_set", "digital_tam_trial")
    list_filter = ("rule_set", "digital_tam_trial")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}
    inlines = (RuleSetParametersInline,)

    def get_inline_instances(self, request, obj=None):
        # An existing region's parameters are edited on their own page, where a change
        # shows its impact before it is saved; a new region is created with them.
        return super().get_inline_instances(request, obj) if obj is None else []

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The inline is only saved when edited; every region needs its parameters.
        RuleSetParameters.objects.get_or_create(region=form.instance)
        queue_recompute(request, trigger="region_change")


@admin.register(Segment)
class SegmentAdmin(AuditedAdmin, ImpactPreviewAdmin):
    impact_argument = "segment"
    fieldsets = (
        (None, {"fields": ("code", "name", "engagement_model", "position", "tam_assigned")}),
        (
            "Thresholds (evaluated by position, the first match wins)",
            {"fields": (("min_arr", "min_arr_inclusive"), ("lam_min_arr", "high_lam_usd"))},
        ),
    )
    list_display = (
        "position",
        "name",
        "code",
        "tam_assigned",
        "min_arr",
        "min_arr_inclusive",
        "lam_min_arr",
        "high_lam_usd",
    )
    list_display_links = ("name",)
    list_filter = ("tam_assigned",)
    search_fields = ("name", "code")
    ordering = ("position",)

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False
