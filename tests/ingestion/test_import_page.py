"""The import page (DESIGN 10, "In the browser"): upload, preview, confirm, every import kept."""

import datetime
from contextlib import nullcontext

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from accounts.models import SuccessPlanObjective, UsageSnapshot
from ingestion.kinds import KIND_LABELS, ORDER
from ingestion.models import ImportRecord
from ingestion.records import _ProgressWriter
from portal.tasks import run_import

pytestmark = pytest.mark.django_db

HEADER = "external_id,account_external_id,title,due_on,green\n"
# OBJ-1 exists with another title and no due date: one change of two fields; OBJ-2 is new.
GOOD = HEADER + "OBJ-1,ACC-1,Move CI to the product,2027-01-15,no\nOBJ-2,ACC-1,Train admins,,yes\n"
# Line 2: a date that is not one; line 3: an account that does not exist.
BAD = HEADER + "OBJ-1,ACC-1,Move CI,15/01/2027,no\nOBJ-3,ACC-404,Train admins,,yes\n"


@pytest.fixture
def account(account):
    account.external_id = "ACC-1"
    account.save()
    SuccessPlanObjective.objects.create(
        external_id="OBJ-1", account=account, title="Move CI", green=False
    )
    return account


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _upload(client, kind, *files):
    uploads = [SimpleUploadedFile(name, text.encode()) for name, text in files]
    return client.post(reverse("imports"), {"kind": kind, "files": uploads})


def _preview(client, kind, name, text):
    response = _upload(client, kind, (name, text))
    assert response.status_code == 302, response.content.decode()
    return ImportRecord.objects.get()


def test_the_page_says_when_there_are_no_imports_yet(admin_client):
    page = admin_client.get(reverse("imports")).content.decode()

    assert "No imports yet." in page


def test_a_good_file_is_previewed_and_nothing_is_written(admin_client, account, admin_user):
    record = _preview(admin_client, "objectives", "crm objectives.csv", GOOD)

    assert (record.status, record.created_by, record.file_names) == (
        "previewed",
        admin_user,
        "crm objectives.csv",
    )
    assert record.counts[0] | {"notes": []} == {
        "kind": "objectives",
        "source": "crm objectives.csv",
        "rows": 2,
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "notes": [],
    }
    assert record.changes == [
        {"kind": "objectives", "key": "OBJ-1", "field": "title", "old": "Move CI",
         "new": "Move CI to the product"},
        {"kind": "objectives", "key": "OBJ-1", "field": "due_on", "old": "",
         "new": "2027-01-15"},
    ]  # fmt: skip
    assert list(SuccessPlanObjective.objects.values_list("external_id", "title")) == [
        ("OBJ-1", "Move CI")
    ]
    page = admin_client.get(reverse("import_detail", args=[record.pk])).content.decode()
    assert "Move CI to the product" in page
    assert reverse("import_confirm", args=[record.pk]) in page


def test_confirming_a_small_file_imports_the_previewed_bytes_at_once(admin_client, account):
    record = _preview(admin_client, "objectives", "objectives.csv", GOOD)

    response = admin_client.post(reverse("import_confirm", args=[record.pk]))

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "done"
    assert record.finished_at is not None
    assert record.totals == {"rows": 2, "created": 1, "updated": 1, "unchanged": 0}
    assert dict(SuccessPlanObjective.objects.values_list("external_id", "title")) == {
        "OBJ-1": "Move CI to the product",
        "OBJ-2": "Train admins",
    }
    # Confirming again imports nothing twice.
    again = admin_client.post(reverse("import_confirm", args=[record.pk]), follow=True)
    assert "cannot be confirmed" in again.content.decode()


def test_a_bad_file_shows_every_problem_by_line_and_offers_no_confirm(admin_client, account):
    record = _preview(admin_client, "objectives", "objectives.csv", BAD)

    assert record.status == "failed"
    assert [(p["line"], p["column"]) for p in record.problems] == [
        (2, "due_on"),
        (3, "account_external_id"),
    ]
    page = admin_client.get(reverse("import_detail", args=[record.pk])).content.decode()
    assert "2 problems: nothing was written" in page
    assert "ACC-404" in page
    assert reverse("import_confirm", args=[record.pk]) not in page
    assert admin_client.post(reverse("import_confirm", args=[record.pk])).status_code == 302
    assert SuccessPlanObjective.objects.get().title == "Move CI"


def test_a_folder_upload_imports_its_files_in_dependency_order(admin_client, account):
    usage = "account_external_id,taken_on,licensed_users,active_users\nACC-1,2026-11-02,200,90\n"
    # Given usage first: the import still runs objectives before usage (ORDER).
    response = _upload(admin_client, "folder", ("usage.csv", usage), ("objectives.csv", GOOD))
    record = ImportRecord.objects.get()
    assert response.status_code == 302
    assert [counts["kind"] for counts in record.counts] == ["objectives", "usage"]

    admin_client.post(reverse("import_confirm", args=[record.pk]))

    assert UsageSnapshot.objects.get().taken_on == datetime.date(2026, 11, 2)
    assert SuccessPlanObjective.objects.count() == 2


@pytest.mark.parametrize(
    ("kind", "files", "error"),
    [
        ("folder", [("objective.csv", GOOD)], "objective.csv: name it &lt;kind&gt;.csv"),
        (
            "objectives",
            [("a.csv", GOOD), ("b.csv", GOOD)],
            "Choose one file for Success plan objectives",
        ),
        ("objectives", [], "This field is required."),
    ],
    ids=["folder-file-misnamed", "two-files-for-one-kind", "no-file"],
)
def test_a_wrong_upload_is_refused_beside_the_field_with_the_kind_kept(
    admin_client, kind, files, error
):
    response = _upload(admin_client, kind, *files)

    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    assert f'<option value="{kind}" selected>' in page
    assert not ImportRecord.objects.exists()


def test_a_file_over_the_size_limit_is_refused(admin_client, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 0

    response = _upload(admin_client, "objectives", ("objectives.csv", GOOD))

    assert response.status_code == 400
    assert "Over 0 MB in all" in response.content.decode()


@pytest.mark.parametrize("role", ["tam", "manager"])
def test_the_page_does_not_exist_for_anyone_but_an_admin(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("imports")).status_code == 404
    assert b"Imports</a>" not in client.get(reverse("book")).content


def test_an_admin_finds_the_page_in_the_menu(admin_client):
    assert f'href="{reverse("imports")}"'.encode() in admin_client.get(reverse("book")).content


def test_a_large_file_runs_as_a_task_and_the_fragment_follows_it(
    admin_client, account, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 1  # the file's 2 rows are "large"
    record = _preview(admin_client, "objectives", "objectives.csv", GOOD)
    progress_url = reverse("import_progress", args=[record.pk])

    with django_capture_on_commit_callbacks() as queued:
        admin_client.post(reverse("import_confirm", args=[record.pk]))
    # Queued, not run yet: the fragment shows a bar and asks to be polled again.
    waiting = admin_client.get(progress_url).content.decode()
    assert "<progress" in waiting
    assert 'hx-trigger="every 2s"' in waiting
    assert SuccessPlanObjective.objects.count() == 1

    for callback in queued:
        callback()  # the task, run eagerly as the embedded default does

    record.refresh_from_db()
    assert (record.status, record.rows_done, record.rows_total) == ("done", 2, 2)
    done = admin_client.get(progress_url).content.decode()
    assert "<strong>Done</strong>: 2 rows, 1 created, 1 updated, 0 unchanged" in done
    assert "hx-trigger" not in done
    assert SuccessPlanObjective.objects.count() == 2


def test_the_task_does_nothing_for_a_record_already_done(admin_client, account):
    record = _preview(admin_client, "objectives", "objectives.csv", GOOD)
    admin_client.post(reverse("import_confirm", args=[record.pk]))
    SuccessPlanObjective.objects.filter(external_id="OBJ-2").delete()

    outcome = run_import(record.pk)

    assert outcome == {"record": record.pk, "status": "done", "ran": False}
    assert not SuccessPlanObjective.objects.filter(external_id="OBJ-2").exists()


def test_every_import_is_listed(admin_client, account):
    _preview(admin_client, "objectives", "good.csv", GOOD)
    _upload(admin_client, "objectives", ("bad.csv", BAD))

    page = admin_client.get(reverse("imports")).content.decode()

    assert "good.csv" in page
    assert "bad.csv" in page
    assert "No imports yet." not in page


def test_progress_counts_rows_validated_across_files(admin_client, account):
    record = _preview(admin_client, "objectives", "objectives.csv", GOOD)
    record.rows_total = 35_000
    progress = _ProgressWriter(record)

    # The import's counts start again with each file: 20,000 in the first, then the next.
    for message in ("validated 10,000 rows", "validated 20,000 rows", "validated 10,000 rows"):
        progress(message)
    progress("objectives: written")
    progress.close()

    record.refresh_from_db()
    assert (record.rows_done, record.step) == (30_000, "objectives: written")


@pytest.mark.postgresql_only(reason="a second connection is used on PostgreSQL only")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_shows_while_the_import_transaction_is_still_open(admin_user):
    record = ImportRecord.objects.create(
        created_by=admin_user, kind="objectives", file_names="objectives.csv", rows_total=50
    )
    progress = _ProgressWriter(record)
    try:
        with transaction.atomic():
            progress("validated 20 rows")
            transaction.set_rollback(True)  # the import fails: its writes go
    finally:
        progress.close()

    record.refresh_from_db()
    assert record.rows_done == 20


@pytest.mark.postgresql_only(reason="compares the second connection with the import's own")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_written_aside_is_progress_written_in_place():
    messages = ("validated 30 rows", "validated 10 rows", "usage: written")

    def written(in_place: bool) -> tuple:
        record = ImportRecord.objects.create(kind="usage", file_names="usage.csv", rows_total=50)
        with transaction.atomic() if in_place else nullcontext():
            progress = _ProgressWriter(record)
            for message in messages:
                progress(message)
            progress.close()
        assert (progress.connection is None) is in_place
        return ImportRecord.objects.filter(pk=record.pk).values_list("rows_done", "step").get()

    assert written(in_place=False) == written(in_place=True) == (40, "usage: written")


def test_an_accounts_preview_lists_its_changes_field_by_field(admin_client, account):
    account.name, account.arr = "Acme", 120_000
    account.save()
    text = f"external_id,name,region,arr\nACC-1,Acme Corp,{account.region.code},150000\n"

    record = _preview(admin_client, "accounts", "accounts.csv", text)

    assert [(c["key"], c["field"], c["old"], c["new"]) for c in record.changes] == [
        ("ACC-1", "name", "Acme", "Acme Corp"),
        ("ACC-1", "arr", "120000.00", "150000.00"),
    ]
    account.refresh_from_db()
    assert account.name == "Acme"  # a preview writes nothing


def test_every_kind_has_a_label_people_read():
    assert set(KIND_LABELS) == {*ORDER, ImportRecord.FOLDER}
    assert all(label[0].isupper() and "_" not in label for label in KIND_LABELS.values())


def test_the_pages_name_kinds_in_words_not_file_names(admin_client, account):
    usage = "account_external_id,taken_on,licensed_users,active_users\nACC-1,2026-11-02,200,90\n"
    _upload(admin_client, "folder", ("usage.csv", usage), ("objectives.csv", GOOD))
    record = ImportRecord.objects.get()

    detail = admin_client.get(reverse("import_detail", args=[record.pk])).content.decode()
    listing = admin_client.get(reverse("imports")).content.decode()

    assert "<dt>What it holds</dt><dd>Several kinds</dd>" in detail
    assert "<td>Success plan objectives</td>" in detail and "<td>Usage snapshots</td>" in detail
    assert "<td>objectives</td>" not in detail and "<td>usage</td>" not in detail
    assert "<td>Several kinds</td>" in listing and "<td>folder</td>" not in listing
    # The select still says which file name each kind takes, for a folder upload.
    assert '<option value="stage_adoptions">Stage adoptions (stage_adoptions.csv)</option>' in (
        listing
    )
