"""Correcting a timeline entry from the account page (issue 12 point 3): the edit form,
the removal, both back to the timeline. The rules live in `accounts.entry_corrections`.

Outside the user's scope an entry is 404 (nothing leaks); in scope but neither theirs, nor
their team's as its manager, nor an admin's, 403 - as is an imported entry.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import entry_corrections
from accounts.forms import DateInput, EventDateMixin, _notes_field
from accounts.models import Activity, ActivityKind
from core.validators import supported_date
from portal.account_page import _account_for_user, _add_service_errors


class EntryEditForm(EventDateMixin, forms.Form):
    """The date as any logged date (`EventDateMixin`: the entry's account bounds it); the
    notes as the model keeps them (a success-plan change's hold its words too)."""

    occurred_on = forms.DateField(label="Date", widget=DateInput(), validators=[supported_date])
    nps = forms.IntegerField(label="NPS (0-10)", required=False, min_value=0, max_value=10)
    csat = forms.IntegerField(label="CSAT (1-5)", required=False, min_value=1, max_value=5)
    notes = _notes_field()

    def __init__(self, *args, activity: Activity, **kwargs):
        super().__init__(*args, account=activity.account, **kwargs)
        if activity.kind != ActivityKind.SURVEY_RESPONSE:
            del self.fields["nps"], self.fields["csat"]


def _entry_for_user(request, pk, entry_pk):
    """The entry and its account, 404 outside the scope, 403 when not the user's to correct."""
    account = _account_for_user(request, pk)
    activity = get_object_or_404(account.activities.select_related("logged_by"), pk=entry_pk)
    if not entry_corrections.may_correct(request.user, activity, account):
        raise PermissionDenied("Only who logged it, the team's manager or an admin may.")
    activity.account = account
    return account, activity


def _back(account):
    return redirect(f"{reverse('account_detail', args=[account.pk])}#timeline")


def edit_entry(request, pk, entry_pk):
    account, activity = _entry_for_user(request, pk, entry_pk)
    if request.method != "POST":
        initial = {field: getattr(activity, field) for field in ("occurred_on", "nps", "csat")}
        form = EntryEditForm(initial={**initial, "notes": activity.notes}, activity=activity)
        return _edit_page(request, account, activity, form)
    form = EntryEditForm(request.POST, activity=activity)
    if form.is_valid():
        try:
            entry_corrections.edit_entry(activity=activity, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Entry corrected.")
            return _back(account)
    return _edit_page(request, account, activity, form, status=400)


def _edit_page(request, account, activity, form, status=200):
    context = {"account": account, "activity": activity, "form": form}
    return render(request, "accounts/entry_edit.html", context, status=status)


@require_POST
def remove_entry(request, pk, entry_pk):
    account, activity = _entry_for_user(request, pk, entry_pk)
    entry_corrections.remove_entry(activity=activity, user=request.user)
    messages.success(request, "Entry removed.")
    return _back(account)
