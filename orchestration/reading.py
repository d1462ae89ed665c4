"""Reading the accounts and the facts around them in chunks, as the pure rules' inputs.

A chunk is read with a fixed number of queries whatever its size: the accounts' own
columns, then one query per related table bounded by the chunk's id range (or, for a
handful of accounts, their ids).
"""

from __future__ import annotations

import operator
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count

from accounts.models import (
    Initiative,
    InitiativeStatus,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    StageAdoption,
)
from lib.fiscal import FiscalQuarter, fiscal_quarter_of
from prioritization import rules
from prioritization.models import PriorityException, PriorityReview, ReviewStatus
from triage.models import RiskCase

from .configuration import Configuration

SMALL_SELECTION = 200  # fewer accounts than this are a selection, not a chunk
SPARSE = 2  # accounts holding fewer than 1 in SPARSE ids of their range are a selection too

ACCOUNT_COLUMNS = (
    "id", "region_id", "tam_id", "parent_id", "managed", "digital", "arr", "lam",
    "lam_confidence", "customer_since", "onboarded_on", "at_risk", "in_triage", "last_nps",
    "success_plan", "critical_project", "key_logo", "channel_engaged", "org_change",
    "weekly_engagement", "tam_handover", "licensed_users", "active_users", "segment_id",
    "segment_override_id", "priority", "priority_reasons", "previous_priority",
    "priority_changed_on", "health", "health_score",
)  # fmt: skip
# What the segment pass reads for every account; EMEA accounts are then read whole.
RANKING_COLUMNS = (
    "id", "region_id", "tam_id", "arr", "lam", "lam_confidence", "segment_id",
    "segment_override_id",
)  # fmt: skip


@dataclass
class RelatedFacts:
    """What the rules need from the tables around the accounts of one chunk."""

    # Only the accounts that have some, as the tuples the facts hold.
    uptier_dates: dict[int, tuple[date, ...]] = field(default_factory=dict)
    growth_dates: dict[int, tuple[date, ...]] = field(default_factory=dict)
    initiatives: dict[int, tuple[rules.InitiativeFact, ...]] = field(default_factory=dict)
    stage_counts: dict[int, int] = field(default_factory=dict)
    exceptions: dict[int, tuple[int, int | None]] = field(default_factory=dict)
    reviews: dict[int, tuple[int, int | None]] = field(default_factory=dict)
    # Accounts with an open risk case (DESIGN 11): at risk and in triage for the rules.
    open_cases: set[int] = field(default_factory=set)


def account_span(rows: list[dict]) -> dict:
    """A filter for the related rows of `rows` (in id order): an id range for a chunk of
    consecutive accounts (cheap on the account_id index), the ids themselves for a
    handful, or for a sparse selection such as a ranking chunk's EMEA accounts, where the
    range would read, and the rules' inputs be built from, every account's rows between."""
    if len(rows) > SMALL_SELECTION:
        first, last = rows[0]["id"], rows[-1]["id"]
        if len(rows) * SPARSE >= last - first + 1:
            return {"account_id__gte": first, "account_id__lte": last}
    return {"account_id__any": [row["id"] for row in rows]}


def load_related(rows: list[dict], quarter: FiscalQuarter, as_of: date) -> RelatedFacts:
    related = RelatedFacts()
    span = account_span(rows)
    opportunities = Opportunity.objects.filter(
        **span, status=OpportunityStatus.OPEN, close_date__gt=as_of
    ).values_list("account_id", "kind", "close_date")
    uptier_dates, growth_dates = defaultdict(list), defaultdict(list)
    for account_id, kind, close_date in opportunities:
        target = uptier_dates if kind == OpportunityKind.TIER_UPGRADE else growth_dates
        target[account_id].append(close_date)
    related.uptier_dates = _as_tuples(uptier_dates)
    related.growth_dates = _as_tuples(growth_dates)
    initiatives = Initiative.objects.filter(
        **span, status=InitiativeStatus.ACTIVE, starts_on__lte=quarter.end
    ).values_list("account_id", "kind", "tam_hours_per_week", "starts_on", "ends_on")
    facts = defaultdict(list)
    for account_id, kind, hours, starts_on, ends_on in initiatives:
        facts[account_id].append(rules.InitiativeFact(kind, hours, starts_on, ends_on))
    related.initiatives = _as_tuples(facts)
    related.stage_counts = dict(
        StageAdoption.objects.filter(**span)
        .values("account_id")
        .annotate(stages=Count("id"))
        .values_list("account_id", "stages")
    )
    # Latest approval wins when several exceptions are in force.
    for account_id, priority, reviewer in (
        PriorityException.objects.filter(
            **span, status=ReviewStatus.APPROVED, expires_on__gte=as_of
        )
        .order_by("reviewed_at", "id")
        .values_list("account_id", "requested_priority", "reviewed_by_id")
    ):
        related.exceptions[account_id] = (priority, reviewer)
    related.reviews = {
        account_id: (priority, decider)
        for account_id, priority, decider in PriorityReview.objects.filter(
            **span, status=ReviewStatus.APPROVED, fiscal_quarter=quarter.label
        ).values_list("account_id", "decided_priority", "decided_by_id")
    }
    related.open_cases = set(
        RiskCase.objects.open().filter(**span).values_list("account_id", flat=True)
    )
    return related


# The account's own columns the facts take as they are, in the order of AccountFacts'
# fields (tests/orchestration/test_reading.py holds the two together): read with one
# call each and passed by position, since the facts are built for every account, twice
# for EMEA ones, every night.
_AS_READ = operator.itemgetter(
    "managed", "digital", "customer_since", "onboarded_on", "arr", "lam", "lam_confidence"
)
_FLAGS_AS_READ = operator.itemgetter(
    "last_nps", "success_plan", "critical_project", "key_logo", "channel_engaged",
    "org_change", "weekly_engagement", "tam_handover", "licensed_users", "active_users",
)  # fmt: skip


def _as_tuples(lists: dict[int, list]) -> dict[int, tuple]:
    return {account_id: tuple(items) for account_id, items in lists.items()}


def account_facts(
    row: dict, segment: str | None, config: Configuration, related: RelatedFacts
) -> rules.AccountFacts:
    account_id = row["id"]
    region = config.regions[row["region_id"]]
    exception = related.exceptions.get(account_id)
    review = related.reviews.get(account_id)
    # The imported flags, or an open case in the triage register.
    open_case = account_id in related.open_cases
    return rules.AccountFacts(
        account_id,
        region.rule_set,
        segment,
        segment in config.tam_assigned_codes,  # tam_assigned
        row["tam_id"],
        region.digital_tam_trial,
        row["parent_id"] is not None,  # is_child
        *_AS_READ(row),  # managed ... lam_confidence
        row["at_risk"] or open_case,
        row["in_triage"] or open_case,
        *_FLAGS_AS_READ(row),  # last_nps ... active_users
        related.stage_counts.get(account_id, 0),
        related.uptier_dates.get(account_id, ()),
        related.growth_dates.get(account_id, ()),
        related.initiatives.get(account_id, ()),
        exception[0] if exception else None,  # exception_priority
        review[0] if review else None,  # review_priority
    )


def portfolio_context(as_of: date, **rankings) -> rules.PortfolioContext:
    quarter = fiscal_quarter_of(as_of, settings.FISCAL_YEAR_START_MONTH)
    return rules.PortfolioContext(
        as_of=as_of,
        quarter_label=quarter.label,
        quarter_start=quarter.start,
        quarter_end=quarter.end,
        **rankings,
    )
