"""The plain data the lifecycle metric formulas read and return (DESIGN section 5); pure.

A quarter (`QuarterWindow`), one account's facts for it (`MetricAccount` and its
records), one account's part of a metric (`Contribution`), a metric's definition
(`Metric`) and its finished value (`MetricValue`), and the segment groups the metrics
apply to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from segments.codes import TAM_ASSIGNED_CODES, SegmentCode

TAM_ASSIGNED = TAM_ASSIGNED_CODES
NAMED_MID_TOUCH = frozenset({SegmentCode.NAMED, SegmentCode.MID_TOUCH})
STRATEGIC = frozenset({SegmentCode.STRATEGIC})
ONBOARDING = frozenset({SegmentCode.ONBOARDING})
DIGITAL = frozenset({SegmentCode.DIGITAL})
EVERY_SEGMENT = None  # all accounts with a segment

ONE = Decimal(1)
ZERO = Decimal(0)


@dataclass(frozen=True)
class QuarterWindow:
    label: str
    start: date
    end: date
    as_of: date
    # Until when milestones are looked for: a quarter's new customers keep their clocks
    # running after the quarter ends, so a later recompute sees them reached.
    observed_on: date | None = None

    @property
    def milestones_until(self) -> date:
        return self.observed_on or self.as_of

    def contains(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.as_of


@dataclass(slots=True)
class Attendance:
    webinar_id: int
    held_on: date
    onboarding: bool
    stayed: bool | None
    feedback: int | None


@dataclass(slots=True)
class Survey:
    kind: str  # onboarding / six_month / renewal
    answered_on: date
    nps: int | None
    csat: int | None


@dataclass(slots=True)
class StageEnablement:
    enabled_on: date
    initial_adoption_on: date | None
    broad_adoption_on: date | None


@dataclass(slots=True)
class Playbook:
    kind: str  # stage_adoption / expansion
    stage: str | None
    started_on: date | None
    completed_on: date | None
    outcome: str  # open / won / lost


@dataclass(slots=True)
class LicenseFlag:
    flagged_on: date
    saved: bool | None


@dataclass(slots=True)
class MetricAccount:
    """One account's facts for one quarter, read in bulk by the nightly job."""

    account_id: int
    segment: str | None
    priority: int | None = None  # effective priority in the quarter
    customer_since: date | None = None
    first_engaged_on: date | None = None
    first_value_on: date | None = None
    onboarded_on: date | None = None
    success_plan: str = "none"
    success_plan_green_on: date | None = None
    management_qualified: bool = False
    ebr_dates: tuple[date, ...] = ()
    attendances: tuple[Attendance, ...] = ()
    surveys: tuple[Survey, ...] = ()
    stages: tuple[StageEnablement, ...] = ()
    playbooks: tuple[Playbook, ...] = ()
    license_flags: tuple[LicenseFlag, ...] = ()
    green_health_days: tuple[date, ...] = ()  # days a usage snapshot recorded green health
    arr_start: Decimal | None = None  # ARR at the quarter's start
    arr_end: Decimal | None = None  # ARR at the quarter's end (or now)
    first_arr_increase_on: date | None = None
    # The segment its start-of-quarter ARR put it in: ARR metrics count an account that
    # churned or shrank during the quarter in the segment it started in.
    segment_at_start: str | None = None


@dataclass(frozen=True)
class Contribution:
    numerator: Decimal = Decimal(0)
    denominator: Decimal = Decimal(0)
    samples: tuple = ()
    extra: tuple[tuple[str, Decimal], ...] = ()  # secondary sums for the details


@dataclass(frozen=True)
class Targets:
    target: Decimal | None
    previous: Decimal | None = None  # the comparison value for up / down metrics


@dataclass(frozen=True)
class MetricValue:
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None  # None: no data
    target: Decimal | None
    attained: bool | None
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Metric:
    key: str
    segments: frozenset[str] | None
    kind: str  # share / median_days / count / distinct
    direction: str  # at_least / at_most / above / up / down
    contribution: Callable[[MetricAccount, QuarterWindow, Decimal | None], Contribution | None]
    population: str
    numerator: str
    denominator: str
    by_start_segment: bool = False

    def applies_to(self, segment: str | None) -> bool:
        if self.segments is None:
            return segment is not None
        return segment in self.segments


def days_between(start: date | None, end: date | None) -> int | None:
    return (end - start).days if start and end else None


HIT = Contribution(numerator=ONE, denominator=ONE)
MISS = Contribution(numerator=ZERO, denominator=ONE)


def share(hit: bool) -> Contribution:
    # Contributions are frozen, so every account shares these two.
    return HIT if hit else MISS
