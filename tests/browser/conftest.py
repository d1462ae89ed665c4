"""Playwright drives Debian's Chromium (installed by scripts/test): no browser download here.

pytest-playwright has no option for the executable, so the session fixture that builds the
launch arguments is overridden. Each browser test runs against `live_server`, which needs
transactional tests; `serialized_rollback` keeps the data migrations' rows for the tests after.
"""

import asyncio
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium package")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def _sync_connections():
    """The database connections as synchronous code sees them, before Playwright starts."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return {alias: connections[alias] for alias in connections}
    pytest.fail("Playwright started before the database connections were captured")


@pytest.fixture(scope="session")
def playwright(_sync_connections, playwright):
    """Keep one connection per database once Playwright's event loop runs.

    With a loop running, Django keeps connections per async context instead of per
    thread, so the tests would get new connection objects without the serialized
    migration data that `serialized_rollback` restores from: a browser test after
    another one (or after any flushing test) would start with an empty database.
    """
    for alias, connection in _sync_connections.items():
        connections[alias] = connection
    return playwright


@pytest.fixture
def screenshot_dir():
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def console(page):
    """Everything the browser reports as an error: CSP violations, failed loads, exceptions."""
    errors = []

    def record(message):
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", record)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return errors


def log_in(page, live_server, username, password="test-password-123"):
    """Log in through the real form, as a user would."""
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
