"""One account's own lifecycle figures for its page (DESIGN section 5).

The nightly job adds every account's contribution up per TAM, team, region and segment;
here the same contributions (`metrics.formulas`) are read for the one account, for the
current fiscal quarter, with a fixed number of queries whatever the account holds. A
metric that does not apply to the account's segment or priority shows its figure
without a target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.models import (
    Activity,
    ActivityKind,
    ArrSnapshot,
    StageAdoption,
    SuccessPlanState,
    SurveyKind,
)
from lib.dates import add_months
from lib.fiscal import fiscal_quarter_of, quarter_text
from lib.words import date_text, score_text
from metrics import formulas
from metrics.compute import quarter_window
from metrics.models import CLOCK_METRICS, MetricDefinition, MetricTarget
from metrics.target_words import metric_target_text
from rhythm.cadence import CadenceStatus, last_held
from rhythm.selectors import cadence_rule
from segments.codes import SegmentCode

MET, MISSED, NO_TARGET = "met", "missed", ""


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    target: str = "—"
    state: str = NO_TARGET  # met / missed / "" (no target for this account)


@dataclass
class AccountMetrics:
    quarter: str
    figures: list[Figure]
    clock_targets: dict[str, int | None]


def _targets(segment) -> dict[str, Decimal | None]:
    """Each metric's target for the segment, its default where the segment sets none
    (one query)."""
    definitions = MetricDefinition.objects.order_by()
    if segment is None:
        return dict(definitions.values_list("key", "default_target"))
    own = MetricTarget.objects.filter(metric=OuterRef("pk"), segment=segment).values("target")[:1]
    return dict(
        definitions.annotate(own=Subquery(own)).values_list(
            "key", Coalesce("own", "default_target")
        )
    )


def _share_state(part: formulas.Contribution | None) -> str:
    if part is None or not part.denominator:
        return NO_TARGET
    return MET if part.numerator >= part.denominator else MISSED


def _day(value: date | None) -> str:
    return date_text(value, empty="never")


def load_account_metrics(account, objectives, today: date) -> AccountMetrics:
    """`objectives`: the account's success-plan objectives, already read for the page."""
    quarter = fiscal_quarter_of(today, settings.FISCAL_YEAR_START_MONTH)
    window = quarter_window(quarter, today)
    segment = account.effective_segment
    targets = _targets(segment)
    rows = Activity.objects.filter(
        account=account,
        kind__in=[
            ActivityKind.CADENCE_CALL,
            ActivityKind.EBR,
            ActivityKind.WEBINAR_ATTENDANCE,
            ActivityKind.SURVEY_RESPONSE,
            ActivityKind.PLAYBOOK,
        ],
        occurred_on__lte=today,
    ).values_list(
        "kind", "occurred_on", "webinar_id", "webinar__held_on", "webinar__onboarding",
        "stayed_whole_session", "feedback_score", "survey_kind", "nps", "csat",
        "playbook_kind", "stage__name", "started_on", "completed_on", "outcome",
    )  # fmt: skip
    calls, ebrs, attendances, surveys, playbooks = [], [], [], [], []
    for (kind, day, webinar_id, held_on, onboarding, stayed, feedback, survey_kind, nps,
         csat, playbook_kind, stage, started_on, completed_on, outcome) in rows:  # fmt: skip
        if kind == ActivityKind.CADENCE_CALL:
            calls.append(day)
        elif kind == ActivityKind.EBR:
            ebrs.append(day)
        elif kind == ActivityKind.WEBINAR_ATTENDANCE:
            attendances.append(
                formulas.Attendance(webinar_id, held_on or day, onboarding, stayed, feedback)
            )
        elif kind == ActivityKind.SURVEY_RESPONSE:
            surveys.append(formulas.Survey(survey_kind, day, nps, csat))
        else:
            playbooks.append(
                formulas.Playbook(
                    playbook_kind, stage, started_on or day, completed_on, outcome or "open"
                )
            )
    stages = list(
        StageAdoption.objects.filter(account=account)
        .order_by("stage__position")
        .values_list("stage__name", "enabled_on", "initial_adoption_on", "broad_adoption_on")
    )
    arr_start = (
        ArrSnapshot.objects.filter(account=account, fiscal_quarter=quarter.label)
        .values_list("arr", flat=True)
        .first()
    )
    facts = formulas.MetricAccount(
        account_id=account.pk,
        segment=segment.code if segment else None,
        priority=account.priority,
        customer_since=account.customer_since,
        first_engaged_on=account.first_engaged_on,
        first_value_on=account.first_value_on,
        onboarded_on=account.onboarded_on,
        success_plan=account.success_plan,
        success_plan_green_on=account.success_plan_green_on,
        management_qualified=account.success_plan_management_qualified,
        ebr_dates=tuple(ebrs),
        attendances=tuple(attendances),
        surveys=tuple(surveys),
        stages=tuple(
            formulas.StageEnablement(enabled, initial, broad)
            for _, enabled, initial, broad in stages
            if enabled <= today
        ),
        playbooks=tuple(playbooks),
        arr_start=arr_start,
        arr_end=account.arr,
    )
    calls.sort()
    # The rule the book and the dashboard read: the admin's interval for the account's
    # priority and rule set, calls held on or before today.
    cadence = cadence_rule().status(
        account.priority, account.region.rule_set, last_held(calls, today), today
    )
    figures = account_figures(
        facts,
        window,
        targets,
        calls=calls,
        stage_names=[name for name, *_ in stages],
        objectives=[(item.title, item.green) for item in objectives],
        cadence=cadence,
    )
    clock_targets = {
        key: int(targets[key]) if targets.get(key) is not None else None for key in CLOCK_METRICS
    }
    return AccountMetrics(quarter.spoken, figures, clock_targets)


def _contribution(key, facts, window, targets):
    metric = formulas.METRICS_BY_KEY[key]
    if not metric.applies_to(facts.segment):
        return None
    return metric.contribution(facts, window, targets.get(key))


def account_figures(
    facts: formulas.MetricAccount,
    window: formulas.QuarterWindow,
    targets: dict[str, Decimal | None],
    *,
    calls: list[date],
    stage_names: list[str],
    objectives: list[tuple[str, bool]],
    cadence: CadenceStatus | None,
) -> list[Figure]:
    """The figures, from facts already read: no queries. `cadence`: the account's
    (`rhythm.cadence.cadence_status`), None when its priority has no cadence calls."""
    figures = [
        _success_plan(facts, window, targets, objectives),
        _ebr(facts, window, targets),
        _cadence(facts, window, calls, cadence),
        *_surveys(facts, targets),
        _stages(facts, window, targets, stage_names),
        *_playbooks(facts, window, targets),
    ]
    if facts.customer_since is not None:
        attended = any(
            item.onboarding and item.held_on >= facts.customer_since for item in facts.attendances
        )
        figures.append(Figure("Onboarding webinar attended", "yes" if attended else "no"))
    if facts.arr_start and facts.arr_end is not None:
        figures.append(_arr_growth(facts, window, targets))
    return figures


def _arr_growth(facts, window, targets) -> Figure:
    growth = (facts.arr_end - facts.arr_start) / facts.arr_start
    value = f"${facts.arr_start:,.0f} → ${facts.arr_end:,.0f} ({growth:+.1%})"
    label = f"ARR since {quarter_text(window.label)} started"
    part = _contribution("iacv_growth", facts, window, targets)
    target = targets.get("iacv_growth")
    if part is None or target is None:
        return Figure(label, value)
    return Figure(
        label,
        value,
        metric_target_text(target, "ratio", "at_least"),
        MET if growth >= target else MISSED,
    )


def _success_plan(facts, window, targets, objectives) -> Figure:
    green = sum(1 for _, is_green in objectives if is_green)
    state = SuccessPlanState(facts.success_plan).label
    value = f"{state}; {green} of {len(objectives)} objectives green"
    if facts.management_qualified:
        value += "; management-qualified"
    part = _contribution("success_plan_p1", facts, window, targets)
    if part is None:
        return Figure("Success plan", value)
    wanted = "management-qualified" if facts.segment == SegmentCode.STRATEGIC else "fully green"
    return Figure("Success plan", value, f"{wanted} (Pr1)", _share_state(part))


def _ebr(facts, window, targets) -> Figure:
    year_ago = add_months(window.as_of, -12)
    recent = [day for day in facts.ebr_dates if year_ago < day <= window.as_of]
    last = max(facts.ebr_dates, default=None)
    value = f"yes, on {date_text(max(recent))}" if recent else f"no (last: {_day(last)})"
    part = _contribution("ebr_coverage", facts, window, targets)
    if part is None:
        return Figure("EBR in the last 12 months", value)
    return Figure("EBR in the last 12 months", value, "at least one", _share_state(part))


def _cadence(facts, window, calls, cadence: CadenceStatus | None) -> Figure:
    """Missed exactly when the book says "overdue" and the dashboard lists the account."""
    this_quarter = [day for day in calls if window.contains(day)]
    last = calls[-1] if calls else None
    value = f"{len(this_quarter)} (last: {_day(last)})"
    if cadence is None:
        return Figure("Cadence calls this quarter", value)
    return Figure(
        "Cadence calls this quarter",
        value,
        f"every {cadence.interval_days} days (Pr{facts.priority})",
        MISSED if cadence.overdue else MET,
    )


SURVEY_METRICS = (
    (SurveyKind.ONBOARDING, "onboarding_nps_csat"),
    (SurveyKind.SIX_MONTH, "six_month_nps_csat"),
    (SurveyKind.RENEWAL, "renewal_nps_csat"),
)


def _surveys(facts, targets) -> list[Figure]:
    figures = []
    for kind, key in SURVEY_METRICS:
        answers = [survey for survey in facts.surveys if survey.kind == kind]
        label = f"Latest {kind.label.lower()} survey"
        applies = formulas.METRICS_BY_KEY[key].applies_to(facts.segment)
        if not answers:
            if applies:
                figures.append(Figure(label, "no answer yet"))
            continue
        latest = max(answers, key=lambda survey: survey.answered_on)
        scores = [
            f"NPS {latest.nps}" if latest.nps is not None else "",
            f"CSAT {score_text(latest.csat)}" if latest.csat is not None else "",
        ]
        answered = date_text(latest.answered_on)
        value = f"{', '.join(score for score in scores if score)} on {answered}"
        target = targets.get(key)
        if not applies or target is None or latest.csat is None:
            figures.append(Figure(label, value))
            continue
        figures.append(
            Figure(
                label,
                value,
                # "CSAT over 4.0 of 5": the survey metrics' direction is "above" (DESIGN 5).
                f"CSAT {metric_target_text(target, 'score', 'above')}",
                MET if latest.csat > target else MISSED,
            )
        )
    return figures


def _stages(facts, window, targets, stage_names) -> Figure:
    value = f"{len(stage_names)}" + (f": {', '.join(stage_names)}" if stage_names else "")
    part = _contribution("two_stages_adopted", facts, window, targets)
    if part is None:
        return Figure("Stages adopted", value)
    return Figure("Stages adopted", value, "at least 2", _share_state(part))


def _playbooks(facts, window, targets) -> list[Figure]:
    active = [
        playbook
        for playbook in facts.playbooks
        if playbook.started_on <= window.as_of
        and (playbook.completed_on is None or playbook.completed_on > window.as_of)
    ]
    part = _contribution("active_stage_play", facts, window, targets)
    open_text = ", ".join(
        f"{playbook.kind.replace('_', ' ')}{f' ({playbook.stage})' if playbook.stage else ''}"
        for playbook in active
    )
    figures = [
        Figure(
            "Open playbooks",
            open_text or "none",
            "an active stage-adoption play" if part else "—",
            _share_state(part),
        )
    ]
    completed = [playbook for playbook in facts.playbooks if window.contains(playbook.completed_on)]
    days = [
        (playbook.completed_on - playbook.started_on).days
        for playbook in completed
        if playbook.started_on is not None
    ]
    value = f"{len(completed)}"
    if days:
        value += f", {sum(days) / len(days):.0f} days each on average"
    won = sum(1 for playbook in completed if playbook.outcome == "won")
    lost = sum(1 for playbook in completed if playbook.outcome == "lost")
    if won or lost:
        value += f"; {won} won, {lost} lost"
    figures.append(Figure("Playbooks completed this quarter", value))
    return figures
