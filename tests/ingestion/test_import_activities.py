"""Activities: kind-specific columns, and the same effects as an entry logged on the page."""

import datetime

import pytest
from django.core.management import CommandError

from accounts.models import Activity, Webinar
from ingestion import effects, service

pytestmark = pytest.mark.django_db

HEADER = (
    "external_id,account_external_id,kind,occurred_on,logged_by_email,notes,milestone,"
    "webinar_external_id,stayed_whole_session,feedback_score,survey_kind,nps,csat,"
    "playbook_kind,stage,started_on,completed_on,outcome,saved,success_plan\n"
)
# One row of every kind (DESIGN 10), details only in the columns of its kind.
EVERY_KIND = HEADER + (
    "A-1,ACC-1,cadence_call,2026-11-02,tam@example.com,Weekly sync,,,,,,,,,,,,,,\n"
    "A-2,ACC-1,ebr,2026-10-20,,,,,,,,,,,,,,,,\n"
    "A-3,ACC-1,onboarding_milestone,2024-03-20,,,onboarded,,,,,,,,,,,,,\n"
    "A-4,ACC-1,webinar_attendance,2026-10-05,,,,WEB-1,true,5,,,,,,,,,,\n"
    "A-5,ACC-1,survey_response,2026-11-01,,,,,,,six_month,9,4,,,,,,,\n"
    "A-6,ACC-1,playbook,2026-09-01,,,,,,,,,,stage_adoption,Verify,2026-09-01,,open,,\n"
    "A-7,ACC-1,license_save,2026-08-01,,,,,,,,,,,,,,,yes,\n"
    "A-8,ACC-1,success_plan_change,2026-11-03,,,,,,,,,,,,,,,,objectives\n"
)


@pytest.fixture
def account(account):
    account.external_id = "ACC-1"
    account.last_nps = 3
    account.save()
    account.tam.email = "tam@example.com"
    account.tam.save()
    Webinar.objects.create(external_id="WEB-1", title="Intro", held_on=datetime.date(2026, 10, 5))
    return account


def test_every_kind_is_imported_with_its_details_and_reimports_unchanged(
    account, run_import, export
):
    out, _ = run_import("activities", EVERY_KIND)

    assert "8 rows: 8 were created" in out
    attendance = Activity.objects.get(external_id="A-4")
    assert (attendance.webinar.external_id, attendance.stayed_whole_session) == ("WEB-1", True)
    assert Activity.objects.get(external_id="A-6").stage.name == "Verify"
    assert Activity.objects.get(external_id="A-1").logged_by == account.tam
    assert "Nothing changed" in run_import("activities", EVERY_KIND)[0]
    assert "Nothing changed" in run_import("activities", export("activities"), name="x.csv")[0]


def test_the_imported_facts_reach_the_account(account, run_import):
    # The factory's account was onboarded on 2024-04-10: an earlier milestone corrects it
    # (DESIGN 10: never moves a date that is already earlier, so a later one would not).
    run_import("activities", EVERY_KIND)

    account.refresh_from_db()
    assert account.onboarded_on == datetime.date(2024, 3, 20)
    assert account.last_nps == 9  # the survey of 2026-11-01 is the latest answer
    assert account.success_plan == "objectives"


def test_the_facts_come_out_the_same_when_the_file_is_written_in_chunks(
    account, run_import, monkeypatch
):
    """A file is written a chunk at a time, its effects applied at the end, a batch of
    candidates at a time: the newest answer and plan change and the earliest milestone
    win across chunks, a tie going to the later row, as in one chunk."""
    monkeypatch.setattr(service, "WRITE_CHUNK", 2)
    monkeypatch.setattr(effects.ActivityEffects, "APPLY_BATCH", 1)
    rows = HEADER + (
        "S-1,ACC-1,survey_response,2026-11-01,,,,,,,six_month,7,,,,,,,,\n"
        "M-1,ACC-1,onboarding_milestone,2024-03-25,,,onboarded,,,,,,,,,,,,,\n"
        "S-2,ACC-1,survey_response,2026-11-05,,,,,,,renewal,8,,,,,,,,\n"
        "P-1,ACC-1,success_plan_change,2026-11-03,,,,,,,,,,,,,,,,green\n"
        "M-2,ACC-1,onboarding_milestone,2024-03-21,,,onboarded,,,,,,,,,,,,,\n"
        "S-3,ACC-1,survey_response,2026-11-05,,,,,,,renewal,9,,,,,,,,\n"
        "P-2,ACC-1,success_plan_change,2026-10-01,,,,,,,,,,,,,,,,objectives\n"
    )

    run_import("activities", rows)

    account.refresh_from_db()
    assert account.last_nps == 9  # S-3 ties S-2 on the date and comes later
    assert (account.success_plan, account.success_plan_green_on) == (
        "green",
        datetime.date(2026, 11, 3),
    )
    assert account.onboarded_on == datetime.date(2024, 3, 21)


def test_a_later_milestone_never_moves_an_earlier_date(account, run_import):
    later = HEADER + "A-3,ACC-1,onboarding_milestone,2025-01-01,,,onboarded,,,,,,,,,,,,,\n"

    run_import("activities", later)

    account.refresh_from_db()
    assert account.onboarded_on == datetime.date(2024, 4, 10)


def test_an_older_survey_does_not_replace_a_newer_answer(account, run_import):
    newer = HEADER + "S-2,ACC-1,survey_response,2026-11-10,,,,,,,renewal,6,,,,,,,,\n"
    older = HEADER + "S-1,ACC-1,survey_response,2026-05-01,,,,,,,onboarding,10,,,,,,,,\n"
    run_import("activities", newer)

    run_import("activities", older, name="older.csv")

    account.refresh_from_db()
    assert account.last_nps == 6


def test_a_detail_of_another_kind_must_be_empty(account, run_import):
    text = HEADER + "A-1,ACC-1,cadence_call,2026-11-02,,,,,,,,9,,,,,,,,\n"

    with pytest.raises(CommandError):
        run_import("activities", text)

    assert run_import.stderr.splitlines() == [
        "line 2: nps: must be empty for a cadence_call activity"
    ]
    assert not Activity.objects.exists()


def test_a_kind_without_its_detail_or_with_an_unknown_webinar_is_refused(account, run_import):
    text = HEADER + (
        "A-1,ACC-1,survey_response,2026-11-02,,,,,,,,,,,,,,,,\n"
        "A-2,ACC-1,webinar_attendance,2026-11-02,,,,WEB-404,,,,,,,,,,,,\n"
        "A-3,ACC-1,webinar_attendance,2026-11-02,,,,WEB-1,,6,,,,,,,,,,\n"
    )

    with pytest.raises(CommandError):
        run_import("activities", text)

    assert run_import.stderr.splitlines() == [
        "line 2: survey_kind: required for a survey_response activity",
        "line 2: nps: a survey response gives the NPS, the CSAT or both",
        "line 3: webinar_external_id: no webinar 'WEB-404'",
        "line 4: feedback_score: must be between 1 and 5: 6",
    ]


def test_a_milestone_before_the_customer_since_is_refused_as_on_the_page(account, run_import):
    # The factory's customer started on 2024-03-01; the onboarding clocks start there.
    early = HEADER + "A-3,ACC-1,onboarding_milestone,2024-02-28,,,first_engaged,,,,,,,,,,,,,\n"

    with pytest.raises(CommandError):
        run_import("activities", early)

    assert (
        "line 2: occurred_on: is before the customer's start (2024-03-01): "
        "a milestone cannot come before it" in run_import.stderr
    )
    assert not Activity.objects.exists()
