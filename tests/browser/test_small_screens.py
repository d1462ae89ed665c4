"""Every page at 375 px (issue 12, point 11): no sideways scrolling of the page itself
(`document.documentElement.scrollWidth <= window.innerWidth`), the book as a card per
account, and the account page's forms closed behind their headings.

The data is made to be wide: long account and people's names, an unbroken e-mail address,
a running onboarding clock, a quarter's assessment, an exception request, an EMEA account
(whose page has the quarterly proposal form) and a full burn-down list.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Contact
from tests.browser.conftest import log_in
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    AdminFactory,
    PriorityAssessmentFactory,
    PriorityExceptionFactory,
    TamFactory,
    TeamFactory,
    UserFactory,
    region,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 375, "height": 800}
LONG_NAME = "Echo Logistics International Holdings Incorporated"


@pytest.fixture
def wide_book(db):
    manager = UserFactory(role="manager", username="manager.small", first_name="Maximiliana")
    team = TeamFactory(manager=manager, region=region("emea-enterprise"))
    tam = TamFactory(
        team=team, username="tam.small", first_name="Bartholomew", last_name="Featherstonehaugh"
    )
    today = timezone.localdate()
    account = AccountFactory(
        tam=tam,
        name=LONG_NAME,
        region=region("emea-enterprise"),
        priority=1,
        priority_reasons="emea_parameters;org_change;weekly_engagement",
        arr=Decimal("1250000"),
        renewal_date=today + datetime.timedelta(days=40),
        customer_since=today - datetime.timedelta(days=20),
        onboarded_on=None,
        health="yellow",
    )
    Contact.objects.create(
        account=account,
        name="Anastasia Konstantinopoulou-Wolfeschlegelsteinhausen",
        email="anastasia.konstantinopoulou-wolfeschlegelsteinhausen@echo-logistics.example",
        title="Vice President, Global Infrastructure and Platform Engineering",
        role="champion",
    )
    PriorityAssessmentFactory(account=account, reasons="emea_parameters;org_change")
    PriorityExceptionFactory(
        account=AccountFactory(tam=tam, name=f"{LONG_NAME} holding"),
        justification="Board-level sponsor; the model cannot see the expansion in " * 3,
        expires_on=today + datetime.timedelta(days=30),
    )
    ActivityFactory(
        account=account,
        occurred_on=today - datetime.timedelta(days=70),
        notes="A very long note without spaces: " + "x" * 120,
    )
    for number in range(8):
        AccountFactory(tam=tam, name=f"{LONG_NAME} subsidiary {number}", onboarded_on=None)
    return {"manager": manager, "tam": tam, "account": account}


def _overflow(page):
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def _assert_fits(page, url, name):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.status == 200, name
    overflow = _overflow(page)
    assert overflow <= 0, f"{name} is {overflow}px wider than a 375 px screen"


def _url(live_server, name, *args):
    return f"{live_server.url}{reverse(name, args=args)}"


def test_every_page_fits_a_375_pixel_screen(page, live_server, wide_book):
    page.set_viewport_size(PHONE)
    _assert_fits(page, _url(live_server, "login"), "the login page")
    AdminFactory(username="ops.small")
    account = wide_book["account"]
    pages = {
        "tam.small": {
            "Today": _url(live_server, "today"),
            "the book": _url(live_server, "book"),
            "the account page": _url(live_server, "account_detail", account.pk),
            "the team dashboard": _url(live_server, "dashboard:index"),
        },
        "manager.small": {
            "Today": _url(live_server, "today"),
            "the book": _url(live_server, "book"),
            "the account page": _url(live_server, "account_detail", account.pk),
            "the dashboard": _url(live_server, "dashboard:index"),
            "a full list": _url(live_server, "dashboard:burn_down_list", "onboarding"),
            "the review queue": _url(live_server, "dashboard:queue_list", "exceptions"),
        },
        "ops.small": {
            "the book": _url(live_server, "book"),
            "the dashboard": _url(live_server, "dashboard:index"),
            "the import page": _url(live_server, "imports"),
        },
    }
    for username, urls in pages.items():
        page.context.clear_cookies()
        log_in(page, live_server, username)
        for name, url in urls.items():
            _assert_fits(page, url, f"{name} ({username})")
            menu = page.get_by_role("navigation", name="Main")
            box = menu.bounding_box()
            assert box["x"] + box["width"] <= PHONE["width"], f"the menu on {name}"


def test_the_book_is_a_card_per_account_on_a_phone(page, live_server, wide_book):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "tam.small")
    page.goto(_url(live_server, "book"))

    card = page.locator("table.book-table tbody tr").filter(
        has=page.get_by_role("link", name=LONG_NAME, exact=True)
    )
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # Each value carries its column's name beside it, so the card reads without the header.
    for label in ("Priority", "Health", "Next cadence call", "Renewal"):
        expect(card.locator(f"td[data-label='{label}']")).to_be_visible()
    label = page.evaluate(
        """() => getComputedStyle(
            document.querySelector("table.book-table td[data-label='Health']"), '::before'
        ).content"""
    )
    assert label == '"Health"'
    # The header's sort links stay, as a row of links.
    page.get_by_role("link", name="Priority", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]sort=priority\b"))
    assert _overflow(page) <= 0


def test_the_account_page_keeps_its_forms_closed_behind_their_headings(
    page, live_server, wide_book
):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "tam.small")
    page.goto(_url(live_server, "account_detail", wide_book["account"].pk))

    unfolded = page.evaluate(
        """() => [...document.querySelectorAll('main form[method=post]')]
            .filter(form => !form.closest('details'))
            .map(form => form.getAttribute('action'))"""
    )
    assert unfolded == []
    disclosures = page.locator("main details:has(form)")
    # Among them the five logging forms, the eight priority facts, the exception request
    # and the quarterly proposal (the account is EMEA's).
    assert page.locator("details[id^=log-]:has(form)").count() == 5
    assert page.locator("details[id^=fact-]:has(form)").count() == 8
    for summary in ("Request an exception", "Propose this quarter's priority"):
        assert page.locator("details:has(form)", has_text=summary).count() == 1, summary
    assert page.locator("main details[open]").count() == 0
    for index in range(disclosures.count()):
        disclosure = disclosures.nth(index)
        expect(disclosure.locator("summary")).to_be_visible()
        expect(disclosure.locator("form")).to_be_hidden()
    # A heading opens its form, which fits the screen.
    proposal = page.locator("details", has=page.locator("summary", has_text="Propose"))
    proposal.locator("summary").click()
    expect(proposal.locator("form")).to_be_visible()
    assert _overflow(page) <= 0
