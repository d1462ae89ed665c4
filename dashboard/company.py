"""The whole company's dashboard, for admins (issue 12, point 9).

An admin (superuser or the admin role) may pick "Whole company" besides every team and
region: every region's priority mix against its own target (`mix.tally_regions`), the
company's movements, the review queue, the burn-down lists and the metrics (the company
figure, then each segment across the company) over every account, and every active
TAM's workload, a page of `WORKLOAD_PAGE_SIZE` TAMs at a time. Managers and TAMs are
not offered it, and `?scope=company` is a 404 for them (`views._scope_for`).

The query count stays fixed however many accounts, TAMs, teams or regions there are:
the mix and movements are one grouped query (region x TAM x last x this quarter), the
regions and their rule-set parameters two, and the workload page a count, the page's
TAMs and `rhythm.services.workloads_of`'s four.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from accounts.models import Account, Region
from lib.fiscal import FiscalQuarter
from metrics.compute import COMPANY
from metrics.models import ScopeType
from people.models import Role, User
from prioritization.models import RuleSetParameters
from rhythm.services import workloads_of

from . import services
from .mix import Movements, Pr1Target, RegionMix, tally_regions

COMPANY_KEY = "company"
WORKLOAD_PAGE_SIZE = 50


@dataclass(frozen=True)
class CompanyScope(services.Scope):
    """Every account and every TAM; no one region, so `region` is None."""

    def members(self) -> list[User]:
        return []  # the accounts are every account, not the members' books

    def accounts(self, user: User, members: list[User]) -> QuerySet:
        return Account.objects.visible_to(user)

    def book_of(self, user: User, accounts: QuerySet) -> QuerySet:
        return accounts

    @property
    def metric_scope(self) -> tuple[str, str]:
        return ScopeType.COMPANY, COMPANY

    def segment_metric_scope(self, code: str) -> tuple[str, str]:
        return ScopeType.SEGMENT, code

    def segment_column(self, name: str) -> str:
        return f"{name} (whole company)"


def available_scopes(user: User) -> list[services.Scope]:
    """`services.available_scopes`, and the whole company last for an admin."""
    scopes = services.available_scopes(user)
    if user.is_portal_admin:
        scopes.append(CompanyScope(COMPANY_KEY, "Whole company", None, ()))
    return scopes


def is_company(scope: services.Scope) -> bool:
    return isinstance(scope, CompanyScope)


@dataclass
class CompanyPicture(services.MovementColumns):
    """What `services.PriorityPicture` is for a team, per region."""

    regions: list[RegionMix]
    movements: Movements
    quarter: FiscalQuarter
    previous: FiscalQuarter

    @property
    def off_target(self) -> int:
        return sum(1 for mix in self.regions if mix.on_target is False)


def priority_picture(accounts: QuerySet, quarter: FiscalQuarter) -> CompanyPicture:
    """Every region's mix against its target and the company's movements (3 queries)."""
    previous = quarter.previous
    rows = services.priorities_by(accounts, quarter, "region_id", "tam_id")
    parameters = {row.region_id: row for row in RuleSetParameters.objects.all()}
    regions = []
    for region in Region.objects.order_by("name"):
        params = parameters.get(region.pk) or RuleSetParameters()
        target = Pr1Target.for_rule_set(
            region.rule_set,
            share=params.pr1_target_share,
            band_min=params.pr1_target_min_per_tam,
            band_max=params.pr1_cap_per_tam,
        )
        regions.append((region.pk, region.name, region.get_rule_set_display(), target))
    mixes, movements = tally_regions(rows, regions)
    return CompanyPicture(mixes, movements, quarter, previous)


def workload_page(page_number, today: date) -> tuple[Page, list[services.TamWorkload]]:
    """One page of the active TAMs by username, with their workloads (6 queries)."""
    tams = (
        User.objects.filter(role=Role.TAM, is_active=True)
        .select_related("team")
        .order_by("username", "pk")
    )
    page = Paginator(tams, WORKLOAD_PAGE_SIZE).get_page(page_number)
    return page, [
        services.TamWorkload(
            str(tam),
            tam.team.name if tam.team else "",
            load.total_hours_per_week,
            load.capacity.weekly_hours,
            load.overburdened,
            load.table_segment,
        )
        for tam, load in workloads_of(list(page.object_list), today)
    ]
