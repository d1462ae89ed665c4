"""The book's churned / renewal-passed badges in Chromium: shown, and short enough that a
375 px screen does not scroll sideways (the table scrolls inside its own box)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import AccountFactory, TamFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_badges_show_and_the_book_fits_a_375_pixel_screen(page, live_server):
    team = TeamFactory(manager=UserFactory(role="manager", username="manager.flags"))
    tam = TamFactory(team=team, username="tam.flags")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    AccountFactory(
        tam=tam,
        name="Echo Logistics International Holdings",
        arr=Decimal("0"),
        renewal_date=yesterday,
    )
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, live_server, "tam.flags")
    page.goto(f"{live_server.url}{reverse('book')}")

    expect(page.locator(".flag-churned")).to_have_text("Churned")
    expect(page.locator(".flag-renewal-passed")).to_have_text("Renewal passed")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the book is {overflow}px wider than the screen"
    assert errors == []
