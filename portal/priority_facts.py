"""Keeping the priority facts from the account page (DESIGN 12, issue 12 point 2): the
account's own facts, its initiatives this quarter and its open opportunities.

Whoever sees the account keeps its facts (its TAM, the team's manager, an admin); outside
the scope the account is 404, and so is an initiative or opportunity of another account.
On success the page comes back at the facts, recomputed; on error the browser goes back
to the account page at the form, which comes back as typed with its errors beside the
fields (`core.rejected_forms`). The rules live in `accounts.priority_facts` and
`accounts.fact_records`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import fact_records, priority_facts
from accounts.fact_forms import InitiativeAddForm, InitiativeChangeForm, OpportunityChangeForm
from accounts.forms import PriorityFactForm
from accounts.models import InitiativeStatus, OpportunityStatus
from core import rejected_forms
from portal.account_page import _account_for_user, _add_service_errors


@require_POST
def set_fact(request, pk, fact):
    if fact not in priority_facts.FACTS:
        raise Http404("No such priority fact.")
    account = _account_for_user(request, pk)
    chosen = priority_facts.FACTS[fact]
    form = PriorityFactForm(request.POST, fact=chosen, current=getattr(account, chosen.field))
    if form.is_valid():
        try:
            priority_facts.set_fact(
                account=account, user=request.user, fact=fact, **form.cleaned_data
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, f"{chosen.label} set; the priority is recomputed.")
            return _back_at_the_facts(account)
    return _rejected(request, account, form, f"fact-{fact}", f"“{chosen.label}” was not set.")


@require_POST
def add_initiative(request, pk):
    account = _account_for_user(request, pk)
    form = InitiativeAddForm(request.POST)
    if form.is_valid():
        try:
            fact_records.add_initiative(account=account, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Initiative added; the priority is recomputed.")
            return _back_at_the_facts(account)
    return _rejected(request, account, form, form.prefix, "The initiative was not added.")


@require_POST
def change_initiative(request, pk, initiative_pk):
    account = _account_for_user(request, pk)
    initiative = get_object_or_404(account.initiatives, pk=initiative_pk)
    if initiative.status != InitiativeStatus.ACTIVE:
        return _already_ended(request, account, "This initiative has ended already")
    form = InitiativeChangeForm(request.POST, initiative=initiative)
    if form.is_valid():
        try:
            fact_records.change_initiative(
                account=account,
                user=request.user,
                initiative_id=initiative.pk,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Initiative changed; the priority is recomputed.")
            return _back_at_the_facts(account)
    return _rejected(request, account, form, form.prefix, "The initiative was not changed.")


@require_POST
def change_opportunity(request, pk, opportunity_pk):
    account = _account_for_user(request, pk)
    opportunity = get_object_or_404(account.opportunities, pk=opportunity_pk)
    if opportunity.status != OpportunityStatus.OPEN:
        return _already_ended(request, account, "This opportunity is closed already")
    form = OpportunityChangeForm(request.POST, opportunity=opportunity)
    if form.is_valid():
        try:
            fact_records.change_opportunity(
                account=account,
                user=request.user,
                opportunity_id=opportunity.pk,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Opportunity changed; the priority is recomputed.")
            return _back_at_the_facts(account)
    return _rejected(request, account, form, form.prefix, "The opportunity was not changed.")


def _rejected(request, account, form, form_id, not_saved):
    return rejected_forms.reject(
        request,
        form,
        form_id=form_id,
        back_to=reverse("account_detail", args=[account.pk]),
        not_saved=not_saved,
    )


def _already_ended(request, account, what):
    """A form from a page opened before somebody else ended the row: nothing to show it
    beside any more, so the page says so at the top."""
    messages.error(request, f"{what}: nothing changed.")
    return _back_at_the_facts(account)


def _back_at_the_facts(account):
    return redirect(f"{reverse('account_detail', args=[account.pk])}#facts")
