import pytest

from tests.browser.conftest import log_in
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_tam_signs_in_and_sees_their_book(page, live_server, tam, screenshot_dir):
    AccountFactory(tam=tam, name="Smoke Test Account")
    log_in(page, live_server, tam.username)
    assert page.get_by_role("link", name="Smoke Test Account").is_visible()
    page.screenshot(path=screenshot_dir / "smoke-book.png", full_page=True)
