"""The account page (DESIGN 1, 4, 5, 12): facts, clocks, this quarter's figures, why its
priority, the timeline, and the forms that log on it.
"""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import activity_log, entry_corrections, fact_forms, fact_timeline, priority_facts
from accounts.forms import (
    CadenceCallForm,
    EbrForm,
    MilestoneForm,
    PriorityFactForm,
    SuccessPlanChangeForm,
    SurveyResponseForm,
    priority_fact_forms,
)
from accounts.models import Account, ContactRole
from core import rejected_forms
from health.account_health import account_health
from lib.rule_sets import RuleSet
from metrics.clocks import account_clocks
from orchestration.selection import explain_account
from portal.account_metrics import load_account_metrics
from portal.book.labels import health_input_age, usage_age
from portal.triage_section import account_triage
from prioritization.forms import (
    ExceptionRequestForm,
    ReviewProposalForm,
    decision_form,
    decision_form_id,
)
from prioritization.rule_words import checks_in_words, reasons_described, source_text
from prioritization.services import can_review


def _account_for_user(request, pk):
    """The account if it is in the user's scope; 404 otherwise, so nothing leaks. With
    the TAM's team: who may review or correct on the page is its manager."""
    return get_object_or_404(
        Account.objects.visible_to(request.user).select_related(
            "region", "tam__team", "segment", "segment_override", "parent"
        ),
        pk=pk,
    )


def account_detail(request, pk):
    return account_page(request, _account_for_user(request, pk))


CONTACT_ROLE_ORDER = {role: position for position, role in enumerate(ContactRole.values)}

# Form class, service, confirmation: one logging view serves every kind.
LOG_FORMS = {
    "cadence-call": (CadenceCallForm, activity_log.log_cadence_call, "Cadence call logged."),
    "ebr": (EbrForm, activity_log.log_ebr, "EBR logged."),
    "milestone": (MilestoneForm, activity_log.log_milestone, "Onboarding milestone logged."),
    "success-plan": (
        SuccessPlanChangeForm,
        activity_log.log_success_plan_change,
        "Success-plan change logged.",
    ),
    "survey": (SurveyResponseForm, activity_log.log_survey_response, "Survey response logged."),
}


LOG_TITLES = {
    "cadence-call": "Log a cadence call",
    "ebr": "Log an EBR",
    "milestone": "Log an onboarding milestone",
    "success-plan": "Log a success-plan change",
    "survey": "Log a survey response",
}


# The HTML ids of the request and proposal forms: a rejected one comes back to its id.
EXCEPTION_FORM_ID = "exception-request"
REVIEW_FORM_ID = "review-proposal"


def _log_form(kind, account, objectives, data=None):
    form_class = LOG_FORMS[kind][0]
    if form_class is SuccessPlanChangeForm:
        return form_class(data, account=account, objectives=objectives)
    # The account bounds the date (not before its customer-since: `EventDateMixin`).
    return form_class(data, account=account)


def _fact_form(account, slug, data=None):
    fact = priority_facts.FACTS[slug]
    return PriorityFactForm(data, fact=fact, current=getattr(account, fact.field))


def _rejected_fact_form(account, rejected):
    """The fact form rejected just before, as typed, or None."""
    slug = rejected.form_id.removeprefix("fact-")
    if not rejected.form_id.startswith("fact-") or slug not in priority_facts.FACTS:
        return None
    return rejected.form(rejected.form_id, lambda data: _fact_form(account, slug, data))


def account_page(request, account):
    """The account page. A form refused just before (`core.rejected_forms`) comes back
    as typed, with its errors beside the fields."""
    rejected = rejected_forms.take(request)
    today = timezone.localdate()
    exceptions = list(account.priority_exceptions.select_related("requested_by", "reviewed_by"))
    reviews = list(account.priority_reviews.select_related("proposed_by", "decided_by")[:8])
    for kind, items in (("exception", exceptions), ("review", reviews)):
        for item in items:
            item.decision_form = rejected.form(
                decision_form_id(kind, item.pk), partial(decision_form, kind, item.pk)
            )
    explanation = explain_account(account.pk)
    objectives = list(account.objectives.all())
    # Current contacts first, by role; those who left stay listed (a departed champion is a
    # risk the TAM must see), after them, each group by role then name.
    contacts = sorted(
        account.contacts.all(),
        key=lambda c: (c.left_on is not None, CONTACT_ROLE_ORDER.get(c.role, 99), c.name),
    )
    metrics = load_account_metrics(account, objectives, today)
    clocks = account_clocks(account, metrics.clock_targets, today)
    suggestion = explanation.computed_priority if explanation else None
    log_entries = [
        {
            "kind": kind,
            "title": title,
            "form": rejected.form(
                f"log-{kind}", lambda data, kind=kind: _log_form(kind, account, objectives, data)
            ),
        }
        for kind, title in LOG_TITLES.items()
    ]
    timeline = activity_log.timeline_page(account, request.GET.get("timeline"))
    # The health explained (DESIGN 11): live, with the priority the next recompute writes.
    health = account_health(account, today, priority=explanation.priority if explanation else None)
    usage = health.inputs.usage
    context = {
        "account": account,
        "timeline": timeline,
        "removals": entry_corrections.annotate_timeline(request.user, account, timeline),
        "explanation": explanation,
        # The rules, their facts and who decided, in words (issue 12 point 8).
        "why_checks": checks_in_words(explanation.checks) if explanation else [],
        "why_source": source_text(explanation.source) if explanation else "",
        "clocks": clocks,
        "metrics": metrics,
        "objectives": objectives,
        "contacts": contacts,
        "history": _history(account, explanation),
        "exceptions": exceptions,
        "reviews": reviews,
        "can_review": can_review(request.user, account),
        "is_emea": account.region.rule_set == RuleSet.EMEA_ENTERPRISE,
        "exception_form": rejected.form(EXCEPTION_FORM_ID, ExceptionRequestForm),
        # The proposal starts from the model's suggestion (page 004: the TAM proposes).
        "review_form": rejected.form(
            REVIEW_FORM_ID,
            lambda data: ReviewProposalForm(
                data, initial={"proposed_priority": suggestion if suggestion in (1, 2) else 2}
            ),
        ),
        "log_forms": log_entries,
        # The facts the TAM keeps (issue 12 point 2) and their latest changes.
        "fact_forms": priority_fact_forms(account, _rejected_fact_form(account, rejected)),
        "record_forms": fact_forms.record_forms(account, rejected),
        # The risk case, its updates and forms (DESIGN 11 "Triage register").
        "triage": account_triage(request.user, account, rejected),
        "fact_changes": fact_timeline.fact_changes(account),
        "today": today,
        # How old the usage data and the health input are (DESIGN 10, "Freshness"): the
        # latest snapshot the health read (dated on or before today: a future-dated one
        # has not happened yet).
        "usage_age": usage_age(usage.taken_on if usage else None, today),
        "health_input_age": health_input_age(account.tam_sentiment_on, today),
        "account_health": health,
    }
    return render(request, "accounts/account_detail.html", context)


def _history(account, explanation):
    """Every quarter's assessment, its reasons spelled out with the rules' own words (the
    short label where the region's rules do not describe the code)."""
    described = (
        {check.code: check.description for check in explanation.checks} if explanation else {}
    )
    rows = list(account.assessments.select_related("decided_by").order_by("-fiscal_quarter"))
    for row in rows:
        row.reason_list = reasons_described(row.reasons, described)
    return rows


def account_timeline(request, pk):
    """One page of the timeline: the "show older entries" link fetches it with htmx."""
    account = _account_for_user(request, pk)
    page = activity_log.timeline_page(account, request.GET.get("timeline"))
    entry_corrections.annotate_timeline(request.user, account, page)
    return render(
        request, "accounts/_timeline_entries.html", {"account": account, "timeline": page}
    )


def _add_service_errors(form, error: ValidationError) -> None:
    """Put a service's validation errors beside the form fields they are about."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@require_POST
def log_activity(request, pk, kind):
    """Log one timeline entry; on error, back to the account page at the form, as typed."""
    if kind not in LOG_FORMS:
        raise Http404("No such entry kind.")
    account = _account_for_user(request, pk)
    _form_class, service, confirmation = LOG_FORMS[kind]
    form = _log_form(kind, account, None, request.POST)
    if form.is_valid():
        try:
            service(account=account, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, confirmation)
            return redirect(f"{reverse('account_detail', args=[account.pk])}#timeline")
    return rejected_forms.reject(
        request,
        form,
        form_id=f"log-{kind}",
        back_to=reverse("account_detail", args=[account.pk]),
        not_saved=f"“{LOG_TITLES[kind]}” was not saved.",
    )
