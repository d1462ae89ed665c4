"""The account page's "Risk triage" section (DESIGN 11 "Triage register"): the open case
with its dated updates, the forms to open, update, propose will churn, sign it off and
close, and the closed cases. A form refused just before comes back as typed with its
errors (`core.rejected_forms`); its HTML id is also where the browser lands.

Kept apart from `portal.triage` (the views) so the account page can call it without the
views importing the page and the page the views.
"""

from __future__ import annotations

from functools import partial

from django.db.models import Prefetch
from django.utils import timezone

from core.rejected_forms import RejectedForm
from prioritization.services import can_review
from triage.forms import (
    CaseUpdateForm,
    CloseCaseForm,
    OpenCaseForm,
    WillChurnDecisionForm,
    WillChurnProposalForm,
)
from triage.models import RiskCase, RiskCaseUpdate

OPEN_FORM_ID = "triage-open"
UPDATE_FORM_ID = "triage-update"
PROPOSAL_FORM_ID = "triage-will-churn"
DECISION_FORM_ID = "triage-sign-off"
CLOSE_FORM_ID = "triage-close"
CLOSED_SHOWN = 5


def account_triage(user, account, rejected: RejectedForm) -> dict:
    """What `templates/triage/_account_cases.html` shows: one query, and one for the
    updates with who wrote them when there is a case, however many."""
    cases = list(
        RiskCase.objects.filter(account=account)
        .select_related("opened_by", "will_churn_proposed_by", "signed_off_by")
        .prefetch_related(
            Prefetch("updates", queryset=RiskCaseUpdate.objects.select_related("by"))
        )[: CLOSED_SHOWN + 1]
    )
    open_case = next((case for case in cases if case.is_open), None)
    closed = [case for case in cases if not case.is_open][:CLOSED_SHOWN]
    today = timezone.localdate()
    section = {"case": open_case, "closed": closed, "today": today}
    if open_case is None:
        section["open_form"] = rejected.form(OPEN_FORM_ID, partial(_open_form, account))
        return section
    section.update(
        overdue=open_case.next_update_due is not None and open_case.next_update_due < today,
        update_form=rejected.form(UPDATE_FORM_ID, CaseUpdateForm),
        close_form=rejected.form(CLOSE_FORM_ID, CloseCaseForm),
        can_sign_off=(
            open_case.waiting_for_sign_off
            and can_review(user, account)
            and open_case.will_churn_proposed_by_id != user.pk
        ),
    )
    if open_case.waiting_for_sign_off:
        section["decision_form"] = rejected.form(DECISION_FORM_ID, WillChurnDecisionForm)
    elif open_case.status == "open":
        section["proposal_form"] = rejected.form(PROPOSAL_FORM_ID, WillChurnProposalForm)
    return section


def _open_form(account, data=None):
    return OpenCaseForm(data, account=account)
