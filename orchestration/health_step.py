"""The health step of a recompute (DESIGN 11, issue 13 point 2): after the priorities, in
the same chunk and transaction, every account's health with its segment's scorecard.

For a chunk's accounts, with the priorities just decided (the engagement measure reads
the new cadence interval), the step reads the inputs (`health.inputs`, a few queries
for the whole chunk), scores each account (`health.scorecard.score_health`) and writes
set-based:

- `Account.health` (the band; blank is unknown) and `health_score`, only where they
  changed: the step hands them back and the engine folds them into the chunk's one
  account UPDATE (`orchestration.writing.write_accounts`), with the segments and
  priorities, rather than updating every account a second time;
- a `HealthHistory` row only when the score or the band changed. One row per account
  and day: a second change the same day rewrites that day's row with the later values.
  An account whose first computation gives a result gets its first row; one that stays
  unknown gets none.

Speed (issue 13 point 9: the step at 100,000 accounts): the new (band, score) is compared
with the stored one first, and only a changed account's measures are explained, as JSON
text (`measures_json_text`). On PostgreSQL the history goes in by COPY straight into the
table for the accounts with no row of today (one probe of the (account, day) index
finds those with one; a nightly run's are all new), and through a scratch table and one
INSERT ... ON CONFLICT (account, day) DO UPDATE for the same-day rewrites; elsewhere
`bulk_create` with the same conflict rule. Should another process write a row of today
between the probe and the COPY, the COPY fails whole (inside a savepoint) and every row
takes the rewrite. The measures column is `json`, not `jsonb` (`health.models`): parsing
each ~1 KB text into jsonb was most of the write. One INSERT ... SELECT FROM
unnest(arrays) was measured slower than COPY (165 ms against 110 ms for 5,000 rows):
psycopg2 quotes every JSON text one by one.

The step's time (`HealthOutcome.seconds`, summed over chunks into the run's
`health_seconds`) is its own: the thread's CPU time in it plus its waits on the database,
not the time it waits for other threads' Python when the run has several.

An error in one account's scoring is that account's alone (issue 11): it keeps its
previous health, and the run records the failure and completes with errors.
"""

from __future__ import annotations

import io
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, connection, transaction

from health.explanation import measures_json_text
from health.inputs import array_literal, read_health_inputs
from health.models import HealthHistory
from health.scorecard import Band, HealthResult, score_health
from health.selectors import Scorecards
from lib.failures import HEALTH, account_failure

logger = logging.getLogger(__name__)


@dataclass
class HealthOutcome:
    health_changed: int = 0
    bands_changed: int = 0
    history_written: int = 0
    # The step's own time: this thread's CPU time in it plus its waits on the database
    # (see `DatabaseWait`). `wall_seconds` also counts the waits for other threads'
    # Python (the interpreter lock) when the run has several workers.
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    database_seconds: float = 0.0
    wall_seconds: float = 0.0
    failures: list[dict] = field(default_factory=list)
    # account id -> (band, score) for the accounts whose health changed: the caller
    # writes them with the chunk's account UPDATE
    changed: dict[int, tuple[str, int | None]] = field(default_factory=dict)


def stored_band(result: HealthResult) -> str:
    """The band as `Account.health` keeps it: blank for unknown."""
    return "" if result.band is Band.UNKNOWN else result.band.value


def compute_health(
    rows: list[dict],
    decided: dict[int, tuple[int | None, int | None]],
    scorecards: Scorecards,
    today: date,
    *,
    transient: tuple[type[Exception], ...] = (),
) -> HealthOutcome:
    """Score the health of the accounts of `rows` found in `decided` (`account id ->
    (new priority, effective segment id)`) and write today's history; `rows` carry the
    stored `health` and `health_score`. The changed healths come back in `changed` for
    the caller's account UPDATE. An error of a type in `transient` is the chunk's."""
    started, started_cpu = time.perf_counter(), time.thread_time()
    outcome = HealthOutcome()
    waits = DatabaseWait()
    with connection.execute_wrapper(waits):
        _score_and_write(outcome, rows, decided, scorecards, today, transient, waits)
    outcome.cpu_seconds = time.thread_time() - started_cpu
    outcome.database_seconds = waits.seconds
    outcome.seconds = outcome.cpu_seconds + outcome.database_seconds
    outcome.wall_seconds = time.perf_counter() - started
    return outcome


class DatabaseWait:
    """The time a thread waits on the database: each call's wall time less the CPU time
    the thread spends in it (psycopg2 building the rows). An `execute_wrapper`; `copy`
    times a COPY, which does not go through it. A call's wall time ends when the thread
    has the interpreter lock back, so a wait can include up to a switch interval (5 ms)
    of another thread's Python: the figure errs high, never low."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - wall - (time.thread_time() - cpu)

    def copy(self, cursor, sql: str, buffer: io.StringIO) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            cursor.copy_expert(sql, buffer)
        finally:
            self.seconds += time.perf_counter() - wall - (time.thread_time() - cpu)


def _score_and_write(
    outcome: HealthOutcome,
    rows: list[dict],
    decided: dict[int, tuple[int | None, int | None]],
    scorecards: Scorecards,
    today: date,
    transient: tuple[type[Exception], ...],
    waits: DatabaseWait,
) -> None:
    ids = [row["id"] for row in rows if row["id"] in decided]
    inputs = read_health_inputs(
        ids, today, priorities={account_id: decided[account_id][0] for account_id in ids}
    )
    stored = {row["id"]: (row["health"], row["health_score"]) for row in rows}
    history = {}
    for account_id, account_inputs in inputs.items():
        try:
            result = score_health(scorecards.for_segment(decided[account_id][1]), account_inputs)
            measures = None
            new = (stored_band(result), result.score)
            if new != stored[account_id]:
                measures = measures_json_text(result)
        except Exception as error:  # this account's alone: see the module docstring
            if isinstance(error, transient):
                raise
            logger.warning("recompute: account %s failed at health", account_id, exc_info=error)
            outcome.failures.append(account_failure(account_id, HEALTH, error))
            continue
        if measures is None:
            continue
        outcome.changed[account_id] = new
        history[account_id] = (*new, measures)
        outcome.bands_changed += new[0] != stored[account_id][0]
    write_history(history, today, waits=waits)
    outcome.health_changed = len(outcome.changed)
    outcome.history_written = len(history)


def write_history(
    history: dict[int, tuple[str, int | None, str]],
    today: date,
    *,
    portable: bool = False,
    waits: DatabaseWait | None = None,
) -> None:
    """`account id -> (band, score, measures as JSON text)`: today's row of each,
    rewritten where a change earlier today wrote one, inserted otherwise. `portable`
    takes the other databases' path on PostgreSQL too (the tests compare the two)."""
    if not history:
        return
    if portable or connection.vendor != "postgresql":
        HealthHistory.objects.bulk_create(
            [
                HealthHistory(
                    account_id=account_id, on=today, band=band, score=score,
                    measures=json.loads(measures),
                )
                for account_id, (band, score, measures) in history.items()
            ],
            update_conflicts=True,
            unique_fields=["account", "on"],
            update_fields=["band", "score", "measures"],
        )  # fmt: skip
        return
    table = HealthHistory._meta.db_table
    waits = waits or DatabaseWait()
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT account_id FROM {table} WHERE "on" = %s AND account_id = ANY(%s::bigint[])',
            [today, array_literal(history)],
        )
        written_today = {account_id for (account_id,) in cursor.fetchall()}
        new = [item for item in history.items() if item[0] not in written_today]
        if new:
            try:
                with transaction.atomic(), connection.wrap_database_errors:
                    waits.copy(
                        cursor, f"COPY {table} ({COLUMNS}) FROM STDIN", _copy_text(new, today)
                    )
            except IntegrityError:  # another process wrote a row of today since the probe
                written_today.update(account_id for account_id, _ in new)
        if written_today:
            rewritten = [(key, history[key]) for key in sorted(written_today)]
            _rewrite(cursor, rewritten, today, waits)


COLUMNS = 'account_id, "on", band, score, measures'


def _copy_text(rows: list[tuple[int, tuple]], today: date) -> io.StringIO:
    """The rows in COPY's text format: NULL is \\N; JSON text escapes its own tabs and
    newlines, so only its backslashes need doubling. Bands are words."""
    day, null, backslash = today.isoformat(), "\\N", "\\"
    buffer = io.StringIO()
    buffer.writelines(
        f"{account_id}\t{day}\t{band}\t{null if score is None else score}\t"
        f"{measures.replace(backslash, backslash * 2)}\n"
        for account_id, (band, score, measures) in rows
    )
    buffer.seek(0)
    return buffer


def _rewrite(cursor, rows: list[tuple[int, tuple]], today: date, waits: DatabaseWait) -> None:
    """Today's rows of accounts that have one already (a change earlier today): through a
    scratch table, then one INSERT ... ON CONFLICT DO UPDATE."""
    table = HealthHistory._meta.db_table
    cursor.execute(
        f"CREATE TEMP TABLE _health_history_rows AS SELECT {COLUMNS} FROM {table} WITH NO DATA"
    )
    waits.copy(cursor, f"COPY _health_history_rows ({COLUMNS}) FROM STDIN", _copy_text(rows, today))
    cursor.execute(
        f"INSERT INTO {table} ({COLUMNS}) SELECT {COLUMNS} FROM _health_history_rows "
        'ON CONFLICT (account_id, "on") DO UPDATE SET band = EXCLUDED.band, '
        "score = EXCLUDED.score, measures = EXCLUDED.measures"
    )
    cursor.execute("DROP TABLE _health_history_rows")
