"""The book's filters: name, TAM (for people who see several books), priority, segment,
health, flag (churned, renewal passed) and "Cadence call overdue" (the rule of
`rhythm.selectors.CadenceRule`, the one the dashboard's burn-down lists read)."""

from __future__ import annotations

from datetime import date

import django_filters
from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from accounts.models import Account, Health
from core.forms import BoundedCharField
from people.models import Role, User
from rhythm.selectors import CadenceRule
from segments.models import Segment

PRIORITIES = (1, 2, 3, 4)


def tams_in_scope(user):
    """The TAMs whose books the user may filter by: a manager's team, every TAM for an
    admin; nobody for a TAM (their book is one TAM's)."""
    if user.is_portal_admin:
        return User.objects.filter(role=Role.TAM).order_by("first_name", "last_name", "username")
    if user.role == Role.MANAGER:
        return User.objects.filter(team__manager=user).order_by(
            "first_name", "last_name", "username"
        )
    return User.objects.none()


def sees_many_books(user) -> bool:
    return user.is_portal_admin or user.role == Role.MANAGER


class _LongSelect(forms.Select):
    """A select rendered in one pass. An admin's TAM list has thousands of options, and
    Django's template per option costs a fraction of a millisecond each."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = {str(item) for item in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(option), " selected" if str(option) in selected else "", label)
                for option, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


class _NameFilter(django_filters.CharFilter):
    field_class = BoundedCharField  # no name is longer than the model's (issue 12 point 7)


class BookFilter(django_filters.FilterSet):
    q = _NameFilter(
        field_name="name",
        lookup_expr="icontains",
        label="Account name contains",
        max_length=Account._meta.get_field("name").max_length,
    )
    tam = django_filters.ModelChoiceFilter(
        queryset=lambda request: tams_in_scope(request.user),
        label="TAM",
        empty_label="Any TAM",
        widget=_LongSelect,
    )
    priority = django_filters.ChoiceFilter(
        choices=[(p, f"Pr{p}") for p in PRIORITIES],
        label="Priority",
        empty_label="Any priority",
        null_label="No priority",
    )
    segment = django_filters.ModelChoiceFilter(
        queryset=Segment.objects.order_by("position"),
        label="Segment",
        empty_label="Any segment",
        method="filter_segment",
    )
    health = django_filters.ChoiceFilter(
        choices=[*Health.choices, ("unknown", "Unknown")],
        label="Health",
        empty_label="Any health",
        method="filter_health",
    )
    flag = django_filters.ChoiceFilter(
        choices=[("churned", "Churned"), ("renewal_passed", "Renewal passed")],
        label="Flag",
        empty_label="Any flag",
        method="filter_flag",
    )
    overdue = django_filters.BooleanFilter(
        label="Cadence call overdue",
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )

    def __init__(self, *args, today: date, cadence: CadenceRule, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.cadence = cadence
        user = self.request.user
        if not sees_many_books(user):
            del self.filters["tam"]
        elif user.is_portal_admin:
            # Only an admin's scope holds accounts nobody owns.
            self.filters["tam"].extra["null_label"] = "No TAM"

    def filter_segment(self, queryset, name, segment):
        # The effective segment: an admin's pin wins over the computed one.
        pinned = Q(segment_override=segment)
        return queryset.filter(pinned | Q(segment_override__isnull=True, segment=segment))

    def filter_health(self, queryset, name, value):
        # The computed band (DESIGN 11); "unknown" is the blank band, every measure N/A.
        return queryset.filter(health="" if value == "unknown" else value)

    def filter_overdue(self, queryset, name, value):
        """Never called or past the next call due; reads the `last_cadence_call` the
        book's queryset annotates."""
        if not value:
            return queryset
        return queryset.filter(self.cadence.overdue_q(self.today))

    def filter_flag(self, queryset, name, value):
        """The rows whose badge says so (`labels.account_flags`: ARR exactly 0; renewal
        dated before today)."""
        if value == "churned":
            return queryset.filter(arr=0)
        return queryset.filter(renewal_date__lt=self.today)
