"""How the health history keeps its measures (issue 13 points 3 and 9).

The measures are stored as written (PostgreSQL `json`, not `jsonb`, which would reorder
the keys by length): read back, they come in scorecard order, the order
`measures_json_text` wrote them and the account page lists them. And the nightly run's
quick path (COPY straight into the table) and the same-day rewrite leave the rows the
portable path leaves, with several accounts of each kind in one chunk.
"""

from datetime import date

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from health.explanation import measures_json_text
from health.models import HealthHistory
from health.scorecard import DEFAULT_SCORECARD, HealthInputs, Measure, score_health
from orchestration import health_step
from tests.factories import AccountFactory
from tests.health.history_paths import history_written

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)


def test_the_measures_read_back_in_scorecard_order(tam):
    account = AccountFactory(tam=tam)
    result = score_health(DEFAULT_SCORECARD, HealthInputs(today=TODAY, stages_adopted=2))
    health_step.write_history({account.pk: ("", None, measures_json_text(result))}, TODAY)
    measures = HealthHistory.objects.get(account=account).measures
    assert list(measures) == [measure.value for measure in Measure]


def test_a_chunk_of_new_rows_and_same_day_rewrites_leaves_what_the_portable_path_leaves(tam):
    accounts = [AccountFactory(tam=tam) for _ in range(6)]
    # Three of them changed earlier today: their row of today is rewritten, not added.
    for account in accounts[::2]:
        HealthHistory.objects.create(account=account, on=TODAY, band="green", score=90)
    HealthHistory.objects.create(account=accounts[1], on=date(2026, 11, 1), band="red", score=10)
    rows = {
        account.pk: ("yellow", 50 + n, f'{{"n": {n}, "note": "tab\\there"}}')
        for n, account in enumerate(accounts)
    }

    portable = history_written(rows, TODAY, tam, portable=True)
    if connection.vendor == "postgresql":
        assert history_written(rows, TODAY, tam, portable=False) == portable
    today = [row for row in portable if row[1] == TODAY]
    assert [(band, score) for _, _, band, score, _ in today] == [
        ("yellow", 50 + n) for n in range(6)
    ]
    assert [row[4]["n"] for row in today] == list(range(6))
    assert len(portable) == 7  # and the older row untouched


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_row_of_today_written_by_another_process_after_the_probe_is_rewritten(tam):
    """PostgreSQL's quick path probes for rows of today, then COPYs the others in. A row
    another connection commits in between makes the COPY fail whole, inside a savepoint;
    every row then takes the rewrite, so the run's values win and nothing is lost."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the portable path has no probe")
    first, second = AccountFactory(tam=tam), AccountFactory(tam=tam)
    other = connections.create_connection(DEFAULT_DB_ALIAS)

    def write_after_the_probe(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith("SELECT account_id FROM"):
            with other.cursor() as cursor:  # autocommit: committed at once
                cursor.execute(
                    'INSERT INTO health_healthhistory (account_id, "on", band, score, measures)'
                    " VALUES (%s, %s, 'red', 5, '{}')",
                    [second.pk, TODAY],
                )
        return result

    rows = {first.pk: ("green", 80, '{"n": 1}'), second.pk: ("yellow", 60, '{"n": 2}')}
    try:
        with transaction.atomic(), connection.execute_wrapper(write_after_the_probe):
            health_step.write_history(rows, TODAY)
    finally:
        other.close()
    assert sorted(
        HealthHistory.objects.values_list("account_id", "on", "band", "score", "measures")
    ) == [
        (first.pk, TODAY, "green", 80, {"n": 1}),
        (second.pk, TODAY, "yellow", 60, {"n": 2}),
    ]
