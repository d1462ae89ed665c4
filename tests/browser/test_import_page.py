"""The import page in a real browser, under the real Content Security Policy: an admin
uploads a folder's files, reads the preview, confirms; a background import's progress
bar follows the record without a reload."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import SuccessPlanObjective
from ingestion.models import ImportRecord
from tests.browser.conftest import log_in
from tests.factories import AccountFactory, AdminFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OBJECTIVES = (
    "external_id,account_external_id,title,due_on,green\n"
    "OBJ-1,ACC-1,Move CI to the product,2027-01-15,no\n"
)
USAGE = "account_external_id,taken_on,licensed_users,active_users\nACC-1,2026-11-02,200,90\n"


@pytest.fixture
def errors(page):
    found = []
    page.on("console", lambda message: message.type == "error" and found.append(message.text))
    page.on("pageerror", lambda error: found.append(f"uncaught: {error}"))
    return found


def test_an_admin_previews_and_confirms_a_folder(page, live_server, errors, tmp_path):
    AccountFactory(external_id="ACC-1")
    AdminFactory(username="ops.admin")
    (tmp_path / "objectives.csv").write_text(OBJECTIVES)
    (tmp_path / "usage.csv").write_text(USAGE)
    log_in(page, live_server, "ops.admin")

    page.get_by_role("link", name="Imports").click()
    expect(page.get_by_text("No imports yet.")).to_be_visible()
    page.get_by_label("Kind").select_option("folder")
    page.get_by_label("File(s)").set_input_files(
        [tmp_path / "objectives.csv", tmp_path / "usage.csv"]
    )
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", name="What the import would do")).to_be_visible()
    assert not SuccessPlanObjective.objects.exists()
    page.get_by_role("button", name="Confirm: import 2 rows").click()
    expect(page.get_by_role("heading", name="What the import did")).to_be_visible()
    assert SuccessPlanObjective.objects.get().title == "Move CI to the product"
    assert errors == []


def test_the_progress_bar_follows_a_background_import_without_a_reload(page, live_server, errors):
    admin = AdminFactory(username="ops.admin")
    record = ImportRecord.objects.create(
        created_by=admin, kind="usage", file_names="usage.csv", status="running",
        rows_total=100, rows_done=40, counts=[],
    )  # fmt: skip
    log_in(page, live_server, "ops.admin")
    page.goto(f"{live_server.url}{reverse('import_detail', args=[record.pk])}")
    bar = page.locator("progress#import-bar")
    expect(bar).to_have_attribute("value", "40")

    ImportRecord.objects.filter(pk=record.pk).update(rows_done=70)
    expect(bar).to_have_attribute("value", "70", timeout=10_000)
    counts = {"kind": "usage", "source": "usage.csv", "notes": []}
    counts |= {"rows": 100, "created": 100, "updated": 0, "unchanged": 0}
    ImportRecord.objects.filter(pk=record.pk).update(status="done", rows_done=100, counts=[counts])

    expect(page.locator("#import-progress")).to_contain_text("Done: 100 rows", timeout=10_000)
    assert errors == []
