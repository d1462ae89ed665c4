"""Admin pages that reach into more than one domain (layer 4 of DESIGN 13).

Saving a segment threshold, a region or its rule parameters changes every account's
segment or priority: these pages show the impact before saving (`admin_preview`) and
queue a recompute after, so they sit above the orchestration rather than in a domain app.
A segment's code is what the rules and metrics know it by: it is fixed once created
(names, positions and thresholds stay editable), and a segment is never deleted here.
"""

from django import forms
from django.contrib import admin

from accounts.models import Region
from core.audit_admin import AuditedAdmin
from lib.rule_sets import RuleSet
from prioritization.admin import RULE_PARAMETER_FIELDSETS, RuleSetParametersForm
from prioritization.models import RuleSetParameters
from segments.models import Segment

from .admin_preview import ImpactPreviewAdmin, queue_recompute
from .health_admin import HealthScorecardPreviewAdmin  # noqa: F401 (registers it)


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

    def get_fieldsets(self, request, obj=None):
        # A region's rules read only its rule set's parameters: the others would be
        # edited to no effect. A new row (region not chosen yet) shows them all.
        if obj is None:
            return super().get_fieldsets(request, obj)
        return ((None, {"fields": ("region",)}), *_fieldsets_of(RuleSet(obj.region.rule_set)))


def _fieldsets_of(rule_set: RuleSet) -> tuple:
    own = tuple(fieldset for fieldset in RULE_PARAMETER_FIELDSETS if fieldset[0] == rule_set.label)
    if rule_set is RuleSet.US_ENTERPRISE:
        # US Enterprise accounts show the LAM headroom as context (DESIGN 4).
        own += (("Context on the account page", {"fields": ("lam_headroom_percent",)}),)
    return own


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


class SegmentForm(forms.ModelForm):
    """Keeps the ARR thresholds in the order the segments are evaluated in.

    The first matching segment wins (DESIGN 3), so a segment whose threshold is above
    the one of a segment evaluated before it could never be reached by ARR alone.
    """

    def clean(self):
        cleaned_data = super().clean()
        position = cleaned_data.get("position")
        min_arr = cleaned_data.get("min_arr")
        if position is None or min_arr is None:
            return cleaned_data
        others = Segment.objects.exclude(pk=self.instance.pk)
        before = others.filter(position__lt=position, min_arr__lt=min_arr).order_by("-position")
        after = others.filter(position__gt=position, min_arr__gt=min_arr).order_by("position")
        if (earlier := before.first()) is not None:
            self.add_error("min_arr", _out_of_order(earlier, "above", "before"))
        elif (later := after.first()) is not None:
            self.add_error("min_arr", _out_of_order(later, "below", "after"))
        return cleaned_data


def _out_of_order(other: Segment, side: str, when: str) -> str:
    return (
        f"This threshold is {side} {other.name}'s ({other.min_arr:,.2f} USD), which is "
        f"evaluated {when} this segment: the thresholds must fall with the position."
    )


@admin.register(Segment)
class SegmentAdmin(AuditedAdmin, ImpactPreviewAdmin):
    impact_argument = "segment"
    form = SegmentForm
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
