"""The write endpoints of DESIGN 10: `POST {kind}/bulk/` and `DELETE {kind}/{external_id}/`.

Thin: the records go to `ingestion.service` as they came, through the same validator
and writer as a CSV file of that kind (values are read as the cell text a file would
hold). Decisions recorded here:

- The body of a bulk request is a JSON array of records (objects whose field names are
  the kind's CSV header names); every record carries the same fields, as a file's rows
  share its header. A field left out leaves that field of existing records as it is.
- The body is parsed by `json` alone, no serializer per record: thousands of records
  would cost seconds in per-field serializer work. Numbers keep their exact text.
- A request may be bigger than Django's DATA_UPLOAD_MAX_MEMORY_SIZE (5,000 records with
  notes): this view reads the body itself, up to BODY_LIMIT, and only this view does.
- Who may write: an integration key with the `write` scope, or an admin (personal token
  or session). A TAM's or a manager's own credentials cannot write: a feed is the
  organisation's, not one person's scope.
- Accounts are not deleted through the API (their history would go with them), nor are
  teams and people (people are deactivated: `active: false`).
"""

from __future__ import annotations

import json

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import csv_cells, csv_format
from core import audit
from ingestion import cells
from ingestion.kind_formats import FORMATS
from ingestion.kinds import ORDER
from ingestion.service import DELETABLE, ImportFailed, delete_record, import_records

from .permissions import WriteScope
from .scope import is_integration

MAX_RECORDS = 5_000
BODY_LIMIT = 32 * 1024 * 1024  # 5,000 records of up to ~6 kB each

_SCHEMA_OF_PARSER = {
    cells.parse_date: {"type": "string", "format": "date"},
    cells.parse_bool: {"type": "boolean"},
    cells.parse_optional_bool: {"type": "boolean", "nullable": True},
    cells.parse_amount: {"type": "number"},
    cells.parse_weekly_hours: {"type": "number"},
    cells.parse_share: {"type": "number", "minimum": 0, "maximum": 1},
    cells.parse_user_count: {"type": "integer"},
    cells.parse_email: {"type": "string", "format": "email"},
    csv_cells.parse_nps: {"type": "integer", "minimum": 0, "maximum": 10},
}
ERRORS = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "index": {
                        "type": "integer",
                        "nullable": True,
                        "description": "The record's index in the request (null: the body).",
                    },
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        }
    },
}
# What a caller is told of the recompute its write asked for (issue 11: a dead broker is a
# delay, not an error, and the answer says so).
RECOMPUTE_STATES = ("queued", "not needed")
COUNTS = {
    "type": "object",
    "properties": {
        **{name: {"type": "integer"} for name in ("created", "updated", "unchanged")},
        "recompute": {
            "type": "string",
            "enum": list(RECOMPUTE_STATES),
            "description": "`queued`: segments, priorities and metrics follow within a "
            "minute, even if the task queue is down at the moment (they wait in the "
            "database); `not needed`: nothing was written.",
        },
    },
}


def _columns(kind: str) -> tuple[list[tuple[str, object]], list[str]]:
    """The kind's fields with their parsers, and the required ones: ingestion's formats."""
    if kind == "accounts":
        names = [*csv_format.IMPORT_COLUMNS, *csv_format.ALIASES]
        parsed = [(name, csv_format.COLUMNS[name].parse) for name in names]
        return parsed, list(csv_format.REQUIRED_COLUMNS)
    fmt = FORMATS[kind]
    return [(column.name, column.parse) for column in fmt.columns], fmt.required()


# What an account record's health fields mean (DESIGN 11), in the API docs.
ACCOUNT_FIELD_NOTES = {
    "tam_sentiment": "The TAM's own judgement: green, yellow or red (empty: not given). "
    "One of the health score's measures; red makes the account's health band red.",
    "tam_sentiment_on": "The day the sentiment was given (YYYY-MM-DD); the health score "
    "counts it as stale 90 days after.",
    "health": "The computed health band, as the account reads it back: ignored when the "
    "record has `tam_sentiment`. Without `tam_sentiment` it is that field's older name.",
}


def record_schema(kind: str) -> dict:
    columns, required = _columns(kind)
    notes = ACCOUNT_FIELD_NOTES if kind == "accounts" else {}
    properties = {
        # A value may also be given as the text a CSV cell would hold; null is empty.
        name: dict(_SCHEMA_OF_PARSER.get(parse, {"type": "string"}))
        | ({"description": notes[name]} if name in notes else {})
        for name, parse in columns
    }
    return {
        "type": "array",
        "maxItems": MAX_RECORDS,
        "items": {"type": "object", "properties": properties, "required": required},
    }


def _source(request) -> str:
    """What fed the kind, for its `Feed` row and the recompute's trigger."""
    if is_integration(request):
        return request.auth.name
    return request.user.email or request.user.get_username()


def _errors(*errors: tuple[int | None, str, str], status_code=status.HTTP_400_BAD_REQUEST):
    found = [{"index": index, "field": name, "message": text} for index, name, text in errors]
    return Response({"errors": found}, status=status_code)


class BulkWrite(APIView):
    """Upsert up to 5,000 records of one kind: all or nothing."""

    permission_classes = [WriteScope]
    kind = ""

    def post(self, request):
        django_request = request._request
        length = int(django_request.META.get("CONTENT_LENGTH") or 0)
        if length > BODY_LIMIT:
            return _errors(
                (None, "body", f"larger than {BODY_LIMIT:,} bytes"),
                status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        # Read here, not through `request.body`, which refuses more than
        # DATA_UPLOAD_MAX_MEMORY_SIZE; the limit above is this view's own.
        body = getattr(django_request, "_body", None) or django_request.read(BODY_LIMIT + 1)
        try:
            records = json.loads(body, parse_float=str)
        except (ValueError, UnicodeDecodeError) as error:
            return _errors((None, "body", f"not JSON: {error}"))
        if not isinstance(records, list):
            return _errors((None, "body", "must be a JSON array of records"))
        if len(records) > MAX_RECORDS:
            return _errors(
                (None, "body", f"at most {MAX_RECORDS:,} records a request, not {len(records):,}")
            )
        try:
            # People and teams written here are in the audit log, under this caller.
            with audit.acting(actor=request.user, via=f"api: {_source(request)}"):
                summary = import_records(self.kind, records, source=_source(request))
        except ImportFailed as failed:
            return _errors(
                *((problem.line, problem.column, problem.message) for _, problem in failed.problems)
            )
        written = summary.created or summary.updated
        return Response(
            {
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "recompute": RECOMPUTE_STATES[0] if written else RECOMPUTE_STATES[1],
            }
        )


class DeleteRecord(APIView):
    """Delete one record by its source id; 404 if there is none."""

    permission_classes = [WriteScope]
    kind = ""

    def delete(self, request, external_id):
        if not delete_record(self.kind, external_id, source=_source(request)):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


def _bulk_view(kind: str):
    view = type(f"{kind.title().replace('_', '')}BulkWrite", (BulkWrite,), {"kind": kind})
    # On the method, not the class: an operation id on a class is every method's (W002).
    return extend_schema_view(
        post=extend_schema(
            tags=["writes"],
            operation_id=f"{kind}_bulk",
            summary=f"Create or update up to {MAX_RECORDS:,} {kind} records",
            description=(
                f"The body is a JSON array of `{kind}` records whose fields are the CSV "
                "columns of DESIGN 10; every record carries the same fields. All or "
                "nothing: any problem answers 400 with every error and writes nothing. "
                "Needs an integration key with the `write` scope, or an admin's token."
            ),
            request={"application/json": record_schema(kind)},
            responses={200: COUNTS, 400: ERRORS, 413: ERRORS},
        )
    )(view)


def _delete_view(kind: str):
    view = type(f"{kind.title().replace('_', '')}Delete", (DeleteRecord,), {"kind": kind})
    return extend_schema_view(
        delete=extend_schema(
            tags=["writes"],
            operation_id=f"{kind}_delete",
            summary=f"Delete one of the {kind} by its external id",
            parameters=[OpenApiParameter("external_id", str, OpenApiParameter.PATH)],
            responses={204: None},
        )
    )(view)


BULK_VIEWS = {kind: _bulk_view(kind) for kind in ORDER}
DELETE_VIEWS = {kind: _delete_view(kind) for kind in DELETABLE}
