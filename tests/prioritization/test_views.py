"""Priority decisions from the account page: scoped, permissioned, errors beside fields."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from orchestration.runs import recompute
from prioritization.models import PriorityException, PriorityReview, ReviewStatus
from tests.factories import AccountFactory, ManagerFactory, TamFactory, TeamFactory, region
from tests.rejected import refused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9), tick=False):
        yield


@pytest.fixture
def assessed(account):
    recompute()
    return account


def test_the_account_page_explains_every_rule(client, assessed, tam):
    client.force_login(tam)

    response = client.get(reverse("account_detail", args=[assessed.pk]))

    assert response.status_code == 200
    codes = [check.code for check in response.context["explanation"].checks]
    assert codes[:6] == [
        "unmanaged_child", "digital", "onboarding_segment", "exception", "review", "onboarding",
    ]  # fmt: skip
    assert codes[6:] == ["uptier_opportunity", "stage_adoption", "infra_change", "churn_risk"]
    assert "FY2027 Q4" in response.text  # the quarterly history, as people say it


def test_a_tam_requests_an_exception(client, assessed, tam):
    client.force_login(tam)

    response = client.post(
        reverse("request_exception", args=[assessed.pk]),
        {"requested_priority": "1", "justification": "Board-level escalation"},
    )

    assert response.status_code == 302
    exception = PriorityException.objects.get()
    assert (exception.status, exception.expires_on) == ("pending", datetime.date(2027, 1, 31))


def test_a_missing_justification_is_shown_beside_the_field(client, assessed, tam):
    client.force_login(tam)

    response = refused(
        client,
        reverse("request_exception", args=[assessed.pk]),
        {"requested_priority": "1", "justification": ""},
        page=reverse("account_detail", args=[assessed.pk]),
        form_id="exception-request",
    )

    assert response.context["exception_form"].errors["justification"]
    assert 'class="field has-error"' in response.text
    assert not PriorityException.objects.exists()


def test_another_tam_gets_404(client, assessed, other_tam):
    client.force_login(other_tam)

    response = client.post(
        reverse("request_exception", args=[assessed.pk]),
        {"requested_priority": "1", "justification": "Not mine"},
    )

    assert response.status_code == 404


def test_the_manager_approves_and_the_priority_changes(
    client, assessed, tam, manager, django_capture_on_commit_callbacks
):
    client.force_login(tam)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("request_exception", args=[assessed.pk]),
            {"requested_priority": "1", "justification": "Large, no LAM"},
        )
    exception = PriorityException.objects.get()
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("decide_exception", args=[exception.pk]),
            {"decision": "approve", "comment": "Agreed"},
        )

    assert response.status_code == 302
    assessed.refresh_from_db()
    assert (assessed.priority, assessed.priority_reasons) == (1, "p1_exception;default")


def test_a_tam_cannot_decide_their_own_request(client, assessed, tam):
    client.force_login(tam)
    client.post(
        reverse("request_exception", args=[assessed.pk]),
        {"requested_priority": "1", "justification": "Please"},
    )

    response = client.post(
        reverse("decide_exception", args=[PriorityException.objects.get().pk]),
        {"decision": "approve"},
    )

    assert response.status_code == 403
    assert PriorityException.objects.get().status == ReviewStatus.PENDING


def test_rejecting_without_a_comment_is_an_error_beside_the_comment(client, assessed, tam, manager):
    client.force_login(tam)
    client.post(
        reverse("request_exception", args=[assessed.pk]),
        {"requested_priority": "1", "justification": "Please"},
    )
    client.force_login(manager)

    exception = PriorityException.objects.get()

    response = refused(
        client,
        reverse("decide_exception", args=[exception.pk]),
        {"decision": "reject", "comment": ""},
        page=reverse("account_detail", args=[assessed.pk]),
        form_id=f"exception-{exception.pk}",
    )

    # The service's message, beside the comment of that request's form.
    block = response.text.split(f'for="exception-{exception.pk}-comment"', 1)[1]
    assert "Tell the TAM why" in block.split("</p>", 1)[0]
    assert PriorityException.objects.get().status == ReviewStatus.PENDING


def test_emea_proposal_and_decision(django_capture_on_commit_callbacks):
    manager = ManagerFactory()
    tam = TamFactory(team=TeamFactory(region=region("emea-enterprise"), manager=manager))
    account = AccountFactory(tam=tam, region=region("emea-enterprise"))
    recompute()
    client = Client()
    client.force_login(tam)
    page = client.get(reverse("account_detail", args=[account.pk]))
    assert page.context["review_form"].initial == {"proposed_priority": 2}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("propose_review", args=[account.pk]),
            {"proposed_priority": "1", "justification": "Org change"},
        )
    review = PriorityReview.objects.get()
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("decide_review", args=[review.pk]), {"decision": "approve"})

    account.refresh_from_db()
    assert (account.priority, account.priority_reasons) == (1, "review;default")


def test_forms_need_the_csrf_token(assessed, tam):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tam)

    response = client.post(
        reverse("request_exception", args=[assessed.pk]),
        {"requested_priority": "1", "justification": "No token"},
    )

    assert response.status_code == 403
    assert not PriorityException.objects.exists()
