"""Celery entry points of the faces: thin, they take ids."""

from celery import shared_task

from ingestion import records
from ingestion.models import ImportRecord


@shared_task(name="portal.run_import", acks_late=True)
def run_import(record_id: int) -> dict:
    """A confirmed import from the import page. Idempotent: only a queued record is run, so
    a message delivered twice, or one for a record already done, does nothing."""
    if not records.claim(record_id, ImportRecord.Status.QUEUED, ImportRecord.Status.RUNNING):
        status = ImportRecord.objects.filter(pk=record_id).values_list("status", flat=True)
        return {"record": record_id, "status": status.first(), "ran": False}
    record = records.run(ImportRecord.objects.get(pk=record_id))
    return {"record": record_id, "status": record.status, "ran": True}
