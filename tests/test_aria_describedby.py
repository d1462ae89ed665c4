"""`aria-describedby` points at ids that exist (issue 12 point 7).

Django (5.2) names a field's help text `<auto_id>_helptext` and its errors `<auto_id>_error`
in the widget's `aria-describedby`, and marks a field in error `aria-invalid`; the shared
field template (`templates/accounts/_form_field.html`) gives those ids to the help text and
the errors. Each page is parsed as a browser would read it, fresh and with rejected forms
(the rejected form is followed to wherever the page shows it, so the test holds whether it
comes back with a 400 or after a redirect).
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from prioritization.models import PriorityReview
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    AdminFactory,
    ManagerFactory,
    PriorityExceptionFactory,
    TamFactory,
    TeamFactory,
    region,
)

pytestmark = pytest.mark.django_db


class _Ids(HTMLParser):
    """Every id on the page, every aria-describedby reference, and the fields in error."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.references: list[tuple[str, str]] = []  # (the element's id or tag, the id named)
        self.invalid: list[tuple[str, str]] = []  # (the element's id, its aria-describedby)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        described_by = attributes.get("aria-describedby") or ""
        for name in described_by.split():
            self.references.append((attributes.get("id") or tag, name))
        if attributes.get("aria-invalid") == "true":
            self.invalid.append((attributes.get("id") or tag, described_by))


def _parsed(response) -> _Ids:
    assert response.status_code in (200, 400), response.status_code
    page = _Ids()
    page.feed(response.content.decode())
    return page


def _missing(page: _Ids) -> list[tuple[str, str]]:
    return [(element, name) for element, name in page.references if name not in page.ids]


@pytest.fixture
def people():
    manager = ManagerFactory()
    tam = TamFactory(team=TeamFactory(region=region("emea-enterprise"), manager=manager))
    account = AccountFactory(tam=tam, region=region("emea-enterprise"))
    PriorityExceptionFactory(account=account, requested_by=tam)
    PriorityReview.objects.create(
        account=account,
        fiscal_quarter="FY27-Q4",
        suggested_priority=2,
        proposed_priority=1,
        justification="Key logo",
        proposed_by=tam,
    )
    entry = ActivityFactory(account=account, logged_by=tam)
    return tam, manager, account, entry


def test_every_described_by_id_exists_on_the_pages_as_they_open(client, people):
    tam, manager, account, entry = people
    pages = {}
    for user in (tam, manager):
        client.force_login(user)
        for name, url in {
            "account": reverse("account_detail", args=[account.pk]),
            "today": reverse("today"),
            "book": reverse("book"),
            "dashboard": reverse("dashboard:index"),
            "entry": reverse("edit_entry", args=[account.pk, entry.pk]),
        }.items():
            pages[f"{name} ({user.role})"] = _parsed(client.get(url))
    client.force_login(AdminFactory())
    pages["imports"] = _parsed(client.get(reverse("imports")))

    assert {name: _missing(page) for name, page in pages.items() if _missing(page)} == {}
    # Not an empty check: the logging forms' help texts are described.
    assert any(name.endswith("_helptext") for _, name in pages["account (tam)"].references)


def test_every_described_by_id_exists_beside_rejected_forms(client, people):
    tam, manager, account, entry = people
    exception = account.priority_exceptions.get()
    client.force_login(tam)
    rejected = {
        "future call": client.post(
            reverse("log_activity", args=[account.pk, "cadence-call"]),
            {"call-occurred_on": "2999-01-01", "call-notes": "Planned"},
            follow=True,
        ),
        "long title": client.post(
            reverse("log_activity", args=[account.pk, "success-plan"]),
            {
                "plan-action": "add",
                "plan-title": "T" * 201,
                "plan-plan_state": "objectives",
                "plan-occurred_on": "2026-01-02",
            },
            follow=True,
        ),
        "no justification": client.post(
            reverse("request_exception", args=[account.pk]),
            {"requested_priority": "1", "justification": ""},
            follow=True,
        ),
        "entry edit": client.post(
            reverse("edit_entry", args=[account.pk, entry.pk]),
            {"occurred_on": "1999-01-01"},
            follow=True,
        ),
        "book search": client.get(reverse("book"), {"q": "x" * 201}),
    }
    client.force_login(manager)
    rejected["rejection without a comment"] = client.post(
        reverse("decide_exception", args=[exception.pk]),
        {"decision": "reject", "comment": ""},
        follow=True,
    )
    rejected["dashboard quarter"] = client.get(reverse("dashboard:index"), {"quarter": "Q9"})
    client.force_login(AdminFactory())
    rejected["import without a file"] = client.post(reverse("imports"), {}, follow=True)

    pages = {name: _parsed(response) for name, response in rejected.items()}

    assert {name: _missing(page) for name, page in pages.items() if _missing(page)} == {}
    # Each field in error says so and points at its error.
    for name, page in pages.items():
        assert page.invalid, f"{name}: no field marked in error"
        for element, described_by in page.invalid:
            assert f"{element}_error" in described_by.split(), (name, element)
