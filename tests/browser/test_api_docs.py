"""The docs page in a real browser under the real CSP: Swagger UI draws every endpoint
from the sidecar's files, with a clean console (no CSP violation, no failed load)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_swagger_ui_draws_the_api_with_a_clean_console(page, live_server):
    AdminFactory(username="ops.admin")
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    log_in(page, live_server, "ops.admin")
    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_text("/api/v1/accounts/{external_id}/explanation/")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert errors == []
