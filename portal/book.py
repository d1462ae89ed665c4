"""The book of business (DESIGN section 1): a TAM's accounts, or a manager's or admin's
scope, as one sortable, filterable table with a CSV export of exactly what it shows.

Every row's figures come from the page query itself: the related rows are joined
(`select_related`), the last cadence call and last EBR are correlated subqueries over the
activity index (account, kind, occurred_on), and the next cadence call is computed in SQL
from the interval rule of `rhythm/workload.py`. The onboarding clocks are the pure
`metrics/clocks.py` over the row's dates and the targets read once per request. So the
page costs the same handful of queries whatever the size of the book, and so does the
export (a server-side cursor on PostgreSQL).

Sorting is by annotation, always with name and id as tie-breakers so a page boundary and
the export agree. The default order (name) is the cheap one: a TAM's book is read through
the (tam, name) index. Sorting an admin's whole portfolio by a computed column (next call,
last EBR) evaluates the subqueries for every account: acceptable for an occasional view.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta

import django_filters
import django_tables2 as tables
from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Case, DateField, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce
from django.forms.utils import flatatt
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join

from accounts.csv_format import format_cell
from accounts.models import Account, Activity, ActivityKind, Health, RuleSet, SuccessPlanState
from metrics.clocks import Clock, account_clocks
from metrics.models import CLOCK_METRICS, MetricDefinition, MetricTarget
from people.models import Role, User
from rhythm.workload import cadence_interval_days
from segments.models import Segment

BOOK_PAGE_SIZE = 50
EXPORT_CHUNK_SIZE = 2000
PRIORITIES = (1, 2, 3, 4)

# Short, parameter-free labels of the reason codes prioritization/rules.py writes (the
# rules' own descriptions carry the region's numbers; the account page shows those).
REASON_LABELS = {
    # precedence (DESIGN 4, steps 1-5)
    "unmanaged_child": "Unmanaged child account",
    "digital": "Digital-Only or no segment",
    "onboarding": "Customer in onboarding",
    "onboarding_segment": "Onboarding segment",
    "onboarding_complete": "Onboarding segment, onboarding complete",
    "exception": "Approved priority exception",
    "p1_exception": "Pr1 by approved exception",
    "p2_exception": "Pr2 by approved exception",
    "review": "Set by the manager's quarterly review",
    # US Enterprise flowchart
    "uptier_opportunity": "Up-tier opportunity closing soon",
    "stage_adoption": "Stage adoption needing TAM hours",
    "infra_change": "Infrastructure change",
    "churn_risk": "At risk of contraction or churn",
    # EMEA Enterprise scoring
    "org_change": "Organisational change",
    "lifecycle_onboarding": "Still onboarding most users",
    "weekly_engagement": "Wishes weekly engagement",
    "lam_gap": "LAM well above ARR",
    "expansion_play": "Stage adoption or expansion play",
    "tam_handover": "TAM handover",
    "emea_parameters": "Among the TAM's top accounts by score",
    "over_cap": "Scored, but beyond the TAM's Pr1 cap",
    "default": "No Pr1 criterion met",
    # Commercial qualification
    "top_arr": "Top account of the region by ARR",
    "no_objectives": "Success plan missing or unclear",
    "critical_project": "Critical project in the success plan",
    "key_logo": "Key logo or case study",
    "channel": "Channel partner engaged",
    "low_stage_adoption": "Few stages adopted for its ARR",
}

SUCCESS_PLAN_SHORT = {
    SuccessPlanState.NONE: "None",
    SuccessPlanState.UNCLEAR: "Unclear",
    SuccessPlanState.OBJECTIVES: "Objectives",
    SuccessPlanState.GREEN: "Green",
}
CLOCK_SHORT = {"first_engage": "Engaged", "first_value": "Value", "onboard": "Onboarded"}


def reason_codes(reasons_text: str) -> list[str]:
    return [code for code in reasons_text.split(";") if code]


def reason_labels(reasons_text: str) -> list[str]:
    return [REASON_LABELS.get(code, code) for code in reason_codes(reasons_text)]


def clock_state(clock: Clock) -> str:
    """`reached`, `reached_late` (after its target), `running` or `late` (running past it)."""
    if clock.running:
        return "late" if clock.late else "running"
    return "reached_late" if clock.within_target is False else "reached"


# --- reading the book ------------------------------------------------------------------


def _last_activity(kind: str, today: date) -> Subquery:
    """The day of the account's latest activity of `kind` up to today (future-dated
    entries do not count, as in rhythm.services.due_touchpoints)."""
    return Subquery(
        Activity.objects.filter(account=OuterRef("pk"), kind=kind, occurred_on__lte=today)
        .order_by("-occurred_on")
        .values("occurred_on")[:1],
        output_field=DateField(),
    )


def _next_cadence_call_due(today: date) -> Case:
    """Last call + the priority's interval (rhythm.workload.cadence_interval_days); never
    called: due today. NULL where the priority has no cadence calls."""
    commercial = Q(region__rule_set=RuleSet.COMMERCIAL)
    whens = []
    for priority in PRIORITIES:
        for is_commercial in (True, False):
            interval = cadence_interval_days(priority, is_commercial)
            if interval is None:
                continue
            due = Cast(F("last_cadence_call") + timedelta(days=interval), DateField())
            whens.append(
                When(
                    Q(priority=priority) & (commercial if is_commercial else ~commercial),
                    then=Coalesce(due, Value(today), output_field=DateField()),
                )
            )
    return Case(*whens, default=None, output_field=DateField())


def book_queryset(user, today: date):
    """The user's scope with every column the book shows, in the default order (name)."""
    return (
        Account.objects.visible_to(user)
        .select_related("region", "segment", "segment_override", "tam")
        .annotate(
            last_cadence_call=_last_activity(ActivityKind.CADENCE_CALL, today),
            last_ebr=_last_activity(ActivityKind.EBR, today),
        )
        .annotate(next_call_due=_next_cadence_call_due(today))
        .order_by("name", "pk")
    )


class ClockTargets:
    """Every segment's onboarding-clock targets (the metric targets, else the metric's
    default), read once in 2 queries for the whole book."""

    def __init__(self):
        self.defaults = {
            key: int(value) if value is not None else None
            for key, value in MetricDefinition.objects.filter(key__in=CLOCK_METRICS).values_list(
                "key", "default_target"
            )
        }
        self.by_segment: dict[int, dict[str, int | None]] = {}
        for segment_id, key, target in MetricTarget.objects.filter(
            metric__key__in=CLOCK_METRICS
        ).values_list("segment_id", "metric__key", "target"):
            self.by_segment.setdefault(segment_id, dict(self.defaults))[key] = int(target)

    def for_account(self, account: Account) -> dict[str, int | None]:
        segment_id = account.segment_override_id or account.segment_id
        return self.by_segment.get(segment_id, self.defaults)


def cadence_overdue_days(account: Account, today: date) -> int | None:
    due = account.next_call_due
    return (today - due).days if due is not None and due < today else None


# --- filters ---------------------------------------------------------------------------


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


class BookFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Account name contains"
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
    overdue = django_filters.BooleanFilter(
        label="Cadence call overdue",
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
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
        return queryset.filter(health="" if value == "unknown" else value)

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(next_call_due__lt=self.today)


# --- the table -------------------------------------------------------------------------


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
    return day.strftime("%d %b %Y") if day else ""


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

    def __init__(self, *args, today: date, clock_targets: ClockTargets, **kwargs):
        self.today = today
        self.clock_targets = clock_targets
        super().__init__(*args, **kwargs)

    def body_rows(self):
        """The page's rows as HTML, from the render_ methods called directly: django-tables2's
        per-cell machinery (signature inspection, accessor lookups, a template node per
        cell) costs several times what the cells themselves do."""
        columns = [
            (_td_attrs(column), getattr(self, f"render_{column.name}")) for column in self.columns
        ]
        for row in self.page.object_list:
            cells = ((attrs, render(row.record)) for attrs, render in columns)
            yield format_html("<tr>{}</tr>", format_html_join("", "<td{}>{}</td>", cells))

    # rendering

    def render_name(self, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("account_detail", args=[record.pk]), record.name
        )

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
        reasons = "; ".join(reason_labels(record.priority_reasons)) or "no reason recorded"
        return format_html(
            '<abbr class="priority pr{}" title="{}">Pr{}</abbr>'
            '<span class="visually-hidden"> because: {}</span>',
            record.priority,
            reasons,
            record.priority,
            reasons,
        )

    def render_health(self, record):
        if not record.health:
            return _span("muted", "Unknown")
        return format_html(
            '<span class="health health-{}">{}</span>', record.health, record.get_health_display()
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
        due = record.next_call_due
        if due is None:
            return _span("muted", "No cadence")
        if record.last_cadence_call is None:
            return _span("due", "No call yet: due now")
        overdue = cadence_overdue_days(record, self.today)
        if overdue:
            return format_html(
                '<span class="overdue">Overdue {} day{}</span> <small>(due {})</small>',
                overdue,
                "" if overdue == 1 else "s",
                _date(due),
            )
        if due == self.today:
            return _span("due", "Due today")
        return f"Due {_date(due)}"

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
        # Worst first when ascending.
        ranks = {Health.RED: 0, Health.YELLOW: 1, Health.GREEN: 2}
        return _ordered(queryset, is_descending, _rank("health", ranks))

    def order_arr(self, queryset, is_descending):
        return _ordered(queryset, is_descending, F("arr"))

    def order_next_call(self, queryset, is_descending):
        return _ordered(queryset, is_descending, F("next_call_due"))

    def order_last_ebr(self, queryset, is_descending):
        return _ordered(queryset, is_descending, F("last_ebr"))

    def order_success_plan(self, queryset, is_descending):
        ranks = {state: rank for rank, state in enumerate(SUCCESS_PLAN_SHORT)}
        return _ordered(queryset, is_descending, _rank("success_plan", ranks))

    def order_renewal_date(self, queryset, is_descending):
        return _ordered(queryset, is_descending, F("renewal_date"))


# --- views -----------------------------------------------------------------------------


def _book_table(request, today: date) -> tuple[BookTable, BookFilter]:
    """The filtered, sorted table both the page and the export read."""
    filterset = BookFilter(
        request.GET, queryset=book_queryset(request.user, today), request=request, today=today
    )
    table = BookTable(
        filterset.qs,
        today=today,
        clock_targets=ClockTargets(),
        exclude=() if sees_many_books(request.user) else ("tam",),
        # One column at a time: the header links offer no more. None: Meta's (name).
        order_by=request.GET.get("sort", "").split(",")[0] or None,
    )
    return table, filterset


def _filters_active(request, filterset) -> bool:
    return any(request.GET.get(name) for name in filterset.filters)


class _CountedPaginator(Paginator):
    """A paginator told its count, so the page does not count the annotated queryset."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _matching_accounts(request, filterset, today: date) -> int:
    """How many accounts the filters leave, counted without the book's columns.

    The annotations (last calls, next call due) join the region and scan the timeline;
    counting through them cost more than the page itself for a company-wide book. Only
    the overdue filter needs them.
    """
    if filterset.form.is_valid() and filterset.form.cleaned_data.get("overdue"):
        return filterset.qs.count()
    lean = BookFilter(
        request.GET,
        queryset=Account.objects.visible_to(request.user),
        request=request,
        today=today,
    )
    return lean.qs.count()


def book(request):
    today = timezone.localdate()
    table, filterset = _book_table(request, today)
    total = _matching_accounts(request, filterset, today)
    # The page size stays 50 whatever the query string says (no per_page).
    page_number = request.GET.get("page", 1)
    paging = {"paginator_class": _CountedPaginator, "per_page": BOOK_PAGE_SIZE, "count": total}
    try:
        table.paginate(page=page_number, **paging)
    except PageNotAnInteger:
        table.paginate(page=1, **paging)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)
    filtered = _filters_active(request, filterset)
    # Only an empty result needs to know whether the scope itself is empty.
    scope_empty = total == 0 and (
        not filtered or not Account.objects.visible_to(request.user).exists()
    )
    export_query = request.GET.copy()
    export_query.pop("page", None)
    context = {
        "table": table,
        "filter": filterset,
        "total": total,
        "filtered": filtered,
        "scope_empty": scope_empty,
        "export_query": export_query.urlencode(),
        "sort": request.GET.get("sort", ""),
        "many_books": sees_many_books(request.user),
    }
    return render(request, "accounts/book.html", context)


EXPORT_COLUMNS = (
    "external_id", "name", "tam_email", "region", "segment", "segment_pinned", "priority",
    "priority_reasons", "health", "arr", "customer_since", "first_engage_clock",
    "first_value_clock", "onboard_clock", "last_cadence_call", "next_cadence_call_due",
    "cadence_call_overdue_days", "last_ebr", "success_plan", "renewal_date",
)  # fmt: skip


def _spreadsheet_safe(text: str) -> str:
    """A leading =, +, - or @ would make a spreadsheet run the cell as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_row(account: Account, targets: ClockTargets, today: date) -> list[str]:
    clocks = account_clocks(account, targets.for_account(account), today)
    states = {clock.name: clock_state(clock) for clock in clocks}
    segment = account.effective_segment
    return [
        format_cell(value)
        for value in (
            account.external_id,
            _spreadsheet_safe(account.name),
            account.tam.email if account.tam else "",
            account.region.code,
            segment.code if segment else "",
            account.segment_override_id is not None,
            f"Pr{account.priority}" if account.priority else "",
            account.priority_reasons,
            account.health,
            account.arr,
            account.customer_since,
            states.get("first_engage", ""),
            states.get("first_value", ""),
            states.get("onboard", ""),
            account.last_cadence_call,
            account.next_call_due,
            cadence_overdue_days(account, today),
            account.last_ebr,
            account.success_plan,
            account.renewal_date,
        )
    ]


class _Echo:
    """csv.writer writes into this and gets the line back, for streaming."""

    def write(self, value):
        return value


def book_export(request):
    """Every row of the filtered, sorted book (not just one page), streamed as CSV."""
    today = timezone.localdate()
    table, _ = _book_table(request, today)
    accounts = table.data.data  # the filtered queryset in the table's order
    targets = table.clock_targets
    writer = csv.writer(_Echo(), lineterminator="\n")

    def lines():
        yield writer.writerow(EXPORT_COLUMNS)
        for account in accounts.iterator(chunk_size=EXPORT_CHUNK_SIZE):
            yield writer.writerow(export_row(account, targets, today))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="book-{today.isoformat()}.csv"'
    return response
