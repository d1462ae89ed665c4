"""Long unbroken words wrap (issue 12 point 7): a pasted link in an entry's notes, an
exception's justification and a priority fact's comment, each as long as its bound allows
on one line, leave the account page as wide as the window, at 1366 px and at 375 px
(`static/css/portal.css`, `overflow-wrap: anywhere`)."""

import pytest
from django.urls import reverse

from accounts import priority_facts
from tests.browser.conftest import log_in
from tests.factories import AccountFactory, ActivityFactory, PriorityExceptionFactory, TamFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WORD = "https://example.com/" + "a" * 600  # one word: no space, no hyphen


@pytest.mark.parametrize("width", [1366, 375])
def test_a_long_word_wraps_instead_of_widening_the_page(page, live_server, width):
    tam = TamFactory(username="tam.words")
    account = AccountFactory(tam=tam, name="Wordy Ltd")
    ActivityFactory(account=account, logged_by=tam, notes=WORD)
    PriorityExceptionFactory(account=account, requested_by=tam, justification=WORD)
    priority_facts.set_fact(account=account, user=tam, fact="at-risk", value=True, comment=WORD)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "tam.words")

    page.goto(f"{live_server.url}{reverse('account_detail', args=[account.pk])}")

    assert page.get_by_text(WORD).count() >= 3  # the notes, the justification, the comment
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
