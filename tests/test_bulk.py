"""The set-based writes and the chunking every batch job relies on."""

import datetime
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, Webinar
from core.bulk import for_each_range, id_ranges, insert_rows, update_rows
from orchestration.models import RecomputeRun
from segments.models import Segment
from tests.factories import AccountFactory, TamFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)
MOMENT = datetime.datetime(2026, 11, 2, 14, 30, 15, 123456, tzinfo=datetime.UTC)
AWKWARD_TEXT = "tab\there, new\nline, back\\slash, 'quotes' \"both\", é ✓, \\N"


def _webinars():
    return list(
        Webinar.objects.order_by("id").values_list("title", "kind", "held_on", "onboarding")
    )


def test_insert_fills_what_a_row_leaves_out_with_the_field_default():
    insert_rows(
        Webinar,
        [
            {"title": "Tabs\tand\nnew lines \\ kept", "held_on": DAY},
            {"title": "Workshop", "held_on": DAY, "kind": "workshop", "onboarding": True},
        ],
    )

    assert _webinars() == [
        ("Tabs\tand\nnew lines \\ kept", "webinar", DAY, False),
        ("Workshop", "workshop", DAY, True),
    ]


def test_insert_returns_the_asked_columns_in_row_order():
    created = insert_rows(
        Webinar,
        [{"title": f"W{n}", "held_on": DAY} for n in range(5)],
        returning=("title", "id"),
        chunk_size=2,  # three chunks
    )

    assert [title for title, _ in created] == ["W0", "W1", "W2", "W3", "W4"]
    assert sorted(pk for _, pk in created) == list(
        Webinar.objects.order_by("id").values_list("id", flat=True)
    )


def test_update_writes_only_the_listed_rows_and_fields():
    insert_rows(Webinar, [{"title": f"W{n}", "held_on": DAY} for n in range(3)])
    first, _, third = Webinar.objects.order_by("id").values_list("id", flat=True)

    update_rows(Webinar, ["title", "onboarding"], [(first, "One", True), (third, "Three", False)])

    assert _webinars() == [
        ("One", "webinar", DAY, True),
        ("W1", "webinar", DAY, False),
        ("Three", "webinar", DAY, False),
    ]


def test_id_ranges_cover_every_row_once_and_leave_the_last_range_open():
    insert_rows(Webinar, [{"title": f"W{n}", "held_on": DAY} for n in range(7)])
    ids = list(Webinar.objects.order_by("id").values_list("id", flat=True))

    ranges = id_ranges(Webinar.objects.all(), 3)

    assert ranges == [(ids[0], ids[2]), (ids[3], ids[5]), (ids[6], None)]


def test_id_ranges_of_an_exact_multiple_end_with_a_closed_range():
    insert_rows(Webinar, [{"title": f"W{n}", "held_on": DAY} for n in range(6)])
    ids = list(Webinar.objects.order_by("id").values_list("id", flat=True))

    assert id_ranges(Webinar.objects.all(), 3) == [(ids[0], ids[2]), (ids[3], ids[5])]
    assert id_ranges(Webinar.objects.none(), 3) == []


def test_one_worker_runs_every_range_in_the_calling_thread():
    seen = []

    for_each_range(
        [(1, 2), (3, None)], lambda first, last: seen.append((first, last, threading.get_ident()))
    )

    assert seen == [(1, 2, threading.get_ident()), (3, None, threading.get_ident())]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_workers_run_every_range_once_on_their_own_connections():
    seen, lock = [], threading.Lock()

    def work(first, last):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT 1"
            )
            backend = cursor.fetchone()[0]
        with lock:
            seen.append((first, backend, threading.get_ident()))

    for_each_range([(n, n) for n in range(10)], work, workers=3)

    assert sorted(first for first, _, _ in seen) == list(range(10))
    assert threading.get_ident() not in {thread for _, _, thread in seen}


def test_the_first_error_of_a_worker_is_raised_and_stops_the_others():
    done = []

    def work(first, last):
        if first == 0:
            raise ValueError("chunk 0 failed")
        done.append(first)

    with pytest.raises(ValueError, match="chunk 0 failed"):
        for_each_range([(n, n) for n in range(1000)], work, workers=2)
    assert len(done) < 999


# --- the PostgreSQL paths against the portable ones, on the same rows ----------------------

BOTH_PATHS = pytest.mark.postgresql_only(
    reason="compares PostgreSQL's unnest and COPY paths with the portable one SQLite takes"
)


def _after_each_path(write, read):
    """`read()` after `write(portable)` on the PostgreSQL path, then on the portable one.

    The first path's writes are rolled back before the second runs, so both start from
    the same rows. Returns both reads and the SQL each path sent.
    """
    outcomes = []
    for portable in (False, True):
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            write(portable)
            outcomes.append((read(), " ".join(query["sql"] for query in queries)))
            transaction.set_rollback(True)
    return outcomes


@BOTH_PATHS
def test_update_by_unnest_writes_what_bulk_update_writes():
    accounts = AccountFactory.create_batch(3, tam=TamFactory())
    named = Segment.objects.get(code="named")
    rows = [
        (accounts[0].pk, Decimal("1234567.89"), named.pk, True, DAY, AWKWARD_TEXT),
        (accounts[1].pk, Decimal("0.00"), None, False, None, ""),
        (accounts[2].pk, Decimal("5000.01"), named.pk, True, DAY, "churn_risk;top_arr"),
    ]
    fields = ["arr", "segment", "at_risk", "renewal_date", "priority_reasons"]

    def read():
        return list(Account.objects.order_by("pk").values_list("pk", *fields))

    (unnest, unnest_sql), (portable, portable_sql) = _after_each_path(
        lambda portable: update_rows(Account, fields, rows, chunk_size=2, portable=portable),
        read,
    )

    assert unnest == portable == [tuple(row) for row in rows]
    assert "unnest(" in unnest_sql and "unnest(" not in portable_sql


@BOTH_PATHS
def test_update_by_unnest_keeps_text_that_looks_like_array_syntax():
    """Each column goes to PostgreSQL as one array literal: text that spells NULL, braces,
    commas, quotes or edge spaces must come back as written, not as array syntax."""
    texts = ["NULL", '{a,"b"}', "  spaced  ", "", 'back\\slash "quote", comma']
    accounts = AccountFactory.create_batch(len(texts), tam=TamFactory())
    rows = [(account.pk, text) for account, text in zip(accounts, texts, strict=True)]

    def read():
        return list(Account.objects.order_by("pk").values_list("pk", "priority_reasons"))

    (unnest, _), (portable, _) = _after_each_path(
        lambda portable: update_rows(Account, ["priority_reasons"], rows, portable=portable),
        read,
    )

    assert unnest == portable == rows


@BOTH_PATHS
def test_update_by_unnest_writes_json_and_times_as_bulk_update_does():
    runs = [RecomputeRun.objects.create(trigger="nightly", as_of=DAY) for _ in range(2)]
    rows = [
        (runs[0].pk, {"nested": {"list": [1, "two", None]}, "text": AWKWARD_TEXT}, MOMENT, 7),
        (runs[1].pk, ["a", "list"], None, 0),
    ]
    fields = ["details", "finished_at", "accounts"]

    def read():
        return list(RecomputeRun.objects.order_by("pk").values_list("pk", *fields))

    (unnest, unnest_sql), (portable, portable_sql) = _after_each_path(
        lambda portable: update_rows(RecomputeRun, fields, rows, portable=portable), read
    )

    assert unnest == portable == [tuple(row) for row in rows]
    assert "unnest(" in unnest_sql and "unnest(" not in portable_sql


@BOTH_PATHS
def test_insert_by_copy_writes_what_bulk_create_writes():
    host = TamFactory()
    webinars = [
        {"title": AWKWARD_TEXT, "held_on": DAY, "host_id": host.pk},
        {"title": "Workshop", "held_on": DAY, "kind": "workshop", "onboarding": True},
    ]
    runs = [
        {"trigger": "nightly", "as_of": DAY, "details": {"text": AWKWARD_TEXT, "n": [1, None]}},
        {"trigger": "import", "as_of": DAY, "finished_at": MOMENT, "error": AWKWARD_TEXT},
    ]

    def write(portable):
        returned.append(
            insert_rows(Webinar, webinars, returning=("title",), chunk_size=1, portable=portable)
        )
        insert_rows(RecomputeRun, runs, portable=portable)

    def read():
        return (
            list(Webinar.objects.order_by("pk").values("title", "kind", "held_on", "onboarding",
                                                        "host")),
            list(RecomputeRun.objects.order_by("pk").values(
                "trigger", "as_of", "started_at", "finished_at", "status", "details", "error",
            )),
        )  # fmt: skip

    returned = []
    with time_machine.travel(MOMENT, tick=False):  # started_at: auto_now_add, the same for both
        (copied, copy_sql), (portable, portable_sql) = _after_each_path(write, read)

    assert copied == portable
    assert copied[0][0]["title"] == AWKWARD_TEXT and copied[1][0]["details"]["n"] == [1, None]
    assert returned[0] == returned[1] == [(AWKWARD_TEXT,), ("Workshop",)]
    assert "_bulk_insert_rows" in copy_sql and "_bulk_insert_rows" not in portable_sql


@pytest.mark.postgresql_only(reason="the straight COPY is PostgreSQL's")
def test_insert_straight_by_copy_still_checks_constraints_and_writes_nothing_on_failure():
    account = AccountFactory()
    good = {"name": "Fine", "external_id": "X-1", "region_id": account.region_id}
    clash = {**good, "name": "Same external id", "external_id": account.external_id}

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Account, [good, clash])  # no `returning`: COPY into the table itself

    assert list(Account.objects.values_list("pk", flat=True)) == [account.pk]
