"""Disengagement candidates: accounts whose TAM should disengage (page 004, DESIGN 7).

A read across accounts, their engagements and their priority history, so it lives above
both (the engagement writes are `accounts/engagement.py`).
"""

from __future__ import annotations

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When

from accounts.models import (
    Account,
    Disengagement,
    DisengagementReason,
    Engagement,
    EngagementKind,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
)

from .models import PriorityAssessment

# --- candidates ------------------------------------------------------------------------

# The one Pr1 an account outside the TAM-assigned segments gets (the Onboarding segment's
# program, DESIGN section 4 step 2), which a TAM-assigned new customer also gets (step 5):
# an assessment with these reasons alone does not tell the two apart.
_ONBOARDING_ONLY = "onboarding"

_PARENT_TAM_ASSIGNED_NOW = Q(parent__segment_override__tam_assigned=True) | Q(
    parent__segment_override__isnull=True, parent__segment__tam_assigned=True
)


def disengagement_candidates(queryset: QuerySet[Account] | None = None) -> QuerySet[Account]:
    """The accounts of `queryset` (default: all) whose TAM should disengage (page 004).

    An account is a candidate when all of these hold:

    1. it has a TAM (someone to disengage);
    2. its effective segment (the override, else the computed one) is not TAM-assigned, or
       it has none: it is below the TAM alignment threshold;
    3. it was aligned with a TAM as a TAM-assigned or strategic customer: it has an
       engagement recorded, or one of its priority assessments took the TAM-assigned path
       (Pr2, or Pr1 for any reason but onboarding alone; accounts outside the TAM-assigned
       segments only ever get Pr3, Pr4 or Pr1 "onboarding", DESIGN section 4). This keeps
       the Digital-Only and Onboarding customers a TAM's book holds by design off the list;
    4. that alignment has not been ended: no disengagement ends its latest engagement (or,
       with no engagement recorded, no disengagement at all);
    5. nothing still justifies the TAM: no open tier-upgrade opportunity (the strategic
       purpose of page 004; once it is lost or closed the account becomes a candidate), no
       onboarding in progress (customer-since set, not yet onboarded: the six-week program
       is TAM-led), and no parent account in a TAM-assigned segment (the TAM stays through
       the parent).

    Each candidate is annotated with `suggested_reason`: `unsuccessful_upgrade` when its
    latest engagement is an upgrade (it is still below the threshold with no open
    up-tier opportunity), `churn` at zero ARR, else `downgrade`; and with
    `last_engagement_started_on`. One query, whatever the number of accounts: every
    condition is a join, an EXISTS or a correlated subquery.

    Limits: an upgrade engagement below the threshold is held only by its open tier-upgrade
    opportunity, so one started before the opportunity is imported is listed meanwhile.
    Condition 3 reads the priority precedence of DESIGN section 4; if Pr2 or a non-onboarding
    Pr1 could ever be given outside the TAM-assigned segments, it must change with it.
    """
    if queryset is None:
        queryset = Account.objects.all()
    latest_engagement = Engagement.objects.filter(account=OuterRef("pk")).order_by(
        "-started_on", "-pk"
    )
    below_threshold = Q(segment_override__isnull=False, segment_override__tam_assigned=False) | Q(
        segment_override__isnull=True
    ) & (Q(segment__isnull=True) | Q(segment__tam_assigned=False))
    return (
        queryset.filter(tam__isnull=False)
        .filter(below_threshold)
        .exclude(_PARENT_TAM_ASSIGNED_NOW)
        .exclude(customer_since__isnull=False, onboarded_on__isnull=True)
        .alias(latest_engagement_id=Subquery(latest_engagement.values("pk")[:1]))
        .filter(_was_tam_aligned())
        .exclude(Exists(Disengagement.objects.filter(engagement=OuterRef("latest_engagement_id"))))
        .exclude(
            Q(latest_engagement_id__isnull=True)
            & Exists(Disengagement.objects.filter(account=OuterRef("pk")))
        )
        .exclude(
            Exists(
                Opportunity.objects.filter(
                    account=OuterRef("pk"),
                    kind=OpportunityKind.TIER_UPGRADE,
                    status=OpportunityStatus.OPEN,
                )
            )
        )
        .annotate(
            last_engagement_started_on=Subquery(latest_engagement.values("started_on")[:1]),
            last_engagement_kind=Subquery(latest_engagement.values("kind")[:1]),
        )
        .annotate(
            suggested_reason=Case(
                When(
                    last_engagement_kind=EngagementKind.UPGRADE,
                    then=Value(DisengagementReason.UNSUCCESSFUL_UPGRADE.value),
                ),
                When(arr=0, then=Value(DisengagementReason.CHURN.value)),
                default=Value(DisengagementReason.DOWNGRADE.value),
            )
        )
    )


def _was_tam_aligned() -> Q:
    tam_assigned_assessment = PriorityAssessment.objects.filter(account=OuterRef("pk")).filter(
        Q(computed_priority=2) | Q(computed_priority=1) & ~Q(reasons=_ONBOARDING_ONLY)
    )
    return Q(latest_engagement_id__isnull=False) | Exists(tam_assigned_assessment)
