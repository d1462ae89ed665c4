"""Deciding which results changed by fingerprint: equal values match whatever their form,
any stored figure that differs does not, and an edited result is rewritten."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from lib.fiscal import parse_quarter_label
from metrics.compute import compute_quarter
from metrics.models import MetricDefinition, MetricResult, result_fingerprint
from metrics.result_writing import _insert
from segments.models import Segment
from tests.factories import AccountFactory, ActivityFactory

Q3 = parse_quarter_label("FY27-Q3")  # 2026-08-01 .. 2026-10-31

STORED = (Decimal("2.0000"), Decimal("3.0000"), Decimal("0.6667"), Decimal("0.7500"), False, {})


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9), tick=False):
        yield


def test_equal_values_have_one_fingerprint_whatever_their_form():
    """A column keeps no negative zero, and `details` is compared as a dict (key order
    free), so neither may change the fingerprint."""
    zero = (Decimal("0.0000"), None, None, None, None, {"cohort": "2", "nps": "50.0"})
    negative_zero = (Decimal("-0.0000"), None, None, None, None, {"nps": "50.0", "cohort": "2"})

    assert result_fingerprint(zero) == result_fingerprint(negative_zero)
    assert len(result_fingerprint(STORED)) == 16


@pytest.mark.parametrize(
    "changed",
    [
        (Decimal("2.0001"), *STORED[1:]),
        (STORED[0], Decimal("4.0000"), *STORED[2:]),
        (*STORED[:2], None, *STORED[3:]),
        (*STORED[:2], Decimal("-0.6667"), *STORED[3:]),
        (*STORED[:3], None, *STORED[4:]),
        (*STORED[:4], None, STORED[5]),
        (*STORED[:4], True, STORED[5]),
        (*STORED[:5], {"cohort": "3"}),
        # Values that would run together if the fields were not kept apart.
        (Decimal("2.00003"), Decimal(".0000"), *STORED[2:]),
    ],
)
def test_any_stored_figure_that_differs_changes_the_fingerprint(changed):
    assert result_fingerprint(changed) != result_fingerprint(STORED)


@pytest.fixture
def book(tam):
    """Two named Pr1 accounts, one with an EBR in Q3: EBR coverage 1/2."""
    named = Segment.objects.get(code="named")
    accounts = [AccountFactory(tam=tam, segment=named, priority=1) for _ in range(2)]
    ActivityFactory(account=accounts[0], kind="ebr", occurred_on=datetime.date(2026, 9, 15))
    return accounts


def _company(key="ebr_coverage"):
    return MetricResult.objects.get(
        metric__key=key, scope_type="company", scope="all", fiscal_quarter="FY27-Q3"
    )


@pytest.mark.django_db
def test_a_result_edited_through_the_model_is_rewritten_by_the_next_run(book):
    """As the admin's change form would: `save` fingerprints the edited values, which no
    longer match what the run computes, so the run puts 1/2 = 0.5 back."""
    compute_quarter(Q3)
    edited = _company()
    assert edited.value == Decimal("0.5")
    edited.value = Decimal("0.9")
    edited.save()

    run = compute_quarter(Q3)

    assert run.results_updated == 1
    assert _company().value == Decimal("0.5")


@pytest.mark.django_db
def test_a_result_saved_unchanged_through_the_model_is_left_alone(book):
    """`save` quantizes as the column does (0.5 is 0.5000): same values, same fingerprint."""
    compute_quarter(Q3)
    result = _company()
    result.value = Decimal("0.5")
    result.save()

    run = compute_quarter(Q3)

    assert (run.results_created, run.results_updated, run.results_deleted) == (0, 0, 0)


@pytest.mark.django_db
def test_a_result_without_a_fingerprint_is_rewritten(book):
    """A row from before fingerprints, or from a bare `bulk_create`: the run cannot tell
    what it holds, so it writes it again (with its fingerprint: the next run writes nothing)."""
    compute_quarter(Q3)
    MetricResult.objects.filter(metric__key="ebr_coverage").update(fingerprint="")
    blanked = MetricResult.objects.filter(metric__key="ebr_coverage").count()

    first, second = compute_quarter(Q3), compute_quarter(Q3)

    assert (first.results_updated, second.results_updated) == (blanked, 0)
    assert _company().value == Decimal("0.5")


BEFORE_FINGERPRINTS = [("metrics", "0009_licence_spelling")]
WITH_FINGERPRINTS = [("metrics", "0010_result_fingerprint")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_fingerprints_the_results_already_kept():
    """A result kept before fingerprints gets the one its values give, so the first run
    after the upgrade does not rewrite it; a result with no data gets its own."""
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE_FINGERPRINTS)
        old_apps = executor.loader.project_state(BEFORE_FINGERPRINTS).apps
        metric = old_apps.get_model("metrics", "MetricDefinition").objects.get(key="ebr_coverage")
        kept = old_apps.get_model("metrics", "MetricResult").objects
        kept.create(
            metric=metric, scope_type="company", scope="all", fiscal_quarter="FY27-Q3",
            numerator=2, denominator=3, value=Decimal("0.6667"), target=Decimal("0.75"),
            attained=False, details={"nps": "50.0", "cohort": "2"},
        )  # fmt: skip
        kept.create(metric=metric, scope_type="tam", scope="7", fiscal_quarter="FY27-Q3")

        executor = MigrationExecutor(connection)
        executor.migrate(WITH_FINGERPRINTS)
        results = executor.loader.project_state(WITH_FINGERPRINTS).apps
        fingerprints = dict(
            results.get_model("metrics", "MetricResult").objects.values_list("scope", "fingerprint")
        )

        values = (*STORED[:5], {"cohort": "2", "nps": "50.0"})
        assert fingerprints == {
            "all": result_fingerprint(values),
            "7": result_fingerprint((None, None, None, None, None, {})),
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_results_copied_are_the_results_inserted():
    """PostgreSQL writes a first run's new results as COPY lines built in result_writing
    (no-data rows shared, scopes formatted once); the other databases by insert_rows: on
    the same rows, with a shared row, an empty and a non-empty `details` whose text
    needs COPY's escaping, every kind of `attained` and missing figures, both leave the
    same table."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the portable path is the only one elsewhere")
    metric_id = MetricDefinition.objects.values_list("id", flat=True).first()
    now = timezone.now()
    figures = (Decimal("3.0000"), Decimal("4.0000"), Decimal("0.7500"), Decimal("0.8000"))
    no_data = ((None, None, None, Decimal("0.8000"), None, {}), "f" * 16)  # shared
    created = [
        (("tam", "7"), ((*figures, False, {"nps": "-12.5", "note": 'tab\t, "q", \\'}), "a" * 16)),
        (("team", "3"), ((*figures[:3], None, True, {}), "b" * 16)),
        (("segment", "named"), no_data),
        (("team_segment", "3:named"), no_data),
    ]

    def written(portable):
        with transaction.atomic():
            _insert("FY27-Q4", metric_id, created, now, portable=portable)
            result = sorted(
                MetricResult.objects.values_list(
                    "metric_id", "scope_type", "scope", "fiscal_quarter", "numerator",
                    "denominator", "value", "target", "attained", "details", "computed_at",
                    "fingerprint",
                )
            )  # fmt: skip
            transaction.set_rollback(True)
        return result

    portable = written(True)
    assert portable == written(False)
    assert [row[1:3] for row in portable] == [
        ("segment", "named"), ("tam", "7"), ("team", "3"), ("team_segment", "3:named"),
    ]  # fmt: skip
    assert portable[1][8:10] == (False, {"nps": "-12.5", "note": 'tab\t, "q", \\'})
