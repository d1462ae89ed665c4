"""Initiatives and opportunities the TAM keeps on the account page, and the TAM sentiment
re-confirmed (DESIGN 12, issue 12 point 2). Each change needs a comment, goes on the
timeline with who and when, and recomputes the account at once, moving the priority
exactly as an imported fact would (DESIGN 4: the US flowchart is Pr1 for a stage-adoption
initiative active this quarter with more than 2 TAM hours a week, or an open tier-upgrade
opportunity closing within 6 months)."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import fact_records, fact_timeline, priority_facts
from accounts.models import Account, Initiative, Opportunity
from core.models import AuditEntry
from lib.dates import add_months
from lib.fiscal import fiscal_quarter_of
from tests.factories import (
    AccountFactory,
    InitiativeFactory,
    ManagerFactory,
    OpportunityFactory,
    TamFactory,
    TeamFactory,
    region,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    # US Enterprise, onboarded, no opportunity or initiative, not at risk: Pr2 (`default`)
    # until a fact below makes one of the flowchart's rules fire.
    team = TeamFactory(region=region("us-enterprise"), manager=ManagerFactory())
    return AccountFactory(tam=TamFactory(team=team), region=region("us-enterprise"))


def _post(client, user, url, prefix, data):
    client.force_login(user)
    return client.post(url, {f"{prefix}-{name}": value for name, value in data.items()})


def _add(client, account, data, user=None):
    return _post(
        client,
        user or account.tam,
        reverse("add_initiative", args=[account.pk]),
        "initiative-new",
        data,
    )


def _change_initiative(client, account, initiative, data):
    return _post(
        client,
        account.tam,
        reverse("change_initiative", args=[account.pk, initiative.pk]),
        f"initiative-{initiative.pk}",
        data,
    )


def _change_opportunity(client, account, opportunity, data):
    return _post(
        client,
        account.tam,
        reverse("change_opportunity", args=[account.pk, opportunity.pk]),
        f"opportunity-{opportunity.pk}",
        data,
    )


def _stored(account):
    account.refresh_from_db()
    return account.priority, account.priority_reasons.split(";")


def _page(client, account):
    client.force_login(account.tam)
    return client.get(reverse("account_detail", args=[account.pk]))


def _check(page, code):
    return next(check for check in page.context["explanation"].checks if check.code == code)


# --- initiatives ------------------------------------------------------------------------


def test_a_stage_adoption_initiative_over_2_hours_makes_pr1_and_ending_it_undoes_it(
    client, account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _add(
            client,
            account,
            {"kind": "stage_adoption", "hours": "4.5", "comment": "Rolling out Secure."},
        )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/accounts/{account.pk}/#facts")
    assert _stored(account) == (1, ["stage_adoption"])
    initiative = Initiative.objects.get(account=account)
    # As the import writes it: this fiscal quarter's first day, open-ended, active.
    assert initiative.starts_on <= timezone.localdate()
    assert initiative.starts_on.day == 1
    assert (initiative.ends_on, initiative.status) == (None, "active")
    page = _page(client, account)
    check = _check(page, "stage_adoption")
    assert check.fired
    assert check.facts["stage_adoption_hours_per_week"] == "4.50"

    with django_capture_on_commit_callbacks(execute=True):
        response = _change_initiative(
            client,
            account,
            initiative,
            {"hours": "4.5", "status": "done", "comment": "Secure is live."},
        )

    assert response.status_code == 302
    assert _stored(account) == (2, ["default"])
    initiative.refresh_from_db()
    assert (initiative.status, initiative.ends_on) == ("done", timezone.localdate())
    assert not _check(_page(client, account), "stage_adoption").fired


def test_2_hours_a_week_is_not_more_than_2(client, account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _add(client, account, {"kind": "stage_adoption", "hours": "2", "comment": "Light."})

    assert _stored(account)[0] == 2


def test_raising_an_imported_initiatives_hours_moves_the_priority(
    client, account, django_capture_on_commit_callbacks
):
    quarter_start = fiscal_quarter_of(timezone.localdate(), settings.FISCAL_YEAR_START_MONTH).start
    initiative = InitiativeFactory(
        account=account,
        external_id="INI-7",
        kind="infrastructure_change",
        tam_hours_per_week=Decimal("1"),
        starts_on=quarter_start,
    )
    page = _page(client, account)
    form = page.context["record_forms"]["initiatives"][0]["form"]
    assert "next import" in form.fields["status"].help_text

    with django_capture_on_commit_callbacks(execute=True):
        _change_initiative(
            client,
            account,
            initiative,
            {"hours": "6", "status": "active", "comment": "Kubernetes migration."},
        )

    assert _stored(account) == (1, ["infra_change"])
    assert Initiative.objects.get(pk=initiative.pk).external_id == "INI-7"


def test_the_initiatives_changes_are_on_the_timeline(client, account):
    _add(client, account, {"kind": "stage_adoption", "hours": "3", "comment": "Plan stage."})
    initiative = Initiative.objects.get(account=account)
    _change_initiative(
        client, account, initiative, {"hours": "5", "status": "active", "comment": "More users."}
    )
    _change_initiative(
        client, account, initiative, {"hours": "5", "status": "cancelled", "comment": "Paused."}
    )

    page = _page(client, account)
    changes = [
        (change.who, change.label, change.old, change.new, change.comment)
        for change in page.context["fact_changes"]
    ]
    who = str(account.tam)
    assert changes == [
        (who, "Stage adoption initiative", "active", "cancelled", "Paused."),
        (
            who,
            "Stage adoption initiative",
            "3 TAM hours a week",
            "5 TAM hours a week",
            "More users.",
        ),
        (who, "Stage adoption initiative", "none", "3 TAM hours a week", "Plan stage."),
    ]
    assert b"from 3 TAM hours a week to 5 TAM hours a week" in page.content


def test_the_team_manager_may_add_an_initiative(client, account):
    response = _add(
        client,
        account,
        {"kind": "expansion_play", "hours": "1", "comment": "Upsell play."},
        user=account.tam.team.manager,
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(via=priority_facts.VIA, model="accounts.initiative")
    assert entry.actor == account.tam.team.manager


def test_changing_nothing_is_refused(client, account):
    initiative = InitiativeFactory(account=account, tam_hours_per_week=Decimal("3"))

    _change_initiative(
        client, account, initiative, {"hours": "3.00", "status": "active", "comment": "Same."}
    )

    form = _page(client, account).context["record_forms"]["initiatives"][0]["form"]
    assert form.non_field_errors() == ["Nothing changes: the account already says so."]
    assert not AuditEntry.objects.filter(via=priority_facts.VIA).exists()


# --- opportunities ----------------------------------------------------------------------


def test_moving_an_uptier_close_date_into_and_out_of_6_months_moves_the_priority(
    client, account, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    opportunity = OpportunityFactory(account=account, close_date=add_months(today, 8))
    assert _check(_page(client, account), "uptier_opportunity").fired is False

    with django_capture_on_commit_callbacks(execute=True):
        _change_opportunity(
            client,
            account,
            opportunity,
            {"close_date": add_months(today, 3), "status": "open", "comment": "Pulled in."},
        )

    assert _stored(account) == (1, ["uptier_opportunity"])
    check = _check(_page(client, account), "uptier_opportunity")
    assert check.facts["open_uptier_close_dates"] == [add_months(today, 3).isoformat()]

    # The window is (today, today + 6 months]: a day past it is out.
    with django_capture_on_commit_callbacks(execute=True):
        _change_opportunity(
            client,
            account,
            opportunity,
            {
                "close_date": add_months(today, 6) + datetime.timedelta(days=1),
                "status": "open",
                "comment": "Slipped.",
            },
        )

    assert _stored(account) == (2, ["default"])


def test_an_opportunity_won_no_longer_counts(client, account, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    opportunity = OpportunityFactory(account=account, close_date=add_months(today, 2))
    with django_capture_on_commit_callbacks(execute=True):
        _change_opportunity(
            client,
            account,
            opportunity,
            {"close_date": today, "status": "won", "comment": "Signed today."},
        )

    assert _stored(account) == (2, ["default"])
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.close_date) == ("won", today)
    (change,) = _page(client, account).context["fact_changes"]
    assert (change.label, change.old, change.new) == (
        "Tier upgrade opportunity",
        f"closing {add_months(today, 2).isoformat()}, open",
        f"closing {today.isoformat()}, won",
    )
    # Closed: it is not offered for change any more, and a stale form changes nothing.
    assert _page(client, account).context["record_forms"]["opportunities"] == []
    response = _change_opportunity(
        client, account, opportunity, {"close_date": today, "status": "lost", "comment": "?"}
    )
    assert response.status_code == 302
    assert Opportunity.objects.get(pk=opportunity.pk).status == "won"


# --- TAM sentiment re-confirmed ---------------------------------------------------------


def test_the_same_sentiment_again_reconfirms_it_with_a_new_date(client, account):
    given_on = timezone.localdate() - datetime.timedelta(days=100)
    Account.objects.filter(pk=account.pk).update(tam_sentiment="green", tam_sentiment_on=given_on)

    response = _post(
        client,
        account.tam,
        reverse("set_fact", args=[account.pk, "tam-sentiment"]),
        "fact-tam-sentiment",
        {"value": "green", "comment": "QBR went well."},
    )

    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.tam_sentiment, account.tam_sentiment_on) == ("green", timezone.localdate())
    page = _page(client, account)
    (change,) = page.context["fact_changes"]
    assert (change.label, change.new, change.reconfirmed, change.comment) == (
        "TAM sentiment",
        "Green",
        True,
        "QBR went well.",
    )
    assert b"re-confirmed <strong>TAM sentiment</strong> Green:" in page.content


def test_no_sentiment_cannot_be_reconfirmed(client, account):
    with pytest.raises(ValidationError) as refused:
        priority_facts.set_fact(
            account=account, user=account.tam, fact="tam-sentiment", value="", comment="None."
        )

    assert refused.value.message_dict == {
        "value": ["Nothing changes: the account already says so."]
    }


# --- bad input: one message at the field, nothing written --------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"hours": "-1"}, "hours", fact_records.HOURS_MESSAGE),
        ({"hours": "169"}, "hours", fact_records.HOURS_MESSAGE),
        ({"hours": "1.125"}, "hours", fact_records.HOURS_MESSAGE),
        ({"hours": "a lot"}, "hours", fact_records.HOURS_MESSAGE),
        ({"comment": ""}, "comment", "Say why the fact changes."),
        (
            {"comment": "x" * 2001},
            "comment",
            "At most 2,000 characters (this one has 2,001).",
        ),
    ],
)
def test_a_bad_initiative_is_refused_at_its_field(client, account, data, field, message):
    typed = {"kind": "stage_adoption", "hours": "4", "comment": "Why.", **data}

    response = _add(client, account, typed)

    assert response.status_code == 302
    assert response["Location"].endswith(f"/accounts/{account.pk}/#initiative-new")
    form = _page(client, account).context["record_forms"]["add_initiative"]
    assert form.errors == {field: [message]}
    assert form[field].value() == typed[field]  # the input is kept
    assert not Initiative.objects.exists()
    assert not AuditEntry.objects.filter(via=priority_facts.VIA).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"close_date": "1999-12-31"}, "close_date", fact_records.CLOSE_DATE_MESSAGE),
        ({"close_date": "2101-01-01"}, "close_date", fact_records.CLOSE_DATE_MESSAGE),
        ({"close_date": "31/12/2027"}, "close_date", fact_records.CLOSE_DATE_MESSAGE),
        ({"comment": "  "}, "comment", "Say why the fact changes."),
    ],
)
def test_a_bad_close_date_or_comment_is_refused_at_its_field(client, account, data, field, message):
    opportunity = OpportunityFactory(account=account, close_date=datetime.date(2027, 6, 30))
    typed = {"close_date": "2027-03-31", "status": "open", "comment": "Why.", **data}

    _change_opportunity(client, account, opportunity, typed)

    form = _page(client, account).context["record_forms"]["opportunities"][0]["form"]
    assert form.errors == {field: [message]}
    assert Opportunity.objects.get(pk=opportunity.pk).close_date == datetime.date(2027, 6, 30)
    assert not AuditEntry.objects.filter(via=priority_facts.VIA).exists()


def test_the_service_refuses_what_the_form_would(account):
    """Bad input from outside the form (a script, a later API) meets the same bounds."""
    with pytest.raises(ValidationError) as refused:
        fact_records.add_initiative(
            account=account,
            user=account.tam,
            kind="stage_adoption",
            hours=Decimal("-1"),
            comment="Why.",
        )

    assert refused.value.message_dict == {"hours": [fact_records.HOURS_MESSAGE]}
    assert not Initiative.objects.exists()


# --- scope --------------------------------------------------------------------------------


def test_another_tams_account_is_404_and_changes_nothing(client, account):
    stranger = TamFactory()
    initiative = InitiativeFactory(account=account)
    opportunity = OpportunityFactory(account=account)

    responses = [
        _add(client, account, {"kind": "stage_adoption", "hours": "9", "comment": "x"}, stranger),
        _post(
            client,
            stranger,
            reverse("change_initiative", args=[account.pk, initiative.pk]),
            f"initiative-{initiative.pk}",
            {"hours": "9", "status": "active", "comment": "x"},
        ),
        _post(
            client,
            stranger,
            reverse("change_opportunity", args=[account.pk, opportunity.pk]),
            f"opportunity-{opportunity.pk}",
            {"close_date": "2027-01-01", "status": "won", "comment": "x"},
        ),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404]
    assert Initiative.objects.get().tam_hours_per_week == Decimal("3")
    assert Opportunity.objects.get().status == "open"


def test_an_initiative_of_another_account_is_404_through_mine(client, account):
    elsewhere = InitiativeFactory(account=AccountFactory(tam=TamFactory()))

    response = _change_initiative(
        client, account, elsewhere, {"hours": "9", "status": "active", "comment": "x"}
    )

    assert response.status_code == 404
    assert Initiative.objects.get(pk=elsewhere.pk).tam_hours_per_week == Decimal("3")


def test_the_timeline_read_back_keeps_to_the_account(client, account):
    other = AccountFactory(tam=account.tam, region=account.region)
    _add(client, other, {"kind": "stage_adoption", "hours": "3", "comment": "Other."})

    assert fact_timeline.fact_changes(account) == []
    assert len(fact_timeline.fact_changes(other)) == 1
