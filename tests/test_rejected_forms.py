"""Errors where the user is looking (issue 12 point 6, `core.rejected_forms`).

A refused form sends the browser back to the page it was posted from, at the form's id: no
POST address stays in the location bar, so a reload posts nothing. That page shows the
form as typed with its errors beside the fields (the service's too), opens it, and says at
the top what was not saved, with a link to the form; the next visit shows clean forms.
Nothing is written on a refusal.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Activity
from prioritization.models import PriorityException, ReviewStatus
from tests.factories import AccountFactory, PriorityExceptionFactory
from tests.rejected import refused

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9), tick=False):
        yield


def _page(account):
    return reverse("account_detail", args=[account.pk])


def _block(text, element_id):
    """The HTML from the element with `element_id` to the end of its form."""
    return text.split(f'id="{element_id}"', 1)[1].split("</form>", 1)[0]


def _field_block(text, field_id):
    """The field's own paragraph (`_form_field.html`): label, input, help, errors."""
    return text.split(f'for="{field_id}"', 1)[1].split("</p>", 1)[0]


def test_a_refused_log_form_comes_back_at_the_form_as_typed_once(client, account, tam):
    client.force_login(tam)
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    data = {"call-occurred_on": tomorrow, "call-notes": "Roadmap next week"}

    page = refused(
        client,
        reverse("log_activity", args=[account.pk, "cadence-call"]),
        data,
        page=_page(account),
        form_id="log-cadence-call",
    )

    assert page.status_code == 200
    form = _block(page.text, "log-cadence-call")
    assert 'class="field-error"' in _field_block(form, "id_call-occurred_on")
    assert f'value="{tomorrow}"' in form and "Roadmap next week" in form
    assert '<details class="log-form" open id="log-cadence-call">' in page.text
    # The banner at the top says what was not saved and links to the form.
    banner = page.text.split('<ul class="messages"', 1)[1].split("</ul>", 1)[0]
    assert "“Log a cadence call” was not saved." in banner
    assert 'href="#log-cadence-call"' in banner
    assert not Activity.objects.exists()

    again = client.get(_page(account))

    assert "Roadmap next week" not in again.text
    assert 'class="field-error"' not in _block(again.text, "log-cadence-call")
    assert '<details class="log-form" id="log-cadence-call">' in again.text
    assert '<ul class="messages"' not in again.text


def test_the_csrf_token_is_not_kept(client, account, tam):
    client.force_login(tam)

    client.post(
        reverse("log_activity", args=[account.pk, "ebr"]),
        {"csrfmiddlewaretoken": "a-token", "ebr-occurred_on": "", "ebr-notes": "Board"},
    )

    kept = client.session["rejected_form"]
    assert kept["data"] == {"ebr-occurred_on": [""], "ebr-notes": ["Board"]}


def test_a_service_refusal_comes_back_beside_its_field(client, tam):
    # The form alone accepts Pr2; the service refuses it: the account is Pr2 already.
    account = AccountFactory(tam=tam, priority=2)
    client.force_login(tam)

    page = refused(
        client,
        reverse("request_exception", args=[account.pk]),
        {"requested_priority": "2", "justification": "Keep it where it is"},
        page=_page(account),
        form_id="exception-request",
    )

    form = page.context["exception_form"]
    assert form.errors == {"requested_priority": ["The account is already Pr2."]}
    block = _block(page.text, "exception-request")
    assert "The account is already Pr2." in _field_block(block, "id_requested_priority")
    assert "Keep it where it is" in block
    assert '<details id="exception-request" open>' in page.text
    assert not PriorityException.objects.exists()


def test_a_refused_form_is_not_shown_on_another_accounts_page(client, tam):
    first, second = AccountFactory(tam=tam), AccountFactory(tam=tam)
    client.force_login(tam)
    client.post(
        reverse("log_activity", args=[first.pk, "ebr"]),
        {"ebr-occurred_on": "", "ebr-notes": "Board pack for the first"},
    )

    other = client.get(_page(second))

    assert "Board pack for the first" not in other.text
    assert 'class="field-error"' not in _block(other.text, "log-ebr")


def test_a_manager_who_rejects_from_the_dashboard_without_a_comment_stays_there(
    client, manager, account
):
    exception = PriorityExceptionFactory(account=account)
    client.force_login(manager)
    dashboard = f"{reverse('dashboard:index')}?quarter=FY27-Q4"

    response = client.post(
        reverse("decide_exception", args=[exception.pk]),
        {"decision": "reject", "comment": "", "next": dashboard},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{dashboard}#exception-{exception.pk}"
    page = client.get(dashboard)
    assert page.resolver_match.view_name == "dashboard:index"
    form = _block(page.text, f"exception-{exception.pk}")
    assert "Tell the TAM why" in _field_block(form, f"exception-{exception.pk}-comment")
    assert '<option value="reject" selected>' in form  # the choice is kept
    assert f'href="#exception-{exception.pk}"' in page.text  # the banner's link
    exception.refresh_from_db()
    assert (exception.status, exception.reviewed_by) == (ReviewStatus.PENDING, None)


def test_a_refused_decision_with_an_off_site_next_goes_to_the_account_page(
    client, manager, account
):
    exception = PriorityExceptionFactory(account=account)
    client.force_login(manager)

    refused(
        client,
        reverse("decide_exception", args=[exception.pk]),
        {"decision": "reject", "comment": "", "next": "https://evil.example/dashboard/"},
        page=_page(account),
        form_id=f"exception-{exception.pk}",
    )
