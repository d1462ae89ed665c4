"""The book's table: its columns, how each cell renders and how each column sorts.

Cells render from the record's own fields and annotations (no query per row); sorting is
by annotation, always with name and id as tie-breakers so a page boundary and the export
agree. The default order (name) is the cheap one: a TAM's book is read through the (tam,
name) index. Sorting an admin's whole portfolio by a computed column (next call, last
EBR) evaluates the subqueries for every account: acceptable for an occasional view.
"""

from __future__ import annotations

from datetime import date

import django_tables2 as tables
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify

from accounts.models import Health, SuccessPlanState
from lib.words import date_text, health_text
from metrics.clock_targets import ClockTargets
from metrics.clocks import Clock, account_clocks
from prioritization.reason_labels import reasons_sentence
from rhythm.selectors import CadenceRule

from .labels import (
    CLOCK_SHORT,
    SUCCESS_PLAN_SHORT,
    account_flags,
    clock_state,
    health_input_age,
    usage_age,
)
from .query import cadence_of


def _ordered(queryset, is_descending, *expressions):
    """Sort by `expressions` with empty values last either way, then name and id, so
    equal values keep one order across pages and in the export."""
    keys = [
        expression.desc(nulls_last=True) if is_descending else expression.asc(nulls_last=True)
        for expression in expressions
    ]
    return queryset.order_by(*keys, "name", "pk"), True


def _rank(field: str, ranks: dict[str, int]) -> Case:
    whens = [When(**{field: value}, then=Value(rank)) for value, rank in ranks.items()]
    return Case(*whens, default=None, output_field=IntegerField())


def _span(css_class: str, text: str) -> str:
    return format_html('<span class="{}">{}</span>', css_class, text)


def _date(day: date | None) -> str:
    return date_text(day)


def _column(verbose_name, **kwargs):
    # Every cell is rendered from the record, empty values included (the render says how).
    return tables.Column(verbose_name=verbose_name, empty_values=(), **kwargs)


NUMERIC = {"th": {"class": "num"}, "td": {"class": "num"}}
ONE_LINE = {"td": {"class": "nowrap"}}


def _td_attrs(column) -> str:
    attrs = column.attrs["td"].as_html()
    return format_html(" {}", attrs) if attrs else ""


class BookTable(tables.Table):
    name = _column("Account")
    tam = _column("TAM")
    segment = _column("Segment")
    priority = _column("Priority", attrs=ONE_LINE)
    health = _column("Health", attrs=ONE_LINE)
    data_age = _column("Data age")
    arr = _column("ARR", attrs=NUMERIC)
    clocks = _column("Onboarding clocks", orderable=False)
    next_call = _column("Next cadence call")
    last_ebr = _column("Last EBR", attrs=ONE_LINE)
    success_plan = _column("Success plan")
    renewal_date = _column("Renewal", attrs=ONE_LINE)

    class Meta:
        order_by = ("name",)
        order_by_field = "sort"
        attrs = {"class": "data book-table"}
        template_name = "accounts/_book_table.html"

    def __init__(
        self, *args, today: date, clock_targets: ClockTargets, cadence: CadenceRule, **kwargs
    ):
        self.today = today
        self.clock_targets = clock_targets
        self.cadence = cadence
        super().__init__(*args, **kwargs)

    def body_rows(self):
        """The page's rows as HTML, from the render_ methods called directly: django-tables2's
        per-cell machinery (signature inspection, accessor lookups, a template node per
        cell) costs several times what the cells themselves do."""
        # Each cell names its column (data-label): a narrow screen shows the row as a card
        # with the names beside the values (portal.css, "Small screens").
        columns = [
            (_td_attrs(column), column.header, getattr(self, f"render_{column.name}"))
            for column in self.columns
        ]
        for row in self.page.object_list:
            cells = ((attrs, label, render(row.record)) for attrs, label, render in columns)
            yield format_html(
                "<tr>{}</tr>", format_html_join("", '<td{} data-label="{}">{}</td>', cells)
            )

    # rendering

    def render_name(self, record):
        link = format_html(
            '<a href="{}">{}</a>', reverse("account_detail", args=[record.pk]), record.name
        )
        flags = account_flags(record.arr, record.renewal_date, self.today)
        if not flags:
            return link
        # Under the name, where the cell wraps: a badge never widens the table.
        badges = format_html_join(
            " ", '<span class="flag flag-{}">{}</span>', ((slugify(flag), flag) for flag in flags)
        )
        return format_html("{}<br>{}", link, badges)

    def render_tam(self, record):
        return str(record.tam) if record.tam else "No TAM"

    def render_segment(self, record):
        segment = record.effective_segment
        if segment is None:
            return _span("muted", "None")
        if record.segment_override_id is None:
            return segment.name
        computed = record.segment.name if record.segment else "none"
        note = f"Pinned by an admin ({record.segment_override_reason}); computed: {computed}"
        return format_html(
            '{} <span class="pin" title="{}" aria-hidden="true">pinned</span>'
            '<span class="visually-hidden">: {}</span>',
            segment.name,
            note,
            note,
        )

    def render_priority(self, record):
        if record.priority is None:
            return _span("muted", "None")
        reasons = reasons_sentence(record.priority_reasons)
        return format_html(
            '<abbr class="priority pr{}" title="{}">Pr{}</abbr>'
            '<span class="visually-hidden"> because: {}</span>',
            record.priority,
            reasons,
            record.priority,
            reasons,
        )

    def render_health(self, record):
        # The computed band and its score (DESIGN 11), "Green 82"; blank: every measure N/A.
        if not record.health:
            return _span("muted", "Unknown")
        return format_html(
            '<span class="health health-{}">{}</span>',
            record.health,
            health_text(record.health, record.health_score),
        )

    def render_data_age(self, record):
        """How old the usage data and the health input are (DESIGN 10, "Freshness")."""
        usage = usage_age(record.usage_data_on, self.today)
        health = health_input_age(record.tam_sentiment_on, self.today)
        return format_html(
            '<small class="data-age"><span class="{}">{}</span><br><span class="{}">{}</span>'
            "</small>",
            "" if record.usage_data_on else "muted",
            usage[:1].upper() + usage[1:],
            "" if record.tam_sentiment_on else "muted",
            health[:1].upper() + health[1:],
        )

    def render_arr(self, record):
        return "" if record.arr is None else f"${record.arr:,.0f}"

    def render_clocks(self, record):
        clocks = account_clocks(record, self.clock_targets.for_account(record), self.today)
        if not clocks:
            return _span("muted", "No start date")
        if not any(clock.running for clock in clocks):
            onboard = clocks[-1]
            return format_html(
                '<span class="clock clock-done" title="Onboarded on {} (day {})">Onboarded</span>',
                _date(onboard.reached_on),
                onboard.days,
            )
        return format_html(
            '<ul class="clocks">{}</ul>',
            format_html_join("", "<li{}>{}</li>", (self._clock_item(c) for c in clocks)),
        )

    @staticmethod
    def _clock_item(clock: Clock):
        label, state = CLOCK_SHORT[clock.name], clock_state(clock)
        target = f" of {clock.target_days}" if clock.target_days is not None else ""
        text = {
            "reached": f"{label} ✓",
            "reached_late": f"{label} ✓ day {clock.days}{target}",
            "running": f"{label}: day {clock.days}{target}",
            "late": f"{label}: late, day {clock.days}{target}",
        }[state]
        title = f"{clock.label}: {state.replace('_', ' ')}, day {clock.days}{target}"
        attrs = format_html(' class="clock clock-{}" title="{}"', state.replace("_", "-"), title)
        return attrs, text

    def render_next_call(self, record):
        status = cadence_of(record, self.cadence, self.today)
        if status is None:
            return _span("muted", "No cadence")
        if status.never_called:
            return _span("overdue", "No call yet: overdue")
        if status.overdue:
            return format_html(
                '<span class="overdue">Overdue {} day{}</span> <small>(due {})</small>',
                status.overdue_days,
                "" if status.overdue_days == 1 else "s",
                _date(status.due_on),
            )
        if status.due_on == self.today:
            return _span("due", "Due today")
        return f"Due {_date(status.due_on)}"

    def render_last_ebr(self, record):
        if record.last_ebr is None:
            return _span("muted", "Never")
        return _date(record.last_ebr)

    def render_success_plan(self, record):
        state = SuccessPlanState(record.success_plan)
        qualified = ", management-qualified" if record.success_plan_management_qualified else ""
        return format_html(
            '<span class="plan plan-{}" title="{}{}">{}</span>',
            state.value,
            state.label,
            qualified,
            SUCCESS_PLAN_SHORT[state],
        )

    def render_renewal_date(self, record):
        if record.renewal_date is None:
            return _span("muted", "Unknown")
        return _date(record.renewal_date)

    # ordering: annotations only, never Python over the rows

    def order_name(self, queryset, is_descending):
        return queryset.order_by(*(("-name", "-pk") if is_descending else ("name", "pk"))), True

    def order_tam(self, queryset, is_descending):
        return _ordered(queryset, is_descending, F("tam__first_name"), F("tam__last_name"))

    def order_segment(self, queryset, is_descending):
        position = Coalesce("segment_override__position", "segment__position")
        return _ordered(queryset, is_descending, position)

    def order_priority(self, queryset, is_descending):
        return _ordered(queryset, is_descending, F("priority"))

    def order_health(self, queryset, is_descending):
        # Worst first when ascending: by band, then by score within it; unknown last.
        ranks = {Health.RED: 0, Health.YELLOW: 1, Health.GREEN: 2}
        return _ordered(queryset, is_descending, _rank("health", ranks), F("health_score"))

    def order_data_age(self, queryset, is_descending):
        # Oldest usage data first when ascending (the stalest is what needs chasing).
        return _ordered(queryset, is_descending, F("usage_data_on"))

    def order_arr(self, queryset, is_descending):
        return _ordered(queryset, is_descending, F("arr"))

    def order_next_call(self, queryset, is_descending):
        # Never called first (overdue with no date), then by the day the next call is due.
        rank = self.cadence.never_called_first()
        return _ordered(queryset, is_descending, rank, F("next_call_due"))

    def order_last_ebr(self, queryset, is_descending):
        return _ordered(queryset, is_descending, F("last_ebr"))

    def order_success_plan(self, queryset, is_descending):
        ranks = {state: rank for rank, state in enumerate(SUCCESS_PLAN_SHORT)}
        return _ordered(queryset, is_descending, _rank("success_plan", ranks))

    def order_renewal_date(self, queryset, is_descending):
        return _ordered(queryset, is_descending, F("renewal_date"))
