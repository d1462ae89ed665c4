"""Writing a chunk's new assessments: the COPY lines PostgreSQL takes against the portable
multi-row INSERT SQLite takes, on the same rows."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from orchestration.writing import ASSESSMENT_COLUMNS, insert_assessments
from prioritization.models import PriorityAssessment
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 24, 2, 30, 5, 250000, tzinfo=datetime.UTC)


@pytest.mark.postgresql_only(
    reason="compares PostgreSQL's COPY path with the portable one SQLite takes"
)
def test_assessments_copied_are_the_assessments_inserted(tam, manager):
    accounts = AccountFactory.create_batch(3, tam=tam)
    rows = [
        # (account, computed, reasons, effective, source, decider): one of each source
        (accounts[0].pk, 1, "churn_risk;top_arr", 1, "model", None),
        (accounts[1].pk, 2, "default", 3, "exception", tam.pk),
        (accounts[2].pk, 4, "digital", 2, "review", manager.pk),
    ]
    written, sql = [], []
    for portable in (False, True):
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            insert_assessments(rows, "FY27-Q4", NOW, portable=portable)
            written.append(
                list(PriorityAssessment.objects.order_by("account_id").values(*ASSESSMENT_COLUMNS))
            )
            sql.append(" ".join(query["sql"] for query in queries))
            transaction.set_rollback(True)

    copied, inserted = written
    assert copied == inserted
    assert [tuple(row.values()) for row in copied] == [
        (account, "FY27-Q4", computed, reasons, effective, source, decider, NOW)
        for account, computed, reasons, effective, source, decider in rows
    ]
    # COPY goes straight into the table, past the query log; the portable path INSERTs
    assert "INSERT" not in sql[0] and "INSERT" in sql[1]
