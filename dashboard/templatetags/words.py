"""Template filters for the words people read instead of codes (DESIGN 12): thin wrappers
over the pure formatters, for the dashboard's and the portal's templates alike."""

from django import template

from ingestion.kinds import kind_label
from lib.fiscal import quarter_text
from lib.words import days_text, money_text
from metrics.target_words import NO_TARGET, metric_target_text, metric_value_text
from prioritization.reason_labels import reasons_sentence

register = template.Library()


@register.filter
def quarter(value):
    """A fiscal quarter or its stored label as people say it: "FY2027 Q4"."""
    return quarter_text(value)


@register.filter
def reasons(value):
    """`code;code` priority reasons as their labels, in the order the rules fired."""
    return reasons_sentence(value or "")


@register.filter
def import_kind(value):
    """An import's kind ("stage_adoptions") as people read it ("Stage adoptions")."""
    return kind_label(value or "")


@register.filter
def money(value):
    return "" if value is None else money_text(value)


@register.filter
def days(value):
    return "" if value is None else days_text(value)


@register.filter
def metric_figure(value, unit):
    return metric_value_text(value, unit)


@register.filter
def metric_target(target, row):
    """The target as a phrase: "target at least 80%", "target over 4.0 of 5", "no target".
    `row`: anything with the metric's `unit` and `direction` (a dashboard MetricRow)."""
    text = metric_target_text(target, row.unit, row.direction)
    return text if text == NO_TARGET else f"target {text}"
