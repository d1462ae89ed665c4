"""A background import from the import page, through a real Celery worker and Redis."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import SuccessPlanObjective
from ingestion.models import ImportRecord
from tests.factories import AccountFactory, AdminFactory
from tests.test_celery_worker import pytestmark as worker_marks
from tests.test_celery_worker import worker  # noqa: F401  (the fixture)

pytestmark = worker_marks

OBJECTIVES = (
    "external_id,account_external_id,title,due_on,green\n"
    "OBJ-1,ACC-1,Move CI to the product,2027-01-15,no\n"
    "OBJ-2,ACC-1,Train admins,,yes\n"
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_large_import_runs_in_a_real_worker(worker, client, settings):  # noqa: F811
    settings.IMPORT_BACKGROUND_ROWS = 1  # the file's 2 rows go to the worker
    AccountFactory(external_id="ACC-1")
    client.force_login(AdminFactory())
    upload = SimpleUploadedFile("objectives.csv", OBJECTIVES.encode())
    client.post(reverse("imports"), {"kind": "objectives", "files": upload})
    record = ImportRecord.objects.get()
    assert record.status == "previewed"

    client.post(reverse("import_confirm", args=[record.pk]))

    deadline = time.monotonic() + 60
    while record.status in ("previewed", "queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        record.refresh_from_db()
    assert (record.status, record.rows_done, record.rows_total) == ("done", 2, 2)
    assert sorted(SuccessPlanObjective.objects.values_list("external_id", flat=True)) == [
        "OBJ-1",
        "OBJ-2",
    ]
    assert worker.poll() is None, "the worker process should still be running"
    fragment = client.get(reverse("import_progress", args=[record.pk])).content.decode()
    assert "<strong>Done</strong>: 2 rows, 2 created, 0 updated, 0 unchanged" in fragment
