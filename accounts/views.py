from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from metrics.clocks import onboarding_clocks
from metrics.models import clock_targets
from prioritization.forms import DecisionForm, ExceptionRequestForm, ReviewProposalForm
from prioritization.recompute import explain_account
from prioritization.services import can_review

from .models import Account


def _account_for_user(request, pk):
    """The account if it is in the user's scope; 404 otherwise, so nothing leaks."""
    return get_object_or_404(
        Account.objects.visible_to(request.user).select_related(
            "region", "tam", "segment", "segment_override", "parent"
        ),
        pk=pk,
    )


BOOK_PAGE_SIZE = 50


def book(request):
    accounts = (
        Account.objects.visible_to(request.user)
        .select_related("region", "segment", "segment_override", "tam")
        .order_by("name", "pk")
    )
    page = Paginator(accounts, BOOK_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/book.html", {"accounts": page.object_list, "page": page})


def account_detail(request, pk):
    return account_page(request, _account_for_user(request, pk))


def account_page(request, account, *, status=200, decision_forms=None, **forms):
    """The account page; the decision views re-render it with their bound forms on error."""
    exceptions = list(account.priority_exceptions.select_related("requested_by", "reviewed_by"))
    reviews = list(account.priority_reviews.select_related("proposed_by", "decided_by")[:8])
    decision_forms = decision_forms or {}
    for item in exceptions:
        item.decision_form = decision_forms.get(("exception", item.pk)) or DecisionForm()
    for item in reviews:
        item.decision_form = decision_forms.get(("review", item.pk)) or DecisionForm()
    explanation = explain_account(account.pk)
    clocks = onboarding_clocks(
        customer_since=account.customer_since,
        milestones={
            "first_engage": account.first_engaged_on,
            "first_value": account.first_value_on,
            "onboard": account.onboarded_on,
        },
        targets=clock_targets(account.effective_segment),
        today=timezone.localdate(),
    )
    suggestion = explanation.computed_priority if explanation else None
    context = {
        "account": account,
        "activities": account.activities.select_related("logged_by")[:50],
        "explanation": explanation,
        "clocks": clocks,
        "history": account.assessments.select_related("decided_by").order_by("-fiscal_quarter"),
        "exceptions": exceptions,
        "reviews": reviews,
        "can_review": can_review(request.user, account),
        "is_emea": account.region.rule_set == "emea_enterprise",
        "exception_form": forms.get("exception_form") or ExceptionRequestForm(),
        # The proposal starts from the model's suggestion (page 004: the TAM proposes).
        "review_form": forms.get("review_form")
        or ReviewProposalForm(
            initial={"proposed_priority": suggestion if suggestion in (1, 2) else 2}
        ),
    }
    return render(request, "accounts/account_detail.html", context, status=status)
