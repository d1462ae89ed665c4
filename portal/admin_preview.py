"""Admin pages that show what a rule change would move before it is saved (DESIGN 3, 4).

Saving an edited segment threshold or rule parameter first shows the preview: which
fields change, how many accounts would move from which segment to which and from which
priority to which, then each account that would move and each TAM whose accounts move,
50 rows a page. The admin then confirms (the same form data is posted again and saved)
or goes back. A saved change asks for a recompute of every account.

Paging and sorting post the same form data again, with the page and the order asked
for: the preview is computed afresh from the edit, as the first time, and nothing is
saved (only the confirm button carries `CONFIRM`). Nothing is kept between requests, so
a page is never stale nor another admin's: it costs one preview pass (about 2 s at
100,000 accounts, `bench/run preview`).

The preview's words (money, shares, segment names, priorities, reasons) are formatted
here, for this page; the reasons read as `prioritization.reason_labels` words.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.template.response import TemplateResponse
from django.urls import reverse

from orchestration.preview import (
    ACCOUNT_SORTS,
    DEFAULT_ACCOUNT_SORT,
    AccountMove,
    Impact,
    account_names,
    preview_impact,
)
from orchestration.tasks import request_full_run
from prioritization.reason_labels import reason_label

CONFIRM = "_confirm_impact"
PAGE_SIZE = 50
# The preview's own state, posted back with the form data; `GO` is the button pressed:
# "page=N", "tam_page=N" or "sort=COLUMN".
SORT, PAGE, TAM_PAGE, GO = "_impact_sort", "_impact_page", "_impact_tam_page", "_impact_go"
PASS_THROUGH_SKIPPED = {"csrfmiddlewaretoken", CONFIRM, SORT, PAGE, TAM_PAGE, GO}
ACCOUNT_COLUMNS = (
    ("name", "Account"), ("tam", "TAM"), ("region", "Region"), ("arr", "ARR"),
    ("segment", "Segment"), ("priority", "Priority"),
)  # fmt: skip


def queue_recompute(request, trigger: str, what: str = "segment and priority") -> None:
    """Ask for a recompute of every account, stored with the save (delivered after its
    commit; a broker that is down only delays it)."""
    request_full_run(trigger)
    messages.info(request, f"Saved. The recompute of every account's {what} will follow shortly.")


class ImpactPreviewAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves go through the impact preview; subclasses say what to pass
    (`impact_argument`), or compute their own impact (`impact_context`, with its template
    extending impact_preview.html)."""

    impact_argument = ""  # the `preview_impact` keyword the edited object is passed as
    impact_template = "admin/impact_preview.html"
    recompute_trigger, recompute_what = "threshold_change", "segment and priority"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and CONFIRM not in request.POST:
            preview = self._preview(request, object_id)
            if preview is not None:
                return preview
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _preview(self, request, object_id):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        allowed = (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        form_class = self.get_form(request, obj, change=obj is not None)
        form = form_class(request.POST, request.FILES, instance=obj)
        if not form.is_valid() or not form.has_changed():
            return None  # the normal view shows the errors, or saves a no-op
        before = {name: form.initial.get(name) for name in form.changed_data}
        candidate = form.save(commit=False)
        changes = [
            (
                form.fields[name].label or name,
                readable(name, before[name], form.fields[name]),
                readable(name, form.cleaned_data[name], form.fields[name]),
            )
            for name in form.changed_data
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"What saving this {self.model._meta.verbose_name} would change",
            "original": obj,
            "changes": changes,
            "posted": [
                (key, value)
                for key, values in request.POST.lists()
                if key not in PASS_THROUGH_SKIPPED
                for value in values
            ],
            "confirm_name": CONFIRM,
            "sort_field": SORT,
            "page_field": PAGE,
            "tam_page_field": TAM_PAGE,
            "go_field": GO,
            **self.impact_context(candidate, request.POST),
        }
        return TemplateResponse(request, self.impact_template, context)

    def impact_context(self, candidate, post) -> dict:
        """What the edit would move, ready for the template: segments and priorities."""
        impact = preview_impact(**{self.impact_argument: candidate})
        return {
            "impact": impact,
            "impact_segment_moves": [
                (segment_name(impact, before), segment_name(impact, after), count)
                for before, after, count in impact.segment_moves
            ],
            **moved_lists(impact, view_state(post)),
        }

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        queue_recompute(request, trigger=self.recompute_trigger, what=self.recompute_what)


# --- the lists of what moves ---------------------------------------------------------------


def view_state(post, sorts=ACCOUNT_SORTS, default_sort=DEFAULT_ACCOUNT_SORT) -> dict:
    """The order and pages asked for: the state posted back, then the button pressed.
    Anything unknown falls back to the default (a sort) or the nearest page."""
    state = {
        "sort": post.get(SORT) or default_sort,
        "page": post.get(PAGE) or 1,
        "tam_page": post.get(TAM_PAGE) or 1,
    }
    name, _, value = (post.get(GO) or "").partition("=")
    if name == "sort" and value:
        # The column pressed again reverses it; a new column starts from the top page.
        state["sort"] = f"-{value}" if state["sort"] == value else value
        state["page"] = 1
    elif name in ("page", "tam_page"):
        state[name] = value
    if state["sort"].removeprefix("-") not in sorts:
        state["sort"] = default_sort
    return state


def moved_lists(impact: Impact, state: dict) -> dict:
    """The page of moving accounts and the page of TAMs asked for, ready to show (the
    names of the page's accounts read in one query)."""
    accounts = Paginator(impact.sorted_moves(state["sort"]), PAGE_SIZE).get_page(state["page"])
    names = account_names([move.account_id for move in accounts])
    tams = Paginator(impact.tams, PAGE_SIZE).get_page(state["tam_page"])
    return {
        "sort": state["sort"],
        "accounts_page": accounts,
        "account_rows": [account_row(impact, move, names) for move in accounts],
        "account_headers": [
            (column, label, aria_sort(column, state["sort"])) for column, label in ACCOUNT_COLUMNS
        ],
        "tams_page": tams,
    }


def aria_sort(column: str, sort: str) -> str:
    if sort == column:
        return "ascending"
    return "descending" if sort == f"-{column}" else ""


def account_row(impact: Impact, move: AccountMove, names: dict[int, str]) -> dict:
    return {
        "name": names.get(move.account_id, f"Account {move.account_id}"),
        "url": reverse("account_detail", args=[move.account_id]),
        "tam": impact.tam_names.get(move.tam_id, "") if move.tam_id else "",
        "region": impact.region_names.get(move.region_id, ""),
        "arr": money(move.arr),
        "segment": _before_after(
            segment_name(impact, move.segment_before), segment_name(impact, move.segment_after)
        ),
        "priority": _before_after(
            priority_name(move.priority_before), priority_name(move.priority_after)
        ),
        "priority_moves": move.priority_before != move.priority_after,
        "reasons": "; ".join(reason_label(code) for code in move.reasons),
    }


def _before_after(before: str, after: str) -> str:
    return f"{before} → {after}" if before != after else f"{after} (unchanged)"


# --- words ---------------------------------------------------------------------------------


def segment_name(impact: Impact, code: str | None) -> str:
    if code is None:
        return "No segment"
    return impact.segment_names.get(code, code)


def priority_name(priority: int | None) -> str:
    return f"Pr{priority}" if priority else "Not assessed"


def money(amount) -> str:
    return f"${amount:,.0f}"


def _choice_labels(choices) -> dict[str, str]:
    labels = {}
    for key, label in choices:
        if isinstance(label, list | tuple):  # a group of choices
            labels.update(_choice_labels(label))
        else:
            labels[str(key)] = str(label)
    return labels


def readable(name: str, value, form_field) -> str:
    """A changed field's value as a person reads it: amounts in dollars, shares in percent,
    yes or no, numbers without trailing zeros."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(form_field, forms.ModelChoiceField):  # the value before is the row's key
        return str(form_field.queryset.filter(pk=value).first() or value)
    if isinstance(form_field, forms.ChoiceField):
        return str(_choice_labels(form_field.choices).get(str(value), value))
    if isinstance(value, Decimal | int | float):
        return _number(name, value, form_field)
    return str(value)


def _number(name: str, value, form_field) -> str:
    if "(USD)" in str(form_field.label or "") or name.endswith(("_arr", "_usd")):
        return money(value)
    if name.endswith("_share"):
        return f"{Decimal(value) * 100:.1f}%".replace(".0%", "%")
    if name.endswith("_percent"):
        return f"{Decimal(value).normalize():f}%"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)
