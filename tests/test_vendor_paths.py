"""Every place the code takes a PostgreSQL path and a portable one (for SQLite, the embedded
default) has a test that runs both on the same rows and compares the results.

The comparisons run in the PostgreSQL run of scripts/test, where both paths exist; the
SQLite run exercises the portable paths through the rest of the suite.
"""

import re
from pathlib import Path

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Field, ForeignObject
from django.test.utils import CaptureQueriesContext, register_lookup

from accounts.models import Account
from core.large_admin import EstimatedCountPaginator
from core.lookups import Any
from tests.factories import AccountFactory, TamFactory

ROOT = Path(__file__).resolve().parent.parent
# Demo data and benchmarks may favour PostgreSQL; migrations are history.
NOT_APPLICATION_CODE = {"tests", "bench", "demo", "migrations", "build", "static", "templates"}
VENDOR_BRANCH = re.compile(r"\bvendor\s*(?:==|!=|\bin\b)|def as_(?:postgresql|sqlite)\b")

# Each module that branches on the database, and the tests that compare its two paths.
COMPARED_BY = {
    "core/bulk.py": [
        "tests/test_bulk.py::test_update_by_unnest_writes_what_bulk_update_writes",
        "tests/test_bulk.py::test_update_by_unnest_writes_json_and_times_as_bulk_update_does",
        "tests/test_bulk.py::test_insert_by_copy_writes_what_bulk_create_writes",
    ],
    "core/lookups.py": [
        "tests/test_vendor_paths.py::test_any_as_an_array_finds_what_an_in_list_finds",
    ],
    "core/large_admin.py": [
        "tests/test_vendor_paths.py::test_the_estimated_count_is_the_exact_count_once_analysed",
    ],
    # PostgreSQL alone is told to ANALYZE before a large file's effects: the plan changes,
    # not the answer, which this test checks against the same expectations on both.
    "ingestion/effects.py": [
        "tests/ingestion/test_import_activities.py::"
        "test_the_facts_come_out_the_same_when_the_file_is_written_in_chunks",
    ],
    "ingestion/records.py": [
        "tests/ingestion/test_import_page.py::test_progress_written_aside_is_progress_written_in_place",
    ],
    # The history's measures as PostgreSQL `json` text, elsewhere JSONField's own column.
    "health/models.py": [
        "tests/health/test_history_storage.py::"
        "test_a_chunk_of_new_rows_and_same_day_rewrites_leaves_what_the_portable_path_leaves",
        "tests/health/test_history_storage.py::test_the_measures_read_back_in_scorecard_order",
    ],
    # A first run's new metric results: COPY lines built by hand, elsewhere insert_rows.
    "metrics/result_writing.py": [
        "tests/metrics/test_result_writing.py::test_results_copied_are_the_results_inserted",
    ],
    "health/inputs.py": [
        "tests/health/test_fast_health.py::test_the_one_query_reading_gives_the_portable_readings",
    ],
    "orchestration/health_step.py": [
        "tests/health/test_recompute_health.py::test_history_copied_is_the_history_inserted",
    ],
    "orchestration/writing.py": [
        "tests/orchestration/test_writing.py::test_assessments_copied_are_the_assessments_inserted",
    ],
}


def _modules_that_branch_on_the_database() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0].startswith(".") or NOT_APPLICATION_CODE & set(relative.parts):
            continue
        if VENDOR_BRANCH.search(path.read_text(encoding="utf-8")):
            found.add(relative.as_posix())
    return found


def test_every_database_branch_has_a_test_comparing_its_paths():
    branching = _modules_that_branch_on_the_database()

    untested = branching - COMPARED_BY.keys()
    assert not untested, (
        f"{sorted(untested)} branch on the database: add a test that runs both paths on "
        "the same rows and compares them, and list it in COMPARED_BY"
    )
    assert branching == COMPARED_BY.keys(), (
        f"{sorted(COMPARED_BY.keys() - branching)} no longer branch: drop them from COMPARED_BY"
    )
    for node in (node for nodes in COMPARED_BY.values() for node in nodes):
        path, name = node.split("::")
        assert re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.MULTILINE), node


class _AnyAsAnInList(Any):
    """`__any` as every database but PostgreSQL reads it."""

    lookup_name = "any_as_an_in_list"
    as_postgresql = None  # Django then calls as_sql on PostgreSQL too


@pytest.mark.postgresql_only(reason="compares = ANY(array) with the IN list SQLite reads")
@pytest.mark.django_db
def test_any_as_an_array_finds_what_an_in_list_finds():
    tam, other_tam = TamFactory(), TamFactory()
    accounts = [*AccountFactory.create_batch(3, tam=tam), AccountFactory(tam=other_tam)]
    asked = [accounts[0].pk, accounts[2].pk, accounts[3].pk, accounts[3].pk + 1000]

    def ids(**lookup):
        return sorted(Account.objects.filter(**lookup).values_list("pk", flat=True))

    with (
        register_lookup(Field, _AnyAsAnInList),
        register_lookup(ForeignObject, _AnyAsAnInList),
        CaptureQueriesContext(connection) as queries,
    ):
        found = [
            (ids(pk__any=values), ids(pk__any_as_an_in_list=values))
            for values in (asked, [], [accounts[1].pk])
        ]
        by_relation = (ids(tam__any=[other_tam.pk]), ids(tam__any_as_an_in_list=[other_tam.pk]))

    assert found == [
        ([accounts[0].pk, accounts[2].pk, accounts[3].pk],) * 2,
        ([], []),
        ([accounts[1].pk],) * 2,
    ]
    assert by_relation == ([accounts[3].pk], [accounts[3].pk])
    sql = [query["sql"] for query in queries]
    assert sum("= ANY(" in statement for statement in sql) == 4
    assert sum(" IN (" in statement for statement in sql) == 3  # the empty list is "1 = 0"


@pytest.mark.postgresql_only(reason="compares the planner's estimate with COUNT(*)")
@pytest.mark.django_db
def test_the_estimated_count_is_the_exact_count_once_analysed():
    AccountFactory.create_batch(4)
    with connection.cursor() as cursor:
        # ANALYZE reads every row of a table this small: the estimate is exact.
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Account._meta.db_table)}")
    estimating = EstimatedCountPaginator(Account.objects.all(), 100)
    estimating.estimate_from = 0

    with CaptureQueriesContext(connection) as queries:
        estimated = estimating.count

    assert not any("COUNT(" in query["sql"] for query in queries)
    assert estimated == Paginator(Account.objects.all(), 100).count == 4
