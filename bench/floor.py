"""The floor: one set-based SQL statement doing the core of the recompute's first phase.

`bench/run floor [ACCOUNTS]` times it alone (bench/measure_floor.py); `bench/run recompute`
times it too and prints each phase's ratio to it.

Two passes on a fresh copy of the accounts table, as the benchmark's two runs: "all
change" on the data as built (no segment or priority yet: every row is written), then
"no change" at once on its result (every row is read and decided, none written). Each is
repeated (each repeat on a fresh copy, copying not timed) and reported as median, min, max.

One UPDATE computes, for every account, from the columns and related rows the real run
reads:
- the segment (segments/assign.py, DESIGN 3): the first row of the segments table, by
  position, whose ARR threshold (`>=` or `>`) the account's ARR clears or whose high-LAM
  rule it meets; none for unknown ARR or below every row;
- a US-style priority (prioritization/rules.py, DESIGN 4), for every account whatever its
  region: unmanaged child Pr3; Digital-Only or no segment (the pinned segment where there
  is one, else the computed one), or a trial region's digital TAM-assigned account, Pr4;
  Onboarding segment Pr1 while onboarding is open, else Pr4; onboarding open Pr1; then
  the US Enterprise flowchart with the region's rule parameters: Pr1 for an open
  tier-upgrade opportunity closing within the window, an active stage-adoption or
  infrastructure-change initiative over the hours threshold, or at risk (the imported
  flag or an open risk case); otherwise Pr2. With the deciding reason codes.
and writes segment, priority and reasons, where one of them differs, into the real
columns of a copy of the accounts table (same columns and indexes, packed as the real
one), so the data stays as the real run needs it. Writing dominates the all-change
pass: a packed table leaves no room for in-place (HOT) updates, so each row written
also goes into every index, as it does for the real run.

Left out compared with the real run: the EMEA scoring and per-TAM ranking and the
Commercial qualification (every account gets the US flowchart), approved exceptions and
reviews, the assessment rows, previous priority and its date, the segment moves and
counts, health, metrics, the run record and lock. So the ratio of a phase to this floor
is what the real run's Python, its round trips and its extra work cost.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection

from accounts.models import (
    Account,
    Initiative,
    InitiativeKind,
    InitiativeStatus,
    LamConfidence,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Region,
)
from lib.fiscal import fiscal_quarter_of
from prioritization.models import RuleSetParameters
from prioritization.rules import RuleParameters
from segments.codes import SegmentCode
from segments.models import Segment
from triage.models import OPEN_STATUSES, RiskCase

COPY_TABLE = "bench_floor_accounts"
REPEATS = 5

_TABLES = {
    "copy": COPY_TABLE,
    "segment": Segment._meta.db_table,
    "region": Region._meta.db_table,
    "parameters": RuleSetParameters._meta.db_table,
    "opportunity": Opportunity._meta.db_table,
    "initiative": Initiative._meta.db_table,
    "risk_case": RiskCase._meta.db_table,
}

FLOOR_SQL = """
WITH uptier AS (
    -- The earliest open tier-upgrade close date still ahead: within the window or not.
    SELECT account_id, min(close_date) AS first_close
    FROM {opportunity}
    WHERE status = %(open)s AND kind = %(tier_upgrade)s AND close_date > %(as_of)s
    GROUP BY account_id
),
busiest AS (
    -- The busiest initiative of each kind active in the quarter (facts.busiest_active).
    SELECT
        account_id,
        max(COALESCE(tam_hours_per_week, 0)) FILTER (WHERE kind = %(stage_adoption)s)
            AS stage_adoption_hours,
        max(COALESCE(tam_hours_per_week, 0)) FILTER (WHERE kind = %(infra)s) AS infra_hours
    FROM {initiative}
    WHERE status = %(active)s AND starts_on <= %(quarter_end)s
      AND (ends_on IS NULL OR ends_on >= %(as_of)s)
    GROUP BY account_id
),
open_case AS (
    SELECT DISTINCT account_id FROM {risk_case} WHERE status = ANY(%(open_cases)s)
),
facts AS (
    SELECT
        a.id,
        computed.id AS segment_id,
        a.parent_id IS NOT NULL AND NOT a.managed AS unmanaged_child,
        effective.code IS NULL OR effective.code = %(digital)s
            OR (region.digital_tam_trial AND effective.tam_assigned AND a.digital) AS digital,
        effective.code = %(onboarding)s AS onboarding_segment,
        a.customer_since IS NOT NULL AND a.onboarded_on IS NULL AS onboarding_open,
        COALESCE(uptier.first_close <= (%(as_of)s::date + make_interval(
            months => COALESCE(p.uptier_window_months, %(default_uptier_window_months)s)
        ))::date, false) AS uptier_opportunity,
        COALESCE(busiest.stage_adoption_hours > COALESCE(
            p.stage_adoption_min_hours, %(default_stage_adoption_min_hours)s
        ), false) AS stage_adoption,
        COALESCE(busiest.infra_hours > COALESCE(
            p.infra_change_min_hours, %(default_infra_change_min_hours)s
        ), false) AS infra_change,
        a.at_risk OR open_case.account_id IS NOT NULL AS churn_risk
    FROM {copy} a
    JOIN {region} region ON region.id = a.region_id
    LEFT JOIN {parameters} p ON p.region_id = a.region_id
    LEFT JOIN uptier ON uptier.account_id = a.id
    LEFT JOIN busiest ON busiest.account_id = a.id
    LEFT JOIN open_case ON open_case.account_id = a.id
    LEFT JOIN LATERAL (
        SELECT s.id FROM {segment} s
        WHERE a.arr IS NOT NULL AND (
            CASE WHEN s.min_arr_inclusive THEN a.arr >= s.min_arr ELSE a.arr > s.min_arr END
            OR (s.lam_min_arr IS NOT NULL AND s.high_lam_usd IS NOT NULL
                AND a.arr > s.lam_min_arr AND a.lam_confidence = %(high)s
                AND a.lam >= s.high_lam_usd)
        )
        ORDER BY s.position
        LIMIT 1
    ) computed ON true
    LEFT JOIN {segment} effective
        ON effective.id = COALESCE(a.segment_override_id, computed.id)
),
decided AS (
    SELECT
        id,
        segment_id,
        CASE
            WHEN unmanaged_child THEN 3
            WHEN digital THEN 4
            WHEN onboarding_segment AND NOT onboarding_open THEN 4
            WHEN onboarding_open THEN 1
            WHEN uptier_opportunity OR stage_adoption OR infra_change OR churn_risk THEN 1
            ELSE 2
        END AS priority,
        CASE
            WHEN unmanaged_child THEN 'unmanaged_child'
            WHEN digital THEN 'digital'
            WHEN onboarding_segment AND NOT onboarding_open THEN 'onboarding_complete'
            WHEN onboarding_open THEN 'onboarding'
            ELSE COALESCE(NULLIF(concat_ws(';',
                CASE WHEN uptier_opportunity THEN 'uptier_opportunity' END,
                CASE WHEN stage_adoption THEN 'stage_adoption' END,
                CASE WHEN infra_change THEN 'infra_change' END,
                CASE WHEN churn_risk THEN 'churn_risk' END), ''), 'default')
        END AS reasons
    FROM facts
)
UPDATE {copy} a
SET segment_id = decided.segment_id,
    priority = decided.priority,
    priority_reasons = decided.reasons
FROM decided
WHERE a.id = decided.id
  AND (a.segment_id IS DISTINCT FROM decided.segment_id
       OR a.priority IS DISTINCT FROM decided.priority
       OR a.priority_reasons IS DISTINCT FROM decided.reasons)
""".format(**_TABLES)


def floor_parameters(as_of: date) -> dict:
    quarter = fiscal_quarter_of(as_of, settings.FISCAL_YEAR_START_MONTH)
    defaults = RuleParameters()
    return {
        "as_of": as_of,
        "quarter_end": quarter.end,
        "digital": SegmentCode.DIGITAL.value,
        "onboarding": SegmentCode.ONBOARDING.value,
        "high": LamConfidence.HIGH.value,
        "open": OpportunityStatus.OPEN.value,
        "tier_upgrade": OpportunityKind.TIER_UPGRADE.value,
        "active": InitiativeStatus.ACTIVE.value,
        "stage_adoption": InitiativeKind.STAGE_ADOPTION.value,
        "infra": InitiativeKind.INFRASTRUCTURE_CHANGE.value,
        "open_cases": [str(status) for status in OPEN_STATUSES],
        "default_uptier_window_months": defaults.uptier_window_months,
        "default_stage_adoption_min_hours": defaults.stage_adoption_min_hours,
        "default_infra_change_min_hours": defaults.infra_change_min_hours,
    }


def copy_accounts(*, vacuum: bool = True) -> None:
    """A fresh copy of the accounts table with its indexes (not its foreign keys).

    `vacuum` (outside a transaction only) sets the hint bits and visibility map, so every
    repeat starts from the same packed, settled table."""
    accounts = Account._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        cursor.execute(f"CREATE TABLE {COPY_TABLE} (LIKE {accounts} INCLUDING ALL)")
        cursor.execute(f"INSERT INTO {COPY_TABLE} SELECT * FROM {accounts}")
        cursor.execute(f"{'VACUUM ' if vacuum else ''}ANALYZE {COPY_TABLE}")


def drop_copy() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")


def run_floor(as_of: date) -> int:
    """The statement, once, on the copy; returns the rows it wrote."""
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, floor_parameters(as_of))
        return cursor.rowcount


@dataclass(frozen=True)
class FloorPass:
    """One pass of the statement, repeated: its times and the rows it wrote."""

    name: str
    times: tuple[float, ...]
    rows: int

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def line(self, accounts: int) -> str:
        return (
            f"floor ({self.name}): {self.median:.2f} s median of {len(self.times)} "
            f"(min {min(self.times):.2f}, max {max(self.times):.2f}), "
            f"{self.rows:,} of {accounts:,} accounts written"
        )

    def ratio(self, seconds: float) -> str:
        return f"{seconds / self.median:.1f}x floor ({self.name})"


@dataclass(frozen=True)
class Floor:
    accounts: int
    all_change: FloorPass
    no_change: FloorPass

    def lines(self) -> str:
        return (
            "floor: one SQL UPDATE of segment and US-style priority (bench/floor.py)\n"
            f"{self.all_change.line(self.accounts)}\n{self.no_change.line(self.accounts)}"
        )


def measure_floor(as_of: date, repeats: int = REPEATS) -> Floor:
    """Both passes `repeats` times, each time on a fresh copy; the copy dropped after."""
    if connection.vendor != "postgresql":
        raise SystemExit("the floor is PostgreSQL SQL: run it through bench/run floor")
    passes = {"all change": [], "no change": []}
    rows = {}
    try:
        for _ in range(repeats):
            copy_accounts()
            for name, times in passes.items():
                started = time.perf_counter()
                rows[name] = run_floor(as_of)
                times.append(time.perf_counter() - started)
    finally:
        drop_copy()
    return Floor(
        Account.objects.count(),
        *(FloorPass(name, tuple(times), rows[name]) for name, times in passes.items()),
    )
