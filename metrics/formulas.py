"""Lifecycle metrics (DESIGN section 5, pages 000-003): pure, no Django.

Each metric is one `Metric`: the segments it applies to, its population, and a function
giving one account's `Contribution` for a fiscal quarter (a numerator and denominator, or
samples for a median or a distinct count). The nightly job adds contributions up per
TAM, team, region, segment and company (`Accumulator`); `finish()` turns the sums into a
`MetricValue`. An empty population gives no value ("no data"), never 0% and never a
division by zero.

The quarter is a `QuarterWindow`: its first and last day and the day the figures are
as of (the last day, or today while the quarter runs). "In the quarter" means between
the first day and the as-of day, both included.

Decisions where the pages are silent (also in the README):
- Time to engage / value / onboard: the population is the quarter's new customers
  (customer-since in the quarter); the value is the median days of those whose milestone
  is reached and, at their days so far, of those still running past the target;
  numerator/denominator is the share reached within the target among those whose clock
  has stopped or run past the target. Milestones count until the day the figures are
  computed, so a finished quarter's late milestones are seen.
- "Net-new customers ... within 60 days" and "past 90 days" populations are the customers
  whose 60th / 90th day falls in the quarter, so each customer counts once, when their
  deadline comes.
- Onboarding and renewal surveys: the value is the average CSAT; the NPS (promoters
  minus detractors, in points) goes in the details.
- QoQ metrics (up / down / improving) compare with the previous quarter's value for the
  same scope; time to IACV growth compares with the same quarter of the prior fiscal year.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from lib.dates import add_months

TAM_ASSIGNED = frozenset({"strategic", "named", "mid-touch"})
NAMED_MID_TOUCH = frozenset({"named", "mid-touch"})
STRATEGIC = frozenset({"strategic"})
ONBOARDING = frozenset({"onboarding"})
DIGITAL = frozenset({"digital"})
EVERY_SEGMENT = None  # all accounts with a segment


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


# --- helpers ------------------------------------------------------------------------------

ONE = Decimal(1)
ZERO = Decimal(0)


def _days(start: date | None, end: date | None) -> int | None:
    return (end - start).days if start and end else None


def _share(hit: bool) -> Contribution:
    return Contribution(ONE if hit else ZERO, ONE)


def _clock(milestone: str):
    """Time from customer-since to a milestone, for the quarter's new customers."""

    def contribution(account: MetricAccount, quarter: QuarterWindow, target):
        if not quarter.contains(account.customer_since):
            return None
        until = quarter.milestones_until
        reached = getattr(account, milestone)
        days = _days(account.customer_since, reached) if reached else None
        if reached and reached > until:
            days = None  # reached after the day we look from: not yet, for these figures
        elapsed = _days(account.customer_since, until)
        limit = int(target) if target is not None else None
        within = days is not None and limit is not None and days <= limit
        overdue = days is None and limit is not None and elapsed > limit
        # A clock still running past its target takes part in the median with the days
        # so far, a lower bound: leaving it out would make late cohorts look fast.
        sample = days if days is not None else (elapsed if overdue else None)
        return Contribution(
            numerator=ONE if within else ZERO,
            denominator=ONE if days is not None or overdue else ZERO,
            samples=(sample,) if sample is not None else (),
            extra=(("cohort", ONE), ("reached", ONE if days is not None else ZERO)),
        )

    return contribution


# --- the metrics --------------------------------------------------------------------------


def _success_plan_p1(account, quarter, target):
    if account.priority != 1:
        return None
    if account.segment == "strategic":
        return _share(account.management_qualified)
    return _share(account.success_plan == "green")


def _success_plan_new(account, quarter, target):
    if account.customer_since is None:
        return None
    deadline = account.customer_since + timedelta(days=60)
    if not quarter.contains(deadline):
        return None
    green = account.success_plan_green_on
    return _share(green is not None and green <= deadline)


def _success_plan_onboarded(account, quarter, target):
    """A completed plan is a fully green one; objectives alone are a plan in progress."""
    if not quarter.contains(account.onboarded_on):
        return None
    return _share(account.success_plan == "green")


def _ebr_coverage(account, quarter, target):
    if account.segment != "strategic" and account.priority != 1:
        return None
    year_ago = add_months(quarter.as_of, -12)
    return _share(any(year_ago < day <= quarter.as_of for day in account.ebr_dates))


def _webinar_attendance_new(account, quarter, target):
    if not quarter.contains(account.customer_since):
        return None
    attended = any(
        item.onboarding and account.customer_since <= item.held_on <= quarter.as_of
        for item in account.attendances
    )
    return _share(attended)


def _survey_average(kind: str):
    def contribution(account, quarter, target):
        scores = [
            survey
            for survey in account.surveys
            if survey.kind == kind and quarter.contains(survey.answered_on)
        ]
        if not scores:
            return None
        csat = [survey.csat for survey in scores if survey.csat is not None]
        nps = [survey.nps for survey in scores if survey.nps is not None]
        return Contribution(
            numerator=Decimal(sum(csat)),
            denominator=Decimal(len(csat)),
            extra=(
                ("responses", Decimal(len(nps))),
                ("promoters", Decimal(sum(1 for score in nps if score >= 9))),
                ("detractors", Decimal(sum(1 for score in nps if score <= 6))),
            ),
        )

    return contribution


def _green_within_90_days(account, quarter, target):
    if account.customer_since is None:
        return None
    deadline = account.customer_since + timedelta(days=90)
    if not quarter.contains(deadline):
        return None
    return _share(
        any(account.customer_since <= day <= deadline for day in account.green_health_days)
    )


def _attendances_in(account, quarter):
    return [item for item in account.attendances if quarter.contains(item.held_on)]


def _webinars_held(account, quarter, target):
    # Every account in the segments counts, so a scope that held none shows 0, not no data.
    return Contribution(
        samples=tuple({item.webinar_id for item in _attendances_in(account, quarter)})
    )


def _webinar_stay_rate(account, quarter, target):
    known = [item for item in _attendances_in(account, quarter) if item.stayed is not None]
    if not known:
        return None
    return Contribution(Decimal(sum(item.stayed for item in known)), Decimal(len(known)))


def _webinar_feedback(account, quarter, target):
    scored = [item for item in _attendances_in(account, quarter) if item.feedback is not None]
    if not scored:
        return None
    return Contribution(Decimal(sum(item.feedback for item in scored)), Decimal(len(scored)))


def _active_stage_play(account, quarter, target):
    active = any(
        playbook.kind == "stage_adoption"
        and playbook.started_on is not None
        and playbook.started_on <= quarter.as_of
        and (playbook.completed_on is None or playbook.completed_on > quarter.as_of)
        for playbook in account.playbooks
    )
    return _share(active)


def _stages_by(account: MetricAccount, day: date) -> int:
    return sum(1 for stage in account.stages if stage.enabled_on <= day)


def _two_stages(account, quarter, target):
    return _share(_stages_by(account, quarter.as_of) >= 2)


def _stages_growth(account, quarter, target):
    before = _stages_by(account, quarter.start - timedelta(days=1))
    after = _stages_by(account, quarter.as_of)
    return Contribution(Decimal(after - before), Decimal(before))


def _stage_adoption_within(reached: str, deadline: Callable[[date], date]):
    def contribution(account, quarter, target):
        due = [stage for stage in account.stages if quarter.contains(deadline(stage.enabled_on))]
        if not due:
            return None
        hits = sum(
            1
            for stage in due
            if getattr(stage, reached) is not None
            and getattr(stage, reached) <= deadline(stage.enabled_on)
        )
        return Contribution(Decimal(hits), Decimal(len(due)))

    return contribution


def _license_saves(account, quarter, target):
    """Accounts, not flags: an account flagged twice counts once, saved if any flag was."""
    flagged = [flag for flag in account.license_flags if quarter.contains(flag.flagged_on)]
    if not flagged:
        return None
    return _share(any(flag.saved for flag in flagged))


def _completed_in(account, quarter, kind=None):
    return [
        playbook
        for playbook in account.playbooks
        if quarter.contains(playbook.completed_on) and (kind is None or playbook.kind == kind)
    ]


def _playbooks_completed(account, quarter, target):
    # Every account in the segments counts, so a scope that completed none shows 0.
    return Contribution(numerator=Decimal(len(_completed_in(account, quarter))))


def _days_per_playbook(account, quarter, target):
    days = [
        _days(playbook.started_on, playbook.completed_on)
        for playbook in _completed_in(account, quarter)
        if playbook.started_on is not None
    ]
    if not days:
        return None
    return Contribution(Decimal(sum(days)), Decimal(len(days)))


def _expansion_win_rate(account, quarter, target):
    closed = [
        playbook
        for playbook in _completed_in(account, quarter, "expansion")
        if playbook.outcome in ("won", "lost")
    ]
    if not closed:
        return None
    won = sum(1 for playbook in closed if playbook.outcome == "won")
    return Contribution(Decimal(won), Decimal(len(closed)))


def _gross_retention(account, quarter, target):
    if not account.arr_start or account.arr_end is None:
        return None  # no start ARR, or the end is not known yet: not in the population
    lost = max(account.arr_start - account.arr_end, ZERO)  # churn, contraction; not growth
    return Contribution(account.arr_start - lost, account.arr_start)


def _iacv_growth(account, quarter, target):
    if not account.arr_start or account.arr_end is None:
        return None
    return Contribution(account.arr_end - account.arr_start, account.arr_start)


def _time_to_iacv_growth(account, quarter, target):
    increase = account.first_arr_increase_on
    if account.customer_since is None or not quarter.contains(increase):
        return None
    days = _days(account.customer_since, increase)
    if days is None or days >= 365:
        return None  # year-1 customers only: under 365 days from the contract
    return Contribution(samples=(days,))


METRICS: tuple[Metric, ...] = (
    Metric("time_to_first_engage", TAM_ASSIGNED, "median_days", "at_most",
           _clock("first_engaged_on"), "accounts whose customer-since is in the quarter",
           "first engaged within the target", "engaged, or past the target"),
    Metric("time_to_first_value", EVERY_SEGMENT, "median_days", "at_most",
           _clock("first_value_on"), "accounts whose customer-since is in the quarter",
           "first value within the target", "reached first value, or past the target"),
    Metric("time_to_onboard", TAM_ASSIGNED, "median_days", "at_most",
           _clock("onboarded_on"), "accounts whose customer-since is in the quarter",
           "onboarded within the target", "onboarded, or past the target"),
    Metric("success_plan_p1", TAM_ASSIGNED, "share", "at_least", _success_plan_p1,
           "Pr1 accounts", "management-qualified (Strategic) or green (Named, Mid-Touch) plan",
           "Pr1 accounts"),
    Metric("success_plan_new", NAMED_MID_TOUCH, "share", "at_least", _success_plan_new,
           "customers whose 60th day falls in the quarter", "green plan by day 60",
           "customers at day 60"),
    Metric("success_plan_onboarded", ONBOARDING, "share", "at_least", _success_plan_onboarded,
           "customers that completed onboarding in the quarter",
           "fully green plan", "onboarded customers"),
    Metric("ebr_coverage", TAM_ASSIGNED, "share", "at_least", _ebr_coverage,
           "Strategic: all accounts; Named, Mid-Touch: Pr1 accounts",
           "EBR in the last 12 months", "accounts in the population"),
    Metric("webinar_attendance_new", NAMED_MID_TOUCH, "share", "at_least",
           _webinar_attendance_new, "accounts whose customer-since is in the quarter",
           "attended an onboarding webinar", "new customers"),
    Metric("onboarding_nps_csat", NAMED_MID_TOUCH | DIGITAL, "share", "above",
           _survey_average("onboarding"), "onboarding surveys answered in the quarter",
           "sum of CSAT", "CSAT answers"),
    Metric("primary_use_case_green_90d", NAMED_MID_TOUCH, "share", "at_least",
           _green_within_90_days, "customers whose 90th day falls in the quarter",
           "health green within 90 days", "customers at day 90"),
    Metric("webinars_per_quarter", NAMED_MID_TOUCH, "distinct", "at_least", _webinars_held,
           "webinars held in the quarter with attendees in scope", "webinars", "—"),
    Metric("webinar_stay_rate", NAMED_MID_TOUCH, "share", "at_least", _webinar_stay_rate,
           "webinar attendances in the quarter", "stayed for the whole webinar",
           "attendances"),
    Metric("webinar_feedback", NAMED_MID_TOUCH, "share", "above", _webinar_feedback,
           "feedback scores given in the quarter", "sum of scores", "scores"),
    Metric("active_stage_play", NAMED_MID_TOUCH, "share", "at_least", _active_stage_play,
           "accounts", "with an open, active stage adoption play", "accounts"),
    Metric("two_stages_adopted", NAMED_MID_TOUCH, "share", "at_least", _two_stages,
           "accounts", "with at least 2 stages adopted", "accounts"),
    Metric("stages_adopted_growth", NAMED_MID_TOUCH, "share", "at_least", _stages_growth,
           "whole book", "stages adopted in the quarter", "stages adopted at its start"),
    Metric("stage_initial_adoption_60d", NAMED_MID_TOUCH, "share", "at_least",
           _stage_adoption_within("initial_adoption_on", lambda day: day + timedelta(days=60)),
           "enabled stages whose 60th day falls in the quarter",
           "reached 10% of users by day 60", "stages"),
    Metric("stage_broad_adoption_6m", NAMED_MID_TOUCH, "share", "at_least",
           _stage_adoption_within("broad_adoption_on", lambda day: add_months(day, 6)),
           "enabled stages whose 6 months end in the quarter",
           "reached 50% of users within 6 months", "stages"),
    Metric("low_license_saves", NAMED_MID_TOUCH, "share", "up", _license_saves,
           "accounts flagged for low licence utilisation in the quarter", "saved",
           "flagged"),
    Metric("renewal_nps_csat", NAMED_MID_TOUCH, "share", "above", _survey_average("renewal"),
           "renewal surveys answered in the quarter", "sum of CSAT", "CSAT answers"),
    Metric("six_month_nps_csat", DIGITAL, "share", "above", _survey_average("six_month"),
           "six-month surveys answered in the quarter", "sum of CSAT", "CSAT answers"),
    Metric("playbooks_completed", TAM_ASSIGNED, "count", "up", _playbooks_completed,
           "playbooks completed in the quarter", "playbooks", "—"),
    Metric("days_per_playbook", TAM_ASSIGNED, "share", "down", _days_per_playbook,
           "playbooks completed in the quarter", "days from start to completion",
           "playbooks"),
    Metric("expansion_win_rate", STRATEGIC, "share", "up", _expansion_win_rate,
           "expansion playbooks closed in the quarter", "won", "closed"),
    Metric("gross_retention", TAM_ASSIGNED | ONBOARDING, "share", "at_least",
           _gross_retention, "ARR at the start of the quarter",
           "start ARR less churn and contraction", "start ARR", by_start_segment=True),
    Metric("iacv_growth", TAM_ASSIGNED, "share", "at_least", _iacv_growth, "accounts",
           "ARR gained in the quarter", "ARR at its start", by_start_segment=True),
    Metric("time_to_iacv_growth", ONBOARDING | DIGITAL, "median_days", "down",
           _time_to_iacv_growth, "year-1 customers whose ARR first grew in the quarter",
           "—", "—", by_start_segment=True),
)  # fmt: skip
METRICS_BY_KEY = {metric.key: metric for metric in METRICS}


# --- adding up ----------------------------------------------------------------------------


class Accumulator:
    """The running sums of one metric in one scope."""

    __slots__ = ("count", "denominator", "extra", "numerator", "samples")

    def __init__(self) -> None:
        self.numerator = ZERO
        self.denominator = ZERO
        self.samples: list | set | None = None
        self.extra: dict[str, Decimal] = {}
        self.count = 0

    def merge(self, other: Accumulator, kind: str) -> None:
        """Add another scope's sums in (a TAM's into its team's, region's, company's)."""
        self.count += other.count
        self.numerator += other.numerator
        self.denominator += other.denominator
        if other.samples:
            if self.samples is None:
                self.samples = set() if kind == "distinct" else []
            if kind == "distinct":
                self.samples.update(other.samples)
            else:
                self.samples.extend(other.samples)
        for name, amount in other.extra.items():
            self.extra[name] = self.extra.get(name, ZERO) + amount

    def add(self, contribution: Contribution, kind: str) -> None:
        self.count += 1
        self.numerator += contribution.numerator
        self.denominator += contribution.denominator
        if contribution.samples:
            if self.samples is None:
                self.samples = set() if kind == "distinct" else []
            if kind == "distinct":
                self.samples.update(contribution.samples)
            else:
                self.samples.extend(contribution.samples)
        for name, amount in contribution.extra:
            self.extra[name] = self.extra.get(name, ZERO) + amount


def _attained(direction: str, value: Decimal | None, targets: Targets) -> bool | None:
    if value is None:
        return None
    if direction in ("up", "down"):
        if targets.previous is None:
            return None
        return value > targets.previous if direction == "up" else value < targets.previous
    if targets.target is None:
        return None
    if direction == "at_least":
        return value >= targets.target
    if direction == "at_most":
        return value <= targets.target
    return value > targets.target


def _details(accumulator: Accumulator) -> dict:
    details = {name: f"{amount}" for name, amount in accumulator.extra.items()}
    responses = accumulator.extra.get("responses")
    if responses:
        promoters = accumulator.extra.get("promoters", ZERO)
        detractors = accumulator.extra.get("detractors", ZERO)
        details["nps"] = f"{((promoters - detractors) / responses * 100):.1f}"
    return details


def finish(metric: Metric, accumulator: Accumulator | None, targets: Targets) -> MetricValue:
    """The value of a metric in one scope; no population means no data."""
    comparison = targets.previous if metric.direction in ("up", "down") else targets.target
    if accumulator is None or accumulator.count == 0:
        return MetricValue(None, None, None, comparison, None)
    value, numerator, denominator = _value(metric, accumulator)
    details = _details(accumulator)
    return MetricValue(
        numerator=numerator,
        denominator=denominator,
        value=value,
        target=comparison,
        attained=_attained(metric.direction, value, targets),
        details=details,
    )


def _value(metric: Metric, accumulator: Accumulator) -> tuple:
    if metric.kind == "count":
        return accumulator.numerator, accumulator.numerator, None
    if metric.kind == "distinct":
        count = Decimal(len(accumulator.samples or ()))
        return count, count, None
    if metric.kind == "median_days":
        samples = accumulator.samples or []
        median = Decimal(str(statistics.median(samples))) if samples else None
        return median, accumulator.numerator, accumulator.denominator
    if not accumulator.denominator:
        return None, accumulator.numerator, accumulator.denominator
    value = accumulator.numerator / accumulator.denominator
    return value.quantize(Decimal("0.0001")), accumulator.numerator, accumulator.denominator


def metrics_for(segment: str | None) -> tuple[Metric, ...]:
    """The metrics an account in `segment` counts in by its current segment."""
    return tuple(
        metric for metric in METRICS if not metric.by_start_segment and metric.applies_to(segment)
    )


START_SEGMENT_METRICS = tuple(metric for metric in METRICS if metric.by_start_segment)


def contributions(
    account: MetricAccount,
    quarter: QuarterWindow,
    targets: dict[str, Decimal | None],
    metrics: Iterable[Metric] | None = None,
) -> Iterable[tuple[Metric, Contribution]]:
    """Every metric this account counts in for the quarter, with its part.

    `metrics` may pass `metrics_for(account.segment)`, computed once per segment.
    """
    for metric in metrics_for(account.segment) if metrics is None else metrics:
        part = metric.contribution(account, quarter, targets.get(metric.key))
        if part is not None:
            yield metric, part
    start_segment = account.segment_at_start or account.segment
    for metric in START_SEGMENT_METRICS:
        if metric.applies_to(start_segment):
            part = metric.contribution(account, quarter, targets.get(metric.key))
            if part is not None:
                yield metric, part
