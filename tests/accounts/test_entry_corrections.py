"""Correcting a timeline entry (issue 12 point 3): who may, what it records, the facts it
recomputes, and the imported entries it leaves to their source system."""

import datetime

import pytest
from django.urls import reverse

from accounts import activity_log, entry_corrections
from accounts.models import Activity, ActivityKind, Milestone
from accounts.timeline_rules import (
    holds_latest,
    latest_after_correction,
    milestone_after_correction,
)
from core.changes import accounts_changing
from core.models import AuditEntry
from tests.factories import AccountFactory

D = datetime.date


# --- the pure rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recorded", "was_on", "left", "now"),
    [
        # The corrected entry set the date: the earliest entry left takes over.
        (D(2026, 3, 5), D(2026, 3, 5), [D(2026, 3, 9), D(2026, 3, 7)], D(2026, 3, 7)),
        # ... and with none left the date is unknown again.
        (D(2026, 3, 5), D(2026, 3, 5), [], None),
        # An earlier date (the import's or another entry's) still stands.
        (D(2026, 3, 1), D(2026, 3, 5), [], D(2026, 3, 1)),
        # An edit to an earlier date moves the milestone with it (a milestone is the first).
        (D(2026, 3, 5), D(2026, 3, 5), [D(2026, 3, 2)], D(2026, 3, 2)),
        # The same day on another entry: it holds the date now.
        (D(2026, 3, 5), D(2026, 3, 5), [D(2026, 3, 5)], D(2026, 3, 5)),
        (None, D(2026, 3, 5), [D(2026, 3, 6)], D(2026, 3, 6)),
    ],
)
def test_milestone_after_correction(recorded, was_on, left, now):
    assert (
        milestone_after_correction(recorded_on=recorded, corrected_was_on=was_on, entry_dates=left)
        == now
    )


def test_the_latest_entry_left_holds_the_fact_the_corrected_one_held():
    left = [(D(2026, 1, 10), 1, 6), (D(2026, 2, 10), 2, 8)]

    assert (
        latest_after_correction(recorded=9, held_by_corrected=True, corrected_id=3, entries=left)
        == 8
    )
    # Not held by it, not the latest now: the recorded value (a later answer's) stands.
    assert (
        latest_after_correction(recorded=9, held_by_corrected=False, corrected_id=1, entries=left)
        == 9
    )
    # Edited to be the latest: it holds the fact now.
    assert (
        latest_after_correction(recorded=9, held_by_corrected=False, corrected_id=2, entries=left)
        == 8
    )
    assert (
        latest_after_correction(recorded=9, held_by_corrected=True, corrected_id=3, entries=[])
        is None
    )


def test_one_day_two_entries_the_later_logged_holds():
    first, second = (D(2026, 1, 10), 1, 6), (D(2026, 1, 10), 2, 8)

    assert holds_latest(entry=second, entries=[first, second])
    assert not holds_latest(entry=first, entries=[first, second])


# --- who may ----------------------------------------------------------------------------------


CALLED_ON = D(2026, 1, 15)


def _call(account, user, on=CALLED_ON):
    return activity_log.log_cadence_call(account=account, user=user, occurred_on=on, notes="Call.")


def _edit_url(entry):
    return reverse("edit_entry", args=[entry.account_id, entry.pk])


def _remove_url(entry):
    return reverse("remove_entry", args=[entry.account_id, entry.pk])


def test_who_logged_it_the_manager_and_an_admin_may_correct(
    account, tam, manager, admin_user, client
):
    entry = _call(account, tam)

    for user in (tam, manager, admin_user):
        client.force_login(user)
        assert client.get(_edit_url(entry)).status_code == 200


def test_the_tam_may_not_correct_what_the_manager_logged(account, tam, manager, client):
    """In scope but not theirs: 403, and no edit control beside the entry."""
    entry = _call(account, manager)
    client.force_login(tam)

    assert client.get(_edit_url(entry)).status_code == 403
    assert client.post(_remove_url(entry)).status_code == 403
    page = client.get(reverse("account_detail", args=[account.pk]))
    assert _edit_url(entry) not in page.content.decode()
    assert Activity.objects.filter(pk=entry.pk).exists()


def test_outside_the_scope_an_entry_is_not_found(account, tam, other_tam, client):
    entry = _call(account, tam)
    client.force_login(other_tam)

    assert client.get(_edit_url(entry)).status_code == 404
    assert client.post(_remove_url(entry)).status_code == 404


def test_an_entry_of_another_account_is_not_found_under_this_one(account, tam, client):
    entry = _call(account, tam)
    other = _call(AccountFactory(tam=tam), tam)
    client.force_login(tam)

    assert client.get(reverse("edit_entry", args=[account.pk, other.pk])).status_code == 404
    assert client.get(_edit_url(entry)).status_code == 200


# --- editing ----------------------------------------------------------------------------------


def test_editing_the_date_is_recorded_in_the_audit_log_and_on_the_timeline(account, tam, client):
    entry = _call(account, tam)
    client.force_login(tam)

    response = client.post(_edit_url(entry), {"occurred_on": "2026-01-12", "notes": "Call."})

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{account.pk}/#timeline"
    entry.refresh_from_db()
    assert entry.occurred_on == D(2026, 1, 12)
    audit = AuditEntry.objects.get(model="accounts.activity", object_id=str(entry.pk))
    assert (audit.action, audit.actor, audit.via) == ("changed", tam, "account page")
    assert audit.before == {"occurred_on": "2026-01-15"}
    assert audit.after == {"occurred_on": "2026-01-12"}
    page = client.get(reverse("account_detail", args=[account.pk])).content.decode()
    assert f"Edited by {tam} on " in page


def test_a_wrong_date_comes_back_beside_its_field_with_the_input_kept(account, tam, client):
    entry = _call(account, tam)
    client.force_login(tam)

    response = client.post(_edit_url(entry), {"occurred_on": "2099-01-01", "notes": "Kept."})

    assert response.status_code == 400
    assert response.context["form"].errors["occurred_on"] == [
        "Log what happened: the date is in the future."
    ]
    assert 'value="2099-01-01"' in response.content.decode()
    assert "Kept." in response.content.decode()
    entry.refresh_from_db()
    assert entry.occurred_on == D(2026, 1, 15)


def test_a_date_before_customer_since_is_refused(account, tam):
    entry = _call(account, tam)

    with pytest.raises(entry_corrections.ValidationError) as error:
        entry_corrections.edit_entry(activity=entry, user=tam, occurred_on=D(2024, 2, 28))

    assert "customer-since" in str(error.value)


def test_editing_the_latest_answers_score_changes_the_last_nps(account, tam):
    answer = _survey(account, tam, D(2026, 2, 1), 9)

    entry_corrections.edit_entry(activity=answer, user=tam, occurred_on=D(2026, 2, 1), nps=4)

    account.refresh_from_db()
    assert account.last_nps == 4


# --- removing and what it recomputes ------------------------------------------------------------


def _survey(account, user, on, nps):
    return activity_log.log_survey_response(
        account=account, user=user, survey_kind="renewal", occurred_on=on, nps=nps
    )


@pytest.fixture
def announced():
    seen = []

    def receiver(sender, account_ids, **kwargs):
        seen.extend(account_ids)

    accounts_changing.connect(receiver, weak=False)
    yield seen
    accounts_changing.disconnect(receiver)


def test_removing_the_latest_nps_answer_restores_the_previous_one(account, tam, announced):
    _survey(account, tam, D(2026, 1, 10), 6)
    latest = _survey(account, tam, D(2026, 2, 10), 9)
    account.refresh_from_db()
    assert account.last_nps == 9
    announced.clear()

    entry_corrections.remove_entry(activity=latest, user=tam)

    account.refresh_from_db()
    assert account.last_nps == 6
    assert announced == [account.pk]  # segment and priority follow


def test_removing_an_older_answer_leaves_the_last_nps(account, tam, announced):
    older = _survey(account, tam, D(2026, 1, 10), 6)
    _survey(account, tam, D(2026, 2, 10), 9)
    announced.clear()

    entry_corrections.remove_entry(activity=older, user=tam)

    account.refresh_from_db()
    assert account.last_nps == 9
    assert announced == []


def test_removing_a_milestone_falls_back_to_the_remaining_one(account, tam):
    """First engaged on 03-10, corrected by an entry of 03-05; removing the correction
    gives 03-10 back (DESIGN 1: a milestone is the first time it happened)."""
    activity_log.log_milestone(
        account=account, user=tam, milestone=Milestone.FIRST_ENGAGED, occurred_on=D(2024, 3, 10)
    )
    correction = activity_log.log_milestone(
        account=account, user=tam, milestone=Milestone.FIRST_ENGAGED, occurred_on=D(2024, 3, 5)
    )

    entry_corrections.remove_entry(activity=correction, user=tam)

    account.refresh_from_db()
    assert account.first_engaged_on == D(2024, 3, 10)


def test_removing_the_only_milestone_entry_clears_the_date_it_set(account, tam, announced):
    entry = activity_log.log_milestone(
        account=account, user=tam, milestone=Milestone.ONBOARDED, occurred_on=D(2024, 4, 1)
    )
    announced.clear()

    entry_corrections.remove_entry(activity=entry, user=tam)

    account.refresh_from_db()
    assert account.onboarded_on is None
    assert announced == [account.pk]


def test_removing_a_plan_change_restores_the_state_of_the_one_before(account, tam):
    first = dict(action="state", management_qualified=False, account=account, user=tam)
    activity_log.log_success_plan_change(occurred_on=D(2026, 1, 5), plan_state="unclear", **first)
    later = activity_log.log_success_plan_change(
        occurred_on=D(2026, 1, 20), plan_state="none", **first
    )

    entry_corrections.remove_entry(activity=later, user=tam)

    account.refresh_from_db()
    assert account.success_plan == "unclear"


def test_a_removal_is_audited_and_noted_on_the_timeline(account, tam, manager, client):
    entry = _call(account, tam)
    client.force_login(manager)

    response = client.post(_remove_url(entry))

    assert response["Location"] == f"/accounts/{account.pk}/#timeline"
    assert not Activity.objects.filter(pk=entry.pk).exists()
    audit = AuditEntry.objects.get(model="accounts.activity", object_id=str(entry.pk))
    assert (audit.action, audit.actor, audit.after) == ("deleted", manager, None)
    assert audit.before["notes"] == "Call."
    page = client.get(reverse("account_detail", args=[account.pk])).content.decode()
    assert f"Cadence call on 2026-01-15 removed by {manager} on " in page


# --- imported entries ---------------------------------------------------------------------------


def test_an_imported_entry_is_left_to_its_source(account, admin_user, client):
    imported = Activity.objects.create(
        account=account,
        kind=ActivityKind.CADENCE_CALL,
        occurred_on=D(2026, 1, 3),
        external_id="CRM-77",
    )
    client.force_login(admin_user)

    assert client.get(_edit_url(imported)).status_code == 403
    assert client.post(_remove_url(imported)).status_code == 403
    page = client.get(reverse("account_detail", args=[account.pk])).content.decode()
    assert "Imported from the source system (external id CRM-77)" in page
    assert _edit_url(imported) not in page
    assert Activity.objects.filter(pk=imported.pk).exists()
