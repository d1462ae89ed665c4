"""Setting a priority fact from the account page (DESIGN 12, issue 12 point 2).

Whoever sees the account keeps its facts (its TAM, the team's manager, an admin); outside
the scope the account is 404. On success the page comes back at the facts, recomputed;
on error it comes back with the form as typed and its errors beside the fields (400).
The rules live in `accounts.priority_facts`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import priority_facts
from accounts.forms import PriorityFactForm
from portal.account_page import _account_for_user, _add_service_errors, account_page


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
            return redirect(f"{reverse('account_detail', args=[account.pk])}#facts")
    return account_page(request, account, fact_form=form, status=400)
