"""The working day in Chromium (issue 12, point 14): a TAM works through Today and sets a
priority fact; a manager opens a burn-down list in full, sorts it, pages it and downloads
it. Screenshots of Today at 1366 px and 375 px go to screenshots/ beside the others.

Today's rules (portal/today_rules.py, rhythm/cadence.py, defaults): a US Enterprise Pr2
account is called every 60 days and a Pr1 every 30; a call `interval + n` days ago is
overdue by n days; the week is today to today + 7; overdue first, longest first, then by
due date. The priority (DESIGN 4, US Enterprise flowchart): an onboarded account with no
opportunity or initiative is Pr2 (`default`) unless it is at risk of contraction or churn,
which makes it Pr1 (`churn_risk`).
"""

import csv
import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Account
from tests.browser.conftest import log_in
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    TamFactory,
    TeamFactory,
    UserFactory,
    region,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 375, "height": 800}


@pytest.fixture
def team(db):
    manager = UserFactory(role="manager", username="manager.day", first_name="Mara")
    team = TeamFactory(manager=manager, region=region("us-enterprise"))
    tam = TamFactory(team=team, username="tam.day", first_name="Tomas", last_name="Tide")
    return {"manager": manager, "tam": tam}


def _called(tam, name, priority, days_ago):
    """A US Enterprise account of `tam` whose last cadence call was `days_ago` days ago."""
    account = AccountFactory(
        tam=tam,
        name=name,
        region=region("us-enterprise"),
        priority=priority,
        priority_reasons="churn_risk" if priority == 1 else "default",
    )
    ActivityFactory(
        account=account, occurred_on=timezone.localdate() - datetime.timedelta(days=days_ago)
    )
    return account


def test_a_tam_works_through_today_and_sets_a_priority_fact(
    page, live_server, team, console, screenshot_dir
):
    tam = team["tam"]
    fjord = _called(tam, "Fjord Shipping", priority=2, days_ago=64)  # overdue by 4 days
    _called(tam, "Borealis Bank", priority=1, days_ago=31)  # overdue by 1 day
    _called(tam, "Aurora Dental", priority=2, days_ago=58)  # due in 2 days
    _called(tam, "Calm Waters", priority=1, days_ago=5)  # due in 25 days: not this week
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "tam.day")

    expect(page).to_have_url(re.compile(r"/today/$"))
    rows = page.locator("#today-items tbody tr")
    expect(rows.locator("th")).to_have_text(["Fjord Shipping", "Borealis Bank", "Aurora Dental"])
    expect(rows.nth(0)).to_contain_text("overdue by 4 days")
    expect(rows.nth(1)).to_contain_text("overdue by 1 day")
    page.screenshot(path=screenshot_dir / "today.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshot_dir / "today-375.png", full_page=True)
    page.set_viewport_size(DESKTOP)

    rows.nth(0).get_by_role("link", name="Fjord Shipping").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fjord Shipping")
    expect(page.locator("h2#why")).to_have_text("Why Pr2")
    fact = page.locator("details#fact-at-risk")
    expect(fact.locator("form")).to_be_hidden()
    fact.locator("summary").click()
    fact.get_by_label("At risk").select_option("yes")
    fact.get_by_label("Why (goes on the timeline)").fill("Their champion left; renewal at risk.")
    fact.get_by_role("button", name="Set at risk").click()

    expect(page).to_have_url(re.compile(rf"/accounts/{fjord.pk}/#facts$"))
    expect(page.get_by_role("status")).to_contain_text("At risk set; the priority is recomputed.")
    priority = page.locator("dl.facts dt:text-is('Priority') + dd")
    expect(priority).to_contain_text("Pr1")
    expect(priority).to_contain_text(re.compile("churn_risk|At risk of contraction or churn"))
    expect(page.locator("h2#why")).to_have_text("Why Pr1")
    expect(page.locator("table.rules tr.fired")).to_contain_text(
        ["At risk of contraction or churn"]
    )
    expect(fact.locator("summary")).to_contain_text("At risk: yes")
    expect(page.locator("#timeline").locator("xpath=..")).to_contain_text(
        "Their champion left; renewal at risk."
    )
    assert Account.objects.get(pk=fjord.pk).priority == 1
    assert console == []


def test_a_manager_sorts_pages_and_downloads_a_burn_down_list(page, live_server, team, console):
    # "Not onboarded after 45 days": the factory's customers became customers on
    # 2024-03-01; no onboarded date puts them on the list. 55 rows: two pages of 50.
    for number in range(1, 56):
        AccountFactory(
            tam=team["tam"],
            name=f"Late Customer {number:02d}",
            onboarded_on=None,
            arr=Decimal(1000 * number),
        )
    log_in(page, live_server, "manager.day")
    page.get_by_role("link", name="Dashboard").click()

    page.locator("#burn-down-onboarding").get_by_role("link", name="All 55").click()
    expect(page).to_have_url(re.compile(r"/dashboard/lists/onboarding/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Not onboarded after 45 days")
    # Largest ARR first: the header link sorts ascending, a second click descending.
    page.get_by_role("link", name="ARR", exact=True).click()
    page.get_by_role("link", name="ARR", exact=True).click()
    expect(page.locator("th.desc")).to_have_text("ARR")
    names = page.locator("table.full-list tbody tr td:first-child")
    expect(names).to_have_count(50)
    expect(names.first).to_have_text("Late Customer 55")

    page.get_by_role("link", name="Next →").click()
    expect(page.get_by_text("Page 2 of 2 (55 accounts)")).to_be_visible()
    expect(names).to_have_text([f"Late Customer {n:02d}" for n in range(5, 0, -1)])

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    # Every row, not the page's, in the page's order.
    assert len(rows) == 55
    assert [row["account"] for row in rows[:2]] == ["Late Customer 55", "Late Customer 54"]
    assert rows[-1]["account"] == "Late Customer 01"
    assert {row["tam"] for row in rows} == {"Tomas Tide"}
    assert rows[0]["arr"] in {"55000", "55000.00"}
    assert console == []
