"""Priority facts the TAM keeps on the account page (DESIGN 12, issue 12 point 2): setting
one recomputes the account at once, goes on the timeline with who, the old and new value
and the comment, and needs a comment of at most 2,000 characters."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import priority_facts
from accounts.models import Account
from core.models import AuditEntry
from tests.factories import AccountFactory, ManagerFactory, TamFactory, TeamFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    # US Enterprise, onboarded, no opportunity or initiative: the flowchart's only way to
    # Pr1 left is "at risk of contraction or churn" (DESIGN 4), else Pr2 (`default`).
    team = TeamFactory(region=region("us-enterprise"), manager=ManagerFactory())
    return AccountFactory(tam=TamFactory(team=team), region=region("us-enterprise"))


def _post(client, user, account, fact, data):
    client.force_login(user)
    prefix = f"fact-{fact}"
    return client.post(
        reverse("set_fact", args=[account.pk, fact]),
        {f"{prefix}-{name}": value for name, value in data.items()},
    )


def _at_risk_form(client, account):
    page = client.get(reverse("account_detail", args=[account.pk]))
    return next(e["form"] for e in page.context["fact_forms"] if e["fact"].slug == "at-risk")


def test_setting_at_risk_makes_pr1_for_churn_risk_and_the_page_says_why(
    client, account, django_capture_on_commit_callbacks
):
    client.force_login(account.tam)
    before = client.get(reverse("account_detail", args=[account.pk]))
    assert before.context["explanation"].priority == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client, account.tam, account, "at-risk", {"value": "yes", "comment": "Champion left."}
        )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/accounts/{account.pk}/#facts")
    account.refresh_from_db()
    assert account.at_risk is True
    # Recomputed at once, not at night: the stored priority already says Pr1.
    assert account.priority == 1
    assert "churn_risk" in account.priority_reasons.split(";")
    page = client.get(response["Location"])
    explanation = page.context["explanation"]
    assert explanation.priority == 1
    churn = next(check for check in explanation.checks if check.code == "churn_risk")
    assert churn.fired
    assert b"At risk: <strong>yes</strong>" in page.content


def test_the_change_is_on_the_timeline_with_who_old_new_and_the_comment(client, account):
    _post(client, account.tam, account, "at-risk", {"value": "yes", "comment": "Champion left."})

    entry = AuditEntry.objects.get(via=priority_facts.VIA, object_id=str(account.pk))
    assert entry.actor == account.tam
    assert entry.before == {"at_risk": False, "comment": ""}
    assert entry.after == {"at_risk": True, "comment": "Champion left."}
    page = client.get(reverse("account_detail", args=[account.pk]))
    (change,) = page.context["fact_changes"]
    assert (change.who, change.label, change.old, change.new, change.comment) == (
        str(account.tam),
        "At risk",
        "no",
        "yes",
        "Champion left.",
    )
    assert b'from no to yes: <span class="timeline-notes">Champion left.</span>' in page.content


def test_the_team_manager_may_set_a_fact(client, account):
    manager = account.tam.team.manager
    response = _post(
        client, manager, account, "key-logo", {"value": "yes", "comment": "Case study signed."}
    )

    assert response.status_code == 302
    assert Account.objects.get(pk=account.pk).key_logo is True


def test_tam_sentiment_sets_the_day_it_was_given(client, account):
    _post(client, account.tam, account, "tam-sentiment", {"value": "red", "comment": "Outage."})

    account.refresh_from_db()
    assert (account.tam_sentiment, account.tam_sentiment_on) == ("red", timezone.localdate())


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("", "Say why the fact changes."),
        ("   ", "Say why the fact changes."),
        ("x" * 2001, "At most 2,000 characters (this one has 2,001)."),
    ],
)
def test_a_missing_or_too_long_comment_is_refused_beside_the_field(
    client, account, comment, message
):
    response = _post(client, account.tam, account, "at-risk", {"value": "yes", "comment": comment})

    # Back on the account page at the form, which comes back as typed with its errors.
    assert response["Location"].endswith(f"/accounts/{account.pk}/#fact-at-risk")
    form = _at_risk_form(client, account)
    assert form.errors == {"comment": [message]}
    assert form["value"].value() == "yes"  # the input is kept
    assert Account.objects.get(pk=account.pk).at_risk is False
    assert not AuditEntry.objects.filter(via=priority_facts.VIA).exists()


def test_2000_characters_are_enough(client, account):
    response = _post(
        client, account.tam, account, "org-change", {"value": "yes", "comment": "x" * 2000}
    )

    assert response.status_code == 302
    assert Account.objects.get(pk=account.pk).org_change is True


def test_setting_what_the_account_already_says_is_refused(client, account):
    _post(client, account.tam, account, "at-risk", {"value": "no", "comment": "Fine."})

    form = _at_risk_form(client, account)
    assert form.errors == {"value": ["Nothing changes: the account already says so."]}


def test_outside_the_book_is_404_and_changes_nothing(client, account):
    response = _post(
        client, TamFactory(), account, "at-risk", {"value": "yes", "comment": "Not mine."}
    )

    assert response.status_code == 404
    assert Account.objects.get(pk=account.pk).at_risk is False


def test_an_unknown_fact_is_404(client, account):
    response = _post(client, account.tam, account, "arr", {"value": "yes", "comment": "No."})

    assert response.status_code == 404
