"""Will-churn proposals in the dashboard's review queue (DESIGN 11 "Triage register": the
TAM proposes `will_churn`, the team's manager signs it off; issue 13 point 6: it "waits in
the review queue for the manager").

Built on test_dashboard's team A (ann: Alpha 1-4, bob: Bravo 1-3) and team B's outsider.
A proposal is an open case with `will_churn_proposed_by` set; a case merely open, or one
already signed off (`will_churn`), waits for nobody.
"""

import datetime

import pytest
from django.urls import reverse

from tests.dashboard import test_dashboard as team_dashboard
from tests.dashboard.test_dashboard import TODAY, _account, _get, open_case
from tests.factories import region
from triage.models import CaseStatus

pytestmark = pytest.mark.django_db

_today, team_a, ann, bob, book, team_b, other_manager, outsider_account = (
    team_dashboard._today, team_dashboard.team_a, team_dashboard.ann, team_dashboard.bob,
    team_dashboard.book, team_dashboard.team_b, team_dashboard.other_manager,
    team_dashboard.outsider_account,
)  # fmt: skip


def proposed(account, days_ago=1, **fields):
    """An open case whose TAM proposed will churn `days_ago` days ago."""
    return open_case(
        account,
        will_churn_proposed_by=account.tam,
        will_churn_proposed_on=TODAY - datetime.timedelta(days=days_ago),
        **fields,
    )


@pytest.fixture
def cases(book, outsider_account, manager):
    """Two proposals in team A (Bravo 1 the older), one merely open, one signed off, and
    one on team B's account."""
    return {
        "a1": proposed(book["a1"], days_ago=2),
        "b1": proposed(book["b1"], days_ago=5),
        "open": open_case(book["a2"]),
        "signed": proposed(
            book["a3"], status=CaseStatus.WILL_CHURN, signed_off_by=manager, signed_off_on=TODAY
        ),
        "outsider": proposed(outsider_account),
    }


def test_the_managers_queue_lists_the_teams_proposals_oldest_first_with_links(
    client, manager, team_a, cases
):
    response = _get(client, manager)

    queue = response.context["queue"]
    assert [case.pk for case in queue.will_churn] == [cases["b1"].pk, cases["a1"].pk]
    assert queue.will_churn_total == 2
    assert "Will-churn proposals (2)" in response.text
    for key in ("a1", "b1"):
        page = reverse("account_detail", args=[cases[key].account_id])
        # The sign-off form is on the account page, beside the case's updates.
        assert f'href="{page}#triage-sign-off"' in response.text
    assert (
        f'href="{reverse("dashboard:queue_list", args=["will-churn"])}?scope=team-{team_a.pk}">'
        "All 2 →</a>"
    ) in response.text


def test_the_queue_names_the_oldest_five_and_links_all_of_them(client, manager, team_a, ann):
    oldest_first = [proposed(_account(ann, f"Churning {n}"), days_ago=10 - n) for n in range(7)]

    response = _get(client, manager)

    queue = response.context["queue"]
    assert [case.pk for case in queue.will_churn] == [case.pk for case in oldest_first[:5]]
    assert queue.will_churn_total == 7
    assert "Showing the oldest 5." in response.text
    assert "All 7 →</a>" in response.text
    full = client.get(
        reverse("dashboard:queue_list", args=["will-churn"]), {"scope": f"team-{team_a.pk}"}
    )
    assert full.context["total"] == 7


def test_a_proposal_of_the_manager_is_for_another_manager(client, manager, book):
    mine = open_case(book["a1"], will_churn_proposed_by=manager, will_churn_proposed_on=TODAY)

    response = _get(client, manager)

    assert [case.pk for case in response.context["queue"].will_churn] == [mine.pk]
    assert "another manager or an admin must sign it off" in response.text
    assert "#triage-sign-off" not in response.text


def test_a_tam_counts_the_teams_proposals_and_sees_their_own(client, ann, cases):
    response = _get(client, ann)

    assert [case.pk for case in response.context["queue"].will_churn] == [cases["a1"].pk]
    waiting = response.context["team_waiting"]
    assert (waiting.exceptions, waiting.reviews, waiting.will_churn) == (0, 0, 2)
    assert "2 requests from" in response.text and "2 will-churn proposals" in response.text
    assert "Your accounts' will-churn proposals (1)" in response.text
    assert "#triage-sign-off" not in response.text  # deciding is the manager's


def test_the_region_and_the_company_count_every_teams_proposals(client, admin_user, cases):
    as_region = _get(client, admin_user, scope=f"region-{region('us-enterprise').pk}")
    as_company = _get(client, admin_user, scope="company")

    everyone = {cases[key].pk for key in ("a1", "b1", "outsider")}
    for response in (as_region, as_company):
        queue = response.context["queue"]
        assert {case.pk for case in queue.will_churn} == everyone
        assert queue.will_churn_total == 3
