from django import template

from metrics.target_words import metric_value_text

register = template.Library()

NO_DATA = "\N{EN DASH}"


@register.filter
def metric_value(value, unit):
    """A kept metric figure as people read it ("50%", "4.0 of 5", "45 days"); a dash for
    "no data"."""
    if value is None:
        return NO_DATA
    return metric_value_text(value, unit)


@register.filter
def percent(value):
    return NO_DATA if value is None else f"{value:.0%}"


@register.filter
def hours(value):
    """Hours a week to at most two decimals: 26.7, 31.25."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
