"""The main journeys in a real browser, under the real Content Security Policy.

A TAM filters their book and logs a cadence call; a manager approves an exception from
the dashboard; a TAM reads their team's dashboard without decision forms; the dashboard's
charts draw; the keyboard reaches the skip link first;
the main pages fit a 375 px screen. Every page visited must leave the console clean: a
CSP violation, a failed request or a script error is reported there. Screenshots of the
book, the account page and the dashboard go to screenshots/ (git-ignored).
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Account
from prioritization.models import PriorityException
from segments.models import Segment
from tests.browser.conftest import log_in
from tests.factories import (
    AccountFactory,
    AdminFactory,
    PriorityExceptionFactory,
    TamFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def people(db):
    manager = UserFactory(role="manager", username="manager.one", first_name="Mara")
    team = TeamFactory(manager=manager)
    tam = TamFactory(team=team, username="tam.one", first_name="Tomas")
    return {"manager": manager, "tam": tam}


def _url(live_server, name, *args):
    return f"{live_server.url}{reverse(name, args=args)}"


def test_a_tam_filters_the_book_opens_an_account_and_logs_a_cadence_call(
    page, live_server, people, console, screenshot_dir
):
    AccountFactory(tam=people["tam"], name="Zephyr Analytics", priority=1)
    AccountFactory(tam=people["tam"], name="Zephyr Freight", priority=3)
    AccountFactory(tam=people["tam"], name="Acme Robotics", priority=1)
    log_in(page, live_server, "tam.one")
    # A TAM lands on Today (issue 12); the book is one click away.
    expect(page.get_by_role("link", name="Today")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="My book").click()

    expect(page.get_by_role("link", name="My book")).to_have_attribute("aria-current", "page")
    page.get_by_label("Account name contains").fill("zephyr")
    page.get_by_label("Priority").select_option(label="Pr1")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#book-summary")).to_contain_text("1 account matches the filters")
    expect(page.get_by_role("link", name="Zephyr Analytics")).to_be_visible()
    expect(page.get_by_role("link", name="Zephyr Freight")).to_have_count(0)
    expect(page.get_by_role("link", name="Acme Robotics")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "book.png", full_page=True)

    page.get_by_role("link", name="Zephyr Analytics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zephyr Analytics")
    expect(page.locator("#timeline ~ p.empty")).to_have_text("Nothing logged on this account yet.")
    page.screenshot(path=screenshot_dir / "account.png", full_page=True)

    form = page.locator("#log-cadence-call")
    form.locator("summary").click()
    form.get_by_label("What was discussed").fill("Walked through the CI migration plan.")
    form.get_by_role("button", name="Log a cadence call").click()

    expect(page).to_have_url(re.compile(r"/accounts/\d+/#timeline$"))
    expect(page.get_by_role("status")).to_contain_text("Cadence call logged.")
    entry = page.locator("ol.timeline li.timeline-entry").first
    expect(entry).to_contain_text("Cadence call")
    expect(entry).to_contain_text("Walked through the CI migration plan.")
    expect(entry).to_contain_text(timezone.localdate().isoformat())
    assert console == []


def test_a_manager_approves_an_exception_from_the_dashboard(page, live_server, people, console):
    account = AccountFactory(tam=people["tam"], name="Borealis Bank", priority=3)
    exception = PriorityExceptionFactory(
        account=account,
        requested_priority=1,
        justification="Board-level sponsor; the model cannot see the expansion.",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    log_in(page, live_server, "manager.one")

    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    queued = page.locator("#review-queue ~ article.decision", has_text="Borealis Bank")
    expect(queued).to_contain_text("Board-level sponsor")
    queued.get_by_label("Decision").select_option("approve")
    queued.get_by_role("button", name="Record decision").click()

    # Back on the dashboard (the form's `next`), with the queue emptied.
    expect(page).to_have_url(re.compile(r"/dashboard/"))
    expect(page.get_by_role("status")).to_contain_text("Exception approved.")
    expect(
        page.locator("#review-queue ~ article.decision", has_text="Borealis Bank")
    ).to_have_count(0)

    page.goto(_url(live_server, "account_detail", account.pk))
    priority = page.locator("dl.facts dt:text-is('Priority') + dd")
    expect(priority).to_contain_text("Pr1")
    expect(priority).to_contain_text("Pr1 by approved exception")
    assert PriorityException.objects.get(pk=exception.pk).status == "approved"
    assert Account.objects.get(pk=account.pk).priority == 1
    assert console == []


def test_the_dashboard_charts_draw_without_console_errors(
    page, live_server, people, console, screenshot_dir
):
    AccountFactory(tam=people["tam"], name="Cobalt Systems", priority=2)
    log_in(page, live_server, "manager.one")
    page.goto(_url(live_server, "dashboard:index"))

    expect(page.locator("canvas#workload-chart")).to_be_visible()
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length > 0")
    charts = page.evaluate(
        "() => Object.values(Chart.instances).map(chart => chart.canvas.id + ':' + chart.config.type)"
    )
    assert "workload-chart:bar" in charts
    # Chart.js sized the canvas from its box: it drew, not just loaded.
    assert page.evaluate("() => document.getElementById('workload-chart').width") > 0
    page.screenshot(path=screenshot_dir / "dashboard.png", full_page=True)
    assert console == []


def test_a_tam_reads_the_team_dashboard_without_deciding(page, live_server, people, console):
    mine = AccountFactory(tam=people["tam"], name="Harbor Labs", priority=3)
    PriorityExceptionFactory(
        account=mine,
        requested_priority=1,
        justification="Executive sponsor asked for weekly calls.",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    log_in(page, live_server, "tam.one")

    page.get_by_role("link", name="Team dashboard").click()
    expect(page.get_by_role("link", name="Team dashboard")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator("#team-waiting")).to_contain_text("1 request from")
    queued = page.locator("#review-queue ~ article.decision", has_text="Harbor Labs")
    expect(queued).to_contain_text("Executive sponsor")
    expect(page.get_by_role("button", name="Record decision")).to_have_count(0)
    expect(page.get_by_label("Team or region")).to_have_count(0)
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length > 0")
    queued.get_by_role("link", name="Harbor Labs").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Harbor Labs")
    assert console == []


def test_tab_from_the_top_reaches_the_skip_link_first(page, live_server, people):
    AccountFactory(tam=people["tam"], name="Foxtrot Media")
    log_in(page, live_server, "tam.one")
    page.goto(_url(live_server, "book"))
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.textContent, document.activeElement.getAttribute('href')]"
    )
    assert focused == ["Skip to content", "#content"]
    skip = page.get_by_role("link", name="Skip to content")
    # Off screen until focused, then on screen for the sighted keyboard user.
    assert skip.bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"
    # The next stop is the page's own first control, not the menu again.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "id_q"


def _main_pages(live_server, account):
    return {
        "book": _url(live_server, "book"),
        "account page": _url(live_server, "account_detail", account.pk),
        "dashboard": _url(live_server, "dashboard:index"),
    }


def test_the_main_pages_report_no_csp_violation(page, live_server, people, console):
    account = AccountFactory(tam=people["tam"], name="Delta Freight", priority=2)
    AdminFactory(username="ops.admin")
    violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and violations.append(message.text)
        ),
    )
    log_in(page, live_server, "ops.admin")
    for name, url in _main_pages(live_server, account).items():
        response = page.goto(url)
        page.wait_for_load_state("networkidle")
        assert response.status == 200, name
        assert "script-src 'self'" in response.headers["content-security-policy"], name
    assert violations == []
    assert console == []


def test_the_main_pages_fit_a_375_pixel_screen(page, live_server, people, console):
    account = AccountFactory(tam=people["tam"], name="Echo Logistics International Holdings")
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, live_server, "manager.one")
    for name, url in _main_pages(live_server, account).items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        # Wide tables scroll inside their box; the page itself never scrolls sideways.
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than the screen"
        menu = page.get_by_role("navigation", name="Main")
        assert menu.bounding_box()["x"] + menu.bounding_box()["width"] <= 375, name
    assert console == []


def test_the_admin_change_form_and_impact_preview_work_under_the_policy(
    page, live_server, people, console
):
    AccountFactory(tam=people["tam"], name="Gamma Mining")
    AdminFactory(username="ops.admin")
    log_in(page, live_server, "ops.admin")
    named = Segment.objects.get(code="named")
    page.goto(_url(live_server, "admin:segments_segment_change", named.pk))
    page.locator("input[name=min_arr]").fill("75000")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_role("heading", name="Your changes")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm and save")).to_be_visible()
    # The account's facts (related-object pickers, select2) still work in the account form.
    page.goto(_url(live_server, "admin:accounts_account_changelist"))
    page.get_by_role("link", name="Gamma Mining").click()
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-results")).to_be_visible()
    # Django's admin pages name no icon, so the browser asks for /favicon.ico (404).
    assert [error for error in console if "/favicon.ico" not in error] == []
