"""Celery entry points of the faces: thin, they take ids."""

from celery import shared_task

from core import audit
from ingestion import records
from ingestion.models import ImportRecord


@shared_task(name="portal.run_import", acks_late=True)
def run_import(record_id: int) -> dict:
    """A confirmed import from the import page. Idempotent: only a queued record is run, so
    a message delivered twice, or one for a record already done, does nothing."""
    if not records.claim(record_id, ImportRecord.Status.QUEUED, ImportRecord.Status.RUNNING):
        status = ImportRecord.objects.filter(pk=record_id).values_list("status", flat=True)
        return {"record": record_id, "status": status.first(), "ran": False}
    record = ImportRecord.objects.select_related("created_by").get(pk=record_id)
    # People and teams the files change are in the audit log, under the admin who imported.
    with audit.acting(actor=record.created_by, via=f"import page: {record.file_names}"):
        record = records.run(record)
    return {"record": record_id, "status": record.status, "ran": True}
