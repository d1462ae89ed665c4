"""The triage register from the portal (DESIGN 11 "Triage register"): the account page's
forms and the full register page with its CSV.

Thin views: scoping first (404 outside the user's accounts, and for a case on an account
outside them), then a service call (`triage.services` holds who may do what). A refused
form goes back to the account page at the form, as typed (`core.rejected_forms`).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Account
from core import rejected_forms
from dashboard.triage_lists import CASE_CSV, RiskCaseTable, case_row, register
from lib.spreadsheet import SpreadsheetWriter
from portal.account_page import _account_for_user, _add_service_errors
from triage import services
from triage.forms import (
    CaseUpdateForm,
    CloseCaseForm,
    OpenCaseForm,
    WillChurnDecisionForm,
    WillChurnProposalForm,
)
from triage.models import CaseStatus, RiskCase

from .triage_section import (
    CLOSE_FORM_ID,
    DECISION_FORM_ID,
    OPEN_FORM_ID,
    PROPOSAL_FORM_ID,
    UPDATE_FORM_ID,
)

PAGE_SIZE = 50
CSV_CHUNK_SIZE = 2000
UTF8_BOM = "\ufeff"  # Excel reads a file without it in the local code page
STATUS_FILTERS = (("", "All"), ("open", "Open (including will churn)"), *CaseStatus.choices)


def _case_for_user(request, pk) -> RiskCase:
    return get_object_or_404(
        RiskCase.objects.select_related("account", "account__tam__team"),
        pk=pk,
        account__in=Account.objects.visible_to(request.user),
    )


def _back(account, anchor="triage"):
    return redirect(f"{reverse('account_detail', args=[account.pk])}#{anchor}")


def _handle(request, account, form, form_id, write, done, not_saved):
    """Validate `form`, call `write(**cleaned_data)`; back at the section, or at the form.
    A service's PermissionDenied (the TAM signing off will churn) stays a 403."""
    if form.is_valid():
        try:
            write(**form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, done)
            return _back(account)
    return rejected_forms.reject(
        request,
        form,
        form_id=form_id,
        back_to=reverse("account_detail", args=[account.pk]),
        not_saved=not_saved,
    )


@require_POST
def open_case(request, pk):
    account = _account_for_user(request, pk)
    form = OpenCaseForm(request.POST, account=account)

    def write(**data):
        services.open_case(account=account, opened_by=request.user, **data)

    done = "Risk case opened; the account is in triage and its priority is recomputed."
    return _handle(request, account, form, OPEN_FORM_ID, write, done, "The case was not opened.")


@require_POST
def add_update(request, pk):
    case = _case_for_user(request, pk)

    def write(note):
        services.add_update(case=case, by=request.user, note=note)

    form = CaseUpdateForm(request.POST)
    return _handle(
        request,
        case.account,
        form,
        UPDATE_FORM_ID,
        write,
        "Update added.",
        "The update was not added.",
    )


@require_POST
def propose_will_churn(request, pk):
    case = _case_for_user(request, pk)

    def write(note):
        services.propose_will_churn(case=case, proposed_by=request.user, note=note)

    done = "Will churn proposed: it waits for the team's manager's sign-off."
    form = WillChurnProposalForm(request.POST)
    return _handle(
        request, case.account, form, PROPOSAL_FORM_ID, write, done, "Will churn was not proposed."
    )


@require_POST
def decide_will_churn(request, pk):
    case = _case_for_user(request, pk)

    def write(decision, comment):
        if decision == "sign_off":
            services.sign_off_will_churn(case=case, reviewer=request.user, comment=comment)
        else:
            services.send_back_will_churn(case=case, reviewer=request.user, comment=comment)

    form = WillChurnDecisionForm(request.POST)
    return _handle(
        request,
        case.account,
        form,
        DECISION_FORM_ID,
        write,
        "Decision recorded.",
        "The decision was not recorded.",
    )


@require_POST
def close_case(request, pk):
    case = _case_for_user(request, pk)

    def write(outcome, comment):
        services.close_case(case=case, closed_by=request.user, outcome=outcome, comment=comment)

    done = "Case closed; the account leaves triage and its priority is recomputed."
    form = CloseCaseForm(request.POST)
    return _handle(
        request, case.account, form, CLOSE_FORM_ID, write, done, "The case was not closed."
    )


# --- the register ------------------------------------------------------------------------


def _status(request) -> str:
    status = request.GET.get("status", "")
    return status if status in dict(STATUS_FILTERS) else ""


def _sort(request) -> str:
    return request.GET.get("sort", "").split(",")[0]


def _cases(request):
    return register(Account.objects.visible_to(request.user), _status(request))


def triage_register(request):
    """Every case in the viewer's scope: a TAM's book, a manager's team, an admin's all."""
    today = timezone.localdate()
    table = RiskCaseTable(_cases(request), order_by=_sort(request) or None, today=today)
    try:
        table.paginate(page=request.GET.get("page", 1), per_page=PAGE_SIZE)
    except PageNotAnInteger:
        table.paginate(page=1, per_page=PAGE_SIZE)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)
    csv_query = request.GET.copy()
    csv_query.pop("page", None)
    csv_url = reverse("triage_register_csv")
    context = {
        "table": table,
        "total": table.paginator.count,
        "status": _status(request),
        "status_filters": STATUS_FILTERS,
        "csv_url": f"{csv_url}?{csv_query.urlencode()}" if csv_query else csv_url,
    }
    return render(request, "triage/register.html", context)


class _Echo:
    def write(self, value):
        return value


def triage_register_csv(request):
    """The register as shown (scope, status, order), every row."""
    rows = RiskCaseTable(_cases(request), order_by=_sort(request) or None).data.data
    writer = SpreadsheetWriter(_Echo())

    def lines():
        yield UTF8_BOM + writer.writerow(CASE_CSV)
        for case in rows.iterator(chunk_size=CSV_CHUNK_SIZE):
            yield writer.writerow(case_row(case))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    today = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="triage-register-{today}.csv"'
    return response
