"""The import page (DESIGN 10, "In the browser"), for admins: upload, preview, confirm.

An upload is previewed at once (nothing written) and recorded; confirming imports the
stored bytes, at once when small, as a background task when over
`IMPORT_BACKGROUND_ROWS` rows, its progress polled by the page. Everyone but an admin
gets 404: the page does not exist for them.
"""

import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ingestion import records
from ingestion.kinds import ORDER, kind_label
from ingestion.models import ImportRecord

from .tasks import run_import

logger = logging.getLogger(__name__)

FOLDER = ImportRecord.FOLDER
RECORDS_PER_PAGE = 25


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple) and data:
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data or None, initial)]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(kind, f"{kind_label(kind)} ({kind}.csv)") for kind in ORDER]
        + [(FOLDER, "Several kinds at once (each file named as above)")],
        help_text="What the file holds; for several files, each is named after its kind.",
    )
    files = MultipleFileField(
        label="File(s)",
        help_text="CSV, UTF-8, with the header row of DESIGN 10's table.",
    )

    def clean(self):
        cleaned = super().clean()
        kind, uploads = cleaned.get("kind"), cleaned.get("files")
        if not kind or not uploads:
            return cleaned
        limit = settings.IMPORT_MAX_UPLOAD_MB
        if sum(upload.size for upload in uploads) > limit * 1024 * 1024:
            self.add_error(
                "files",
                f"Over {limit} MB in all: split the file, or run `import_data` on the server.",
            )
        elif kind != FOLDER and len(uploads) > 1:
            self.add_error(
                "files", f"Choose one file for {kind_label(kind)}, or choose several kinds."
            )
        elif kind == FOLDER:
            cleaned["named"] = self._kinds_by_name(uploads)
        else:
            cleaned["named"] = [(kind, uploads[0])]
        return cleaned

    def _kinds_by_name(self, uploads):
        by_kind = {}
        for upload in uploads:
            kind = upload.name.removesuffix(".csv")
            if kind not in ORDER or not upload.name.endswith(".csv"):
                self.add_error(
                    "files", f"{upload.name}: name it <kind>.csv, one of: {', '.join(ORDER)}."
                )
            elif kind in by_kind:
                self.add_error("files", f"{upload.name} is given twice.")
            by_kind[kind] = upload
        return [(kind, by_kind[kind]) for kind in ORDER if kind in by_kind]


def _admin_only(request) -> None:
    if not request.user.is_portal_admin:
        raise Http404


def imports(request):
    _admin_only(request)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            files = [
                (kind, upload.name, upload.read()) for kind, upload in form.cleaned_data["named"]
            ]
            record = records.record_upload(request.user, form.cleaned_data["kind"], files)
            return redirect("import_detail", pk=record.pk)
        status = 400
    else:
        form, status = UploadForm(), 200
    page = Paginator(
        ImportRecord.objects.select_related("created_by").defer("changes"), RECORDS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "portal/imports.html", {"form": form, "page": page}, status=status)


def _record(request, pk):
    _admin_only(request)
    return get_object_or_404(ImportRecord.objects.select_related("created_by"), pk=pk)


def import_detail(request, pk):
    return render(request, "portal/import_detail.html", {"record": _record(request, pk)})


def import_progress(request, pk):
    """The progress fragment the detail page polls while the import is queued or running."""
    return render(request, "portal/_import_progress.html", {"record": _record(request, pk)})


@require_POST
def import_confirm(request, pk):
    record = _record(request, pk)
    if not record.can_confirm or not records.claim(
        record.pk, ImportRecord.Status.PREVIEWED, ImportRecord.Status.QUEUED
    ):
        messages.error(request, "This import cannot be confirmed (again).")
        return redirect("import_detail", pk=record.pk)
    if record.rows_total > settings.IMPORT_BACKGROUND_ROWS:
        # After commit, so the worker finds the record queued.
        transaction.on_commit(lambda: _in_background(record.pk))
        messages.info(request, "The import runs in the background; this page follows it.")
    else:
        run_import(record.pk)
    return redirect("import_detail", pk=record.pk)


def _in_background(record_id: int) -> None:
    """Hand the import to a worker. With the broker down it runs here instead, as it does
    without a broker: a queued record nothing would ever start is worse than a slow page
    (issue 11: a dead broker is a delay, not an error)."""
    try:
        run_import.delay(record_id)
    except Exception as error:  # the broker refused or timed out (1.5 s at most)
        logger.warning("The broker did not take import %s (%s); running it here.", record_id, error)
        run_import(record_id)
