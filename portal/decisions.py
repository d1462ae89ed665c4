"""Priority decisions from the account page: request, propose, approve, reject.

Thin views: scoping first (404 outside the user's accounts), then a service call; the
services (prioritization/services.py) hold the rules of who may decide what. A refused
form goes back to the page it was posted from, at the form, as typed
(`core.rejected_forms`): a decision from the dashboard stays on the dashboard.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import Account
from core import rejected_forms
from portal.account_page import EXCEPTION_FORM_ID, REVIEW_FORM_ID
from prioritization import services
from prioritization.forms import (
    DecisionForm,
    ExceptionRequestForm,
    ReviewProposalForm,
    decision_form_id,
)
from prioritization.models import PriorityException, PriorityReview


def _visible_account(request, pk):
    return get_object_or_404(Account.objects.visible_to(request.user), pk=pk)


NOT_DECIDED = "The decision was not recorded."

# The services name model fields; the forms name some of them differently.
_FORM_FIELD_OF = {"review_comment": "comment", "decided_priority": "decided_priority"}


def _back_to(request, account_id) -> str:
    """Where a decision returns to: a safe local `next` (the manager dashboard sends one),
    else the account page. An off-site `next` is ignored, so no open redirect."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("account_detail", args=[account_id])


def _rejected(request, form, form_id, account_id, not_saved):
    return rejected_forms.reject(
        request,
        form,
        form_id=form_id,
        back_to=_back_to(request, account_id),
        not_saved=not_saved,
    )


def _add_service_errors(form, error: ValidationError) -> None:
    """Put a service's validation errors beside the form fields they are about."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            name = _FORM_FIELD_OF.get(field, field)
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@require_POST
def request_exception(request, pk):
    account = _visible_account(request, pk)
    form = ExceptionRequestForm(request.POST)
    if form.is_valid():
        try:
            services.priority_exception_request(
                account=account,
                requested_by=request.user,
                priority=form.cleaned_data["requested_priority"],
                justification=form.cleaned_data["justification"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Exception requested; the team's manager reviews it.")
            return redirect("account_detail", pk=account.pk)
    return _rejected(
        request, form, EXCEPTION_FORM_ID, account.pk, "The exception was not requested."
    )


@require_POST
def propose_review(request, pk):
    account = _visible_account(request, pk)
    form = ReviewProposalForm(request.POST)
    if form.is_valid():
        try:
            services.priority_review_propose(
                account=account,
                proposed_by=request.user,
                priority=form.cleaned_data["proposed_priority"],
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Priority proposed for this quarter's review.")
            return redirect("account_detail", pk=account.pk)
    return _rejected(request, form, REVIEW_FORM_ID, account.pk, "The priority was not proposed.")


@require_POST
def decide_exception(request, pk):
    exception = get_object_or_404(
        PriorityException.objects.filter(account__in=Account.objects.visible_to(request.user)),
        pk=pk,
    )
    form = DecisionForm(request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if form.cleaned_data["decision"] == "approve":
                services.priority_exception_approve(
                    exception=exception, reviewer=request.user, comment=comment
                )
            else:
                services.priority_exception_reject(
                    exception=exception, reviewer=request.user, comment=comment
                )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, f"Exception {form.cleaned_data['decision']}d.")
            return redirect(_back_to(request, exception.account_id))
    form_id = decision_form_id("exception", exception.pk)
    return _rejected(request, form, form_id, exception.account_id, NOT_DECIDED)


@require_POST
def decide_review(request, pk):
    review = get_object_or_404(
        PriorityReview.objects.filter(account__in=Account.objects.visible_to(request.user)),
        pk=pk,
    )
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                services.priority_review_decide(
                    review=review,
                    manager=request.user,
                    priority=data["decided_priority"],
                    comment=data["comment"],
                )
            else:
                services.priority_review_reject(
                    review=review, manager=request.user, comment=data["comment"]
                )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, f"Proposal {data['decision']}d.")
            return redirect(_back_to(request, review.account_id))
    form_id = decision_form_id("review", review.pk)
    return _rejected(request, form, form_id, review.account_id, NOT_DECIDED)
