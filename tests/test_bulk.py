"""The set-based writes and the chunking every batch job relies on."""

import datetime
import threading

import pytest
from django.db import connection

from accounts.models import Webinar
from core.bulk import for_each_range, id_ranges, insert_rows, update_rows

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)


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
