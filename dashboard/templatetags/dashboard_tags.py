from django import template

from dashboard.services import display_number

register = template.Library()

_SUFFIX = {"share": "%", "days": " days"}
NO_DATA = "\N{EN DASH}"


@register.filter
def metric_value(value, unit):
    """A kept metric figure as people read it; a dash for "no data"."""
    number = display_number(value, unit)
    if number is None:
        return NO_DATA
    text = f"{number:g}" if unit != "count" else f"{number:.0f}"
    return f"{text}{_SUFFIX.get(unit, '')}"


@register.filter
def percent(value):
    return NO_DATA if value is None else f"{value:.0%}"


@register.filter
def hours(value):
    """Hours a week to at most two decimals: 26.7, 31.25."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
