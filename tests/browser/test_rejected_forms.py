"""A refused form in a real browser (issue 12 point 6): the TAM lands back on the account
page at the form, the error inside the viewport without scrolling, and the location bar
holds the page's address, not the form's POST address (a reload posts nothing)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Activity
from tests.browser.conftest import log_in
from tests.factories import AccountFactory, TamFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _inside_the_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    viewport = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= viewport["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
    )


def test_a_tams_future_dated_log_comes_back_at_the_form_in_view(page, live_server):
    account = AccountFactory(tam=TamFactory(username="tam.one"), name="Halcyon Labs")
    account_page = f"{live_server.url}{reverse('account_detail', args=[account.pk])}"
    log_in(page, live_server, "tam.one")
    page.goto(account_page)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    form = page.locator("#log-cadence-call")
    form.locator("summary").click()
    date = form.get_by_label("Call held on")
    # The date picker refuses tomorrow in the browser; a typed date or an older browser
    # sends it anyway, so the picker's bound is lifted to see the server's answer.
    date.evaluate("input => input.removeAttribute('max')")
    date.fill(tomorrow)
    form.get_by_label("What was discussed").fill("Planned for tomorrow")
    form.get_by_role("button", name="Log a cadence call").click()

    expect(page).to_have_url(re.compile(rf"/accounts/{account.pk}/#log-cadence-call$"))
    error = page.locator("#log-cadence-call .field-error").first
    expect(error).to_be_visible()
    assert _inside_the_viewport(page, error), (error.bounding_box(), page.viewport_size)
    assert page.evaluate("window.scrollY") > 0  # the browser went down to the form
    expect(page.locator("#log-cadence-call").get_by_label("Call held on")).to_have_value(tomorrow)
    expect(page.locator("#log-cadence-call").get_by_label("What was discussed")).to_have_value(
        "Planned for tomorrow"
    )
    banner = page.locator("ul.messages")
    expect(banner).to_contain_text("“Log a cadence call” was not saved.")
    expect(banner.get_by_role("link")).to_have_attribute("href", "#log-cadence-call")

    page.reload()  # a GET: nothing is posted again, and the form is clean

    expect(page.locator("#log-cadence-call .field-error")).to_have_count(0)
    assert not Activity.objects.filter(account=account).exists()
