"""Records made in the portal (no source id) export as `portal-<pk>` and come back to
themselves (ingestion/portal_ids.py, DESIGN 10: re-sending a record updates it)."""

import pytest

from accounts.models import Activity, Opportunity
from tests.factories import AccountFactory, ActivityFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_an_activity_logged_in_the_portal_exports_with_an_id_made_of_its_primary_key(export):
    call = ActivityFactory(external_id=None)

    rows = export("activities").splitlines()

    assert rows[1].startswith(f"portal-{call.pk},{call.account.external_id},cadence_call,")


def test_its_export_re_imports_as_unchanged_and_then_keeps_that_id(export, run_import):
    call = ActivityFactory(external_id=None)

    out, _ = run_import("activities", export("activities"))

    assert "0 were created, 0 updated, 1 unchanged" in out
    assert list(Activity.objects.values_list("pk", "external_id")) == [
        (call.pk, f"portal-{call.pk}")
    ]


def test_a_changed_record_under_its_portal_id_updates_that_record(export, run_import):
    opportunity = OpportunityFactory(external_id=None)
    text = export("opportunities").replace("2026-12-31", "2027-02-01")

    out, _ = run_import("opportunities", text)

    assert "0 were created, 1 updated" in out
    opportunity.refresh_from_db()
    assert str(opportunity.close_date) == "2027-02-01"
    assert Opportunity.objects.count() == 1


def test_a_portal_id_about_another_account_is_a_new_record_not_that_row(run_import):
    # Another database's `portal-<pk>` may name a row here about some other account.
    here = OpportunityFactory(external_id=None)
    other = AccountFactory()
    text = (
        "external_id,account_external_id,kind,close_date\n"
        f"portal-{here.pk},{other.external_id},growth,2027-01-15\n"
    )

    out, _ = run_import("opportunities", text)

    assert "1 were created" in out
    here.refresh_from_db()
    assert here.external_id is None
    assert Opportunity.objects.get(external_id=f"portal-{here.pk}").account == other
