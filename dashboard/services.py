"""The dashboard's data: one scope (a team, or a region for admins), one quarter.

A manager's or admin's reads start from `Account.objects.visible_to(user)` narrowed to the
scope. A TAM's read-only view of their own team (DESIGN section 1) counts the team's
accounts, but every account it names or links is from `visible_to(tam)`, their book: the
review queue and the burn-down lists show teammates' accounts only as counts.

Each section costs a fixed number of queries however many TAMs or accounts the scope has:

- scope: the user's teams and, for admins, the regions (2 queries);
- priority mix and movement matrix: one grouped query (TAM x last x this quarter,
  `priorities_by`, which the company's view groups by region too);
- the scope's members (1), which of them the user may see (1), the region's rule-set
  parameters (1);
- review queue (`review_queue`): pending exceptions, EMEA proposals and the first
  will-churn proposals with their count (3);
- burn-down lists (`burn_down`, over `health_triage`'s ten): the two settings they read
  (2), every list's size and first few ids as one union, those accounts (2); health and triage
  panels: `health_triage` (4);
- metrics: definitions (1), segments in the book (2), results for six quarters (1);
- workload: `rhythm.services.team_workloads`, 5 queries per team (one team for a
  manager's view; a region's view costs 5 per team of the region).

The mix is read from the quarter's PriorityAssessment rows, for the current quarter too
(the recompute and every decision keep that row in step with the account), so a past
quarter and the present are measured the same way. Accounts count under their current
TAM, as the metrics do: the portal keeps no history of who owned an account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce

from accounts.models import Account, Region
from lib.fiscal import FiscalQuarter, quarter_text
from metrics.models import MetricDefinition, MetricResult, ScopeType, team_segment_scope
from people.models import Role, Team, User
from prioritization.models import RuleSetParameters
from rhythm.services import team_workloads
from segments.models import Segment

from .mix import PRIORITY_KEYS, Movements, Pr1Target, TamMix, priority_label, tally

TREND_QUARTERS = 6


# --- scope -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """A team, or (admins only) every team of a region; `read_only` for a TAM's own team."""

    key: str  # "team-<id>" or "region-<id>", the value of the scope select
    label: str
    region: Region
    teams: tuple[Team, ...]
    team: Team | None = None
    read_only: bool = False

    @property
    def metric_scope(self) -> tuple[str, str]:
        if self.team is not None:
            return ScopeType.TEAM, str(self.team.pk)
        return ScopeType.REGION, str(self.region.pk)

    def segment_metric_scope(self, code: str) -> tuple[str, str]:
        """Where the scope's figure for one segment is kept: the team's own accounts in
        it for a team; for a region, which has no such scope, the segment company-wide."""
        if self.team is not None:
            return ScopeType.TEAM_SEGMENT, team_segment_scope(self.team.pk, code)
        return ScopeType.SEGMENT, code

    def segment_column(self, name: str) -> str:
        if self.team is not None:
            return f"{self.label}, {name}"
        return f"{name} (whole company)"

    def members(self) -> list[User]:
        """Everyone in the scope's teams, by username (one query)."""
        return list(User.objects.filter(team__in=self.teams).order_by("username"))

    def accounts(self, user: User, members: list[User]) -> QuerySet:
        """The accounts the members hold, as far as `user` may see them. Filtering on the
        TAM ids uses the (tam, name) index; a join through the team scanned every account.

        A TAM's read-only team view counts the whole team's accounts (the mix, movements
        and list sizes are the team's), so this is not narrowed to their book: the views
        that name accounts narrow again with `visible_to` (see `book_of`)."""
        member_ids = [member.pk for member in members]
        if self.read_only:
            if user.team_id not in {team.pk for team in self.teams}:
                return Account.objects.none()
            return Account.objects.filter(tam_id__in=member_ids)
        # Which members' books `user` may see, asked once (one query on the tam index):
        # the page's two dozen queries then filter on the TAM ids alone, where each
        # joined the TAM and the team again for `visible_to`, a third of their planning.
        # `visible_to` decides by the account's TAM (own book, team's, all), so the TAMs
        # it lets through hold exactly the accounts it would let through.
        visible_tams = (
            Account.objects.visible_to(user)
            .filter(tam_id__in=member_ids)
            .order_by()
            .values_list("tam_id", flat=True)
            .distinct()
        )
        return Account.objects.filter(tam_id__in=list(visible_tams))

    def book_of(self, user: User, accounts: QuerySet) -> QuerySet:
        """The accounts of the scope `user` may open: what the dashboard names or links."""
        return accounts & Account.objects.visible_to(user) if self.read_only else accounts


def available_scopes(user: User) -> list[Scope]:
    """The scopes `user` may open, in the select's order: a manager's own teams; every
    team and then every region for an admin; a TAM's own team, read-only."""
    if user.is_portal_admin:
        teams = list(Team.objects.select_related("region"))
        by_region: dict[int, list[Team]] = {}
        for team in teams:
            by_region.setdefault(team.region_id, []).append(team)
        regions = Region.objects.filter(pk__in=list(by_region)).order_by("name")
        return [_team_scope(team) for team in teams] + [
            Scope(f"region-{region.pk}", region.name, region, tuple(by_region[region.pk]))
            for region in regions
        ]
    if user.role == Role.MANAGER:
        return [_team_scope(team) for team in user.managed_teams.select_related("region")]
    if user.role == Role.TAM and user.team_id is not None:
        return [
            _team_scope(Team.objects.select_related("region", "manager").get(pk=user.team_id), True)
        ]
    return []


def _team_scope(team: Team, read_only: bool = False) -> Scope:
    return Scope(f"team-{team.pk}", team.name, team.region, (team,), team, read_only)


# --- priority mix and movements ----------------------------------------------------------


class MovementColumns:
    """What a team's picture and the company's (`company.CompanyPicture`) read alike:
    the priority columns and whether the quarter has assessments at all."""

    movements: Movements

    @property
    def column_labels(self) -> list[str]:
        return [priority_label(key) for key in PRIORITY_KEYS]

    @property
    def assessed(self) -> bool:
        """False when no account of the scope has an assessment for the quarter: the
        page says so rather than showing every account "Not assessed"."""
        return self.movements.any_assessed


@dataclass
class PriorityPicture(MovementColumns):
    target: Pr1Target
    mixes: list[TamMix]
    movements: Movements
    quarter: FiscalQuarter
    previous: FiscalQuarter

    @property
    def off_target(self) -> int:
        return sum(1 for mix in self.mixes if mix.on_target is False)


def _pr1_target(region: Region) -> Pr1Target:
    params = RuleSetParameters.objects.filter(region=region).first() or RuleSetParameters()
    return Pr1Target.for_rule_set(
        region.rule_set,
        share=params.pr1_target_share,
        band_min=params.pr1_target_min_per_tam,
        band_max=params.pr1_cap_per_tam,
    )


def priorities_by(accounts: QuerySet, quarter: FiscalQuarter, *groups: str) -> QuerySet:
    """How many of `accounts` had each priority last quarter and this one, grouped by
    `groups` (the TAM, or the region and the TAM), in one query: the rows `mix.tally`
    and `mix.tally_regions` read (`this_priority`, `last_priority`, `accounts`; None
    where an account has no assessment for that quarter)."""
    return (
        accounts.alias(
            this=FilteredRelation(
                "assessments", condition=Q(assessments__fiscal_quarter=quarter.label)
            ),
            last=FilteredRelation(
                "assessments", condition=Q(assessments__fiscal_quarter=quarter.previous.label)
            ),
        )
        .order_by()
        .values(
            *groups,
            this_priority=F("this__effective_priority"),
            last_priority=F("last__effective_priority"),
        )
        .annotate(accounts=Count("pk"))
    )


def priority_picture(
    scope: Scope, members: list[User], accounts: QuerySet, quarter: FiscalQuarter
) -> PriorityPicture:
    previous = quarter.previous
    rows = list(priorities_by(accounts, quarter, "tam_id"))
    # The active TAMs, and any other member still holding an account of the scope.
    holding = {row["tam_id"] for row in rows}
    tam_names = [
        (member.pk, str(member))
        for member in members
        if (member.role == Role.TAM and member.is_active) or member.pk in holding
    ]
    target = _pr1_target(scope.region)
    mixes, movements = tally(rows, tam_names, target)
    return PriorityPicture(target, mixes, movements, quarter, previous)


# --- metrics -----------------------------------------------------------------------------


@dataclass
class MetricCell:
    value: Decimal | None
    target: Decimal | None
    attained: bool | None
    unit: str

    @property
    def has_data(self) -> bool:
        return self.value is not None


@dataclass
class MetricRow:
    key: str
    name: str
    unit: str
    cells: list[MetricCell | None]  # one per column; None: no result kept
    direction: str = "at_least"  # how the target reads (metrics/target_words.py)


@dataclass
class MetricAttainment:
    columns: list[str]  # the scope, then each segment of its book
    rows: list[MetricRow]
    chosen: MetricDefinition | None
    definitions: list[MetricDefinition]
    trend: dict = field(default_factory=dict)  # the chart's payload, numbers as shown
    segments_company_wide: bool = False  # a region's segment columns are the whole company's


def display_number(value: Decimal | None, unit: str) -> float | None:
    """The figure as people read it: shares and ratios (growth) in percent, the rest to two
    decimals, as the table reads them (metrics/target_words.py)."""
    if value is None:
        return None
    if unit in ("share", "ratio"):
        return round(float(value) * 100, 1)
    return round(float(value), 2)


def metric_attainment(
    scope: Scope, accounts: QuerySet, quarter: FiscalQuarter, metric_key: str | None
) -> MetricAttainment:
    """The quarter's results for the scope and for each segment of its book, and the
    chosen metric's trend over the last six quarters.

    A team's segment columns are its own accounts in that segment (the team x segment
    results, against the segment's target). Results are not kept per region and
    segment, so a region's segment columns are the segment across the whole company.
    """
    definitions = list(MetricDefinition.objects.order_by("name"))
    by_key = {definition.key: definition for definition in definitions}
    book_segments = set(
        accounts.annotate(code=Coalesce("segment_override__code", "segment__code"))
        .order_by()
        .values_list("code", flat=True)
        .distinct()
    )
    segments = list(
        Segment.objects.filter(code__in=book_segments)
        .order_by("position")
        .values_list("code", "name")
    )
    scope_type, scope_id = scope.metric_scope
    column_keys = [(scope_type, scope_id)] + [
        scope.segment_metric_scope(code) for code, _ in segments
    ]
    columns = [scope.label] + [scope.segment_column(name) for _, name in segments]
    quarters = [quarter.shifted(offset) for offset in range(-(TREND_QUARTERS - 1), 1)]
    labels = [q.label for q in quarters]

    scope_filter = Q(scope_type=scope_type, scope=scope_id)
    if segments:
        segment_type = column_keys[1][0]
        scope_filter |= Q(
            scope_type=segment_type, scope__in=[scope for _, scope in column_keys[1:]]
        )
    # Six quarters of every metric: a few hundred small rows, and any metric can be charted.
    results = MetricResult.objects.filter(scope_filter, fiscal_quarter__in=labels).values(
        "metric_id", "scope_type", "scope", "fiscal_quarter", "value", "target", "attained"
    )
    found: dict[tuple, dict] = {
        (row["metric_id"], row["scope_type"], row["scope"], row["fiscal_quarter"]): row
        for row in results
    }

    rows = []
    for definition in definitions:
        cells = []
        for column in column_keys:
            row = found.get((definition.pk, *column, quarter.label))
            cells.append(
                MetricCell(row["value"], row["target"], row["attained"], definition.unit)
                if row
                else None
            )
        if any(cells):
            rows.append(
                MetricRow(
                    definition.key, definition.name, definition.unit, cells, definition.direction
                )
            )

    chosen = by_key.get(metric_key or "")
    if chosen is None and rows:
        chosen = by_key[rows[0].key]

    trend = _trend(chosen, column_keys, columns, labels, found) if chosen is not None else {}
    return MetricAttainment(
        columns, rows, chosen, definitions, trend, segments_company_wide=scope.team is None
    )


def _trend(chosen: MetricDefinition, column_keys, columns, labels, found) -> dict:
    """The chart's payload: the scope's line and target, then each segment's line where it
    has figures, with the segment's target where it differs from the scope's."""

    def numbers(points, name):
        return [display_number(point[name], chosen.unit) if point else None for point in points]

    series, targets = [], []
    for column, label in zip(column_keys, columns, strict=True):
        points = [found.get((chosen.pk, *column, quarter)) for quarter in labels]
        values, target_values = numbers(points, "value"), numbers(points, "target")
        if column == column_keys[0]:
            series.append({"label": label, "values": values})
            scope_target = target_values
            targets.append({"label": "Target", "values": target_values, "target": True})
        elif any(value is not None for value in values):
            series.append({"label": label, "values": values})
            if target_values != scope_target and any(v is not None for v in target_values):
                targets.append(
                    {"label": f"{label} target", "values": target_values, "target": True,
                     "of": label}
                )  # fmt: skip
    return {
        "metric": chosen.name,
        "unit": "%" if chosen.unit in ("share", "ratio") else chosen.get_unit_display(),
        # The chart's axis and the table under it name the quarters as people say them.
        "labels": [quarter_text(label) for label in labels],
        "series": series + targets,
    }


# --- workload ----------------------------------------------------------------------------


@dataclass
class TamWorkload:
    name: str
    team: str
    expected: Decimal
    capacity: Decimal
    overburdened: bool
    table_segment: str
    # For the manager's link to the TAM's workload drivers on Today (issue 12 point 1).
    tam_id: int | None = None


def workloads(scope: Scope, today: date) -> list[TamWorkload]:
    return [
        TamWorkload(
            str(tam),
            team.name,
            load.total_hours_per_week,
            load.capacity.weekly_hours,
            load.overburdened,
            load.table_segment,
            tam_id=tam.pk,
        )
        for team in scope.teams
        for tam, load in team_workloads(team, today)
    ]


def workload_chart(loads: list[TamWorkload]) -> dict:
    return {
        "labels": [load.name for load in loads],
        "expected": [round(float(load.expected), 1) for load in loads],
        "capacity": [round(float(load.capacity), 2) for load in loads],
    }
