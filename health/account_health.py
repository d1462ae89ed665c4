"""One account's health, explained, for the account page (DESIGN 11, issue 13 point 3).

`account_health(account, today)` computes the health live (the account's inputs through
`read_health_inputs`, its segment's scorecard, `score_health`), reads the last 365 days of
its history and says what moved since 7 and 90 days ago: the history row in force on that
day against the live result (`what_moved`). Its queries do not grow with the history:
one for the trend's rows (score and band, and the measures of the at most two rows the
movements compare with), plus the inputs' and the scorecard's.

Live rather than stored: the page shows what the facts say now, and says so when the
stored band (the last recompute's) disagrees, as the Why-priority section does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from django.db.models import Case, F, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.safestring import SafeString, mark_safe

from accounts.models import SuccessPlanState
from lib.words import date_text

from .explanation import (
    MeasureRow,
    band_words,
    headline,
    measure_rows,
    measures_from_json,
    movement_words,
    score_change_words,
)
from .inputs import read_health_inputs
from .models import HealthHistory, JSONTextField
from .movement import what_moved
from .scorecard import Band, HealthInputs, HealthResult, Scorecard, score_health
from .selectors import scorecard_for_segment

TREND_DAYS = 365
MOVED_SINCE_DAYS = (7, 90)
OUTCOME_LABELS = {
    SuccessPlanState.NONE: "none",
    SuccessPlanState.UNCLEAR: "unclear",
    SuccessPlanState.OBJECTIVES: "objectives and due date only",
    SuccessPlanState.GREEN: "fully green",
}


@dataclass(frozen=True, slots=True)
class TrendRow:
    on: date
    score: int | None
    band: str

    @property
    def on_text(self) -> str:
        return date_text(self.on)

    @property
    def score_text(self) -> str:
        return "unknown" if self.score is None else str(self.score)

    @property
    def band_text(self) -> str:
        return band_words(self.band)


@dataclass(frozen=True, slots=True)
class MovedSince:
    """What moved since `days` ago: the row in force then (None: no history that old)."""

    days: int
    then: TrendRow | None
    score_change: str
    movements: list[str]


@dataclass(frozen=True, slots=True)
class AccountHealth:
    inputs: HealthInputs  # what was read: the page's data-age line reads the usage's day
    result: HealthResult
    headline: str
    rows: list[MeasureRow]
    stored_differs: bool
    stored_text: str  # the stored band and score, in words
    live_text: str
    trend: list[TrendRow]  # oldest first, the last 365 days
    chart: dict  # the trend chart's data (json_script)
    moved: list[MovedSince]

    @property
    def trend_table_rows(self) -> SafeString:
        """The trend table's rows, newest first. Built here rather than in a template
        loop: a year of daily rows is 365 rows, and the template engine's per-variable
        cost (and `format_html`'s per-value escaping) made them a third of the page's time.
        A date and a number need no escaping; each band's words are escaped once."""
        words = {row.band: escape(row.band_text) for row in self.trend}
        return mark_safe(
            "".join(
                f'<tr><th scope="row">{row.on_text}</th><td>{row.score_text}</td>'
                f"<td>{words[row.band]}</td></tr>"
                for row in reversed(self.trend)
            )
        )


def account_health(
    account, today: date, *, priority: int | None = None, inputs: HealthInputs | None = None
) -> AccountHealth:
    """`account` needs `segment_id`, `segment_override_id`, `health`, `health_score`.
    `priority`: the priority the next recompute writes (the engagement measure's cadence
    interval follows it); `inputs`: hand-built ones instead of the database's."""
    if inputs is None:
        priorities = {account.pk: priority} if priority is not None else None
        inputs = read_health_inputs([account.pk], today, priorities)[account.pk]
    scorecard = scorecard_for_segment(account.segment_override_id or account.segment_id)
    result = score_health(scorecard, inputs)
    trend, in_force = _history(account.pk, today)
    stored = (account.health or "", account.health_score)
    live = ("" if result.band is Band.UNKNOWN else result.band.value, result.score)
    return AccountHealth(
        inputs=inputs,
        result=result,
        headline=headline(result),
        rows=measure_rows(result, OUTCOME_LABELS),
        stored_differs=stored != live,
        stored_text=_band_and_score(*stored),
        live_text=_band_and_score(*live),
        trend=[row for row in trend if row.on > today - timedelta(days=TREND_DAYS)],
        chart=_chart(trend, today, scorecard),
        moved=_moved(result, in_force),
    )


def _band_and_score(band: str, score: int | None) -> str:
    return "unknown" if not band or score is None else f"{score} ({band_words(band)})"


def _history(account_id: int, today: date) -> tuple[list[TrendRow], dict[int, tuple]]:
    """The trend's rows (the window's and the one in force when it opened) and, per
    `MOVED_SINCE_DAYS`, the row in force on that day with its measures: one query, a
    range of the (account, on) index; only the (at most two) compared rows carry their
    measures, the others' stay in the database."""
    start = today - timedelta(days=TREND_DAYS)
    rows = HealthHistory.objects.filter(account_id=account_id).order_by()

    def in_force_on(day: date) -> Subquery:
        return Subquery(rows.filter(on__lte=day).order_by("-on").values("on")[:1])

    compared = Q()
    for days in MOVED_SINCE_DAYS:
        compared |= Q(on=in_force_on(today - timedelta(days=days)))
    listed = list(
        rows.filter(
            on__gte=Coalesce(in_force_on(start), Value(start + timedelta(days=1))),
            on__lte=today,
        )
        .annotate(
            compared_measures=Case(When(compared, then=F("measures")), output_field=JSONTextField())
        )
        .order_by("on")
        .values_list("on", "score", "band", "compared_measures")
    )
    in_force = {}
    for days in MOVED_SINCE_DAYS:
        day = today - timedelta(days=days)
        then = [row for row in listed if row[0] <= day]
        if then:
            on, score, band, measures = then[-1]
            in_force[days] = ((on, score, band), measures or {})
    return [TrendRow(on, score, band) for on, score, band, _ in listed], in_force


def _moved(now: HealthResult, in_force: dict[int, tuple]) -> list[MovedSince]:
    moved = []
    for days in MOVED_SINCE_DAYS:
        if days not in in_force:
            moved.append(MovedSince(days, None, "", []))
            continue
        (on, score, band), data = in_force[days]
        then = measures_from_json(data, score, band)
        moved.append(
            MovedSince(
                days,
                TrendRow(on, score, band),
                score_change_words(score, band, now),
                [movement_words(movement) for movement in what_moved(now, then)],
            )
        )
    return moved


def _chart(trend: list[TrendRow], today: date, scorecard: Scorecard) -> dict:
    """A point a day from the first row to today, each the score in force that day (a
    row is kept only on change), and the band cut-offs as dashed lines."""
    if not trend:
        return {}
    start = max(trend[0].on, today - timedelta(days=TREND_DAYS - 1))
    labels, scores = [], []
    position, current = 0, None
    day = start
    while day <= today:
        while position < len(trend) and trend[position].on <= day:
            current = trend[position].score
            position += 1
        labels.append(date_text(day))
        scores.append(current)
        day += timedelta(days=1)
    return {
        "labels": labels,
        "scores": scores,
        "green_from": scorecard.band_green_from,
        "yellow_from": scorecard.band_yellow_from,
    }
