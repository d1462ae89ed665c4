"""The dashboard's review queue: what waits for a manager's decision in a scope.

Three kinds of request wait (DESIGN 1 "Review queue", DESIGN 11 "Triage register"):
priority exceptions that can still take effect (not expired), this quarter's EMEA
review proposals (a past quarter's would change nothing now) and `will_churn`
proposals on open risk cases, which the team's manager signs off or sends back on the
account page, beside the case's updates.

Fixed queries however long the queue: one per kind for the rows shown (a count only
when the exceptions or proposals outrun the page), and for the will-churn proposals,
whose first few are shown, one query that counts them all in a window. The totals
(`pending_totals`, for a TAM's read-only view and Today's manager line) are one count
per kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, QuerySet, Window

from lib.fiscal import FiscalQuarter
from prioritization.models import (
    PriorityException,
    PriorityReview,
    ReviewStatus,
    model_priority_in,
)
from triage.models import RiskCase
from triage.selectors import waiting_for_sign_off

QUEUE_SHOWN = 50
# The dashboard names the oldest few; the full page ("all N") has the rest.
WILL_CHURN_SHOWN = 5
_ACCOUNT_IN_VIEW = ("account__segment", "account__segment_override")


def pending_requests(
    accounts: QuerySet, current: FiscalQuarter, today: date
) -> tuple[QuerySet, QuerySet]:
    """Pending exceptions that can still take effect (not expired) and this quarter's
    pending EMEA proposals: a past quarter's proposal would change nothing now."""
    # The manager decides with the account in view (issue 12): its current and model
    # priority (this quarter's assessment), segment, ARR and health beside each request.
    model_priority = model_priority_in(current.label)
    exceptions = PriorityException.objects.filter(
        account__in=accounts, status=ReviewStatus.PENDING, expires_on__gte=today
    ).annotate(model_priority=model_priority)
    reviews = PriorityReview.objects.filter(
        account__in=accounts, status=ReviewStatus.PENDING, fiscal_quarter=current.label
    ).annotate(model_priority=model_priority)
    return exceptions, reviews


@dataclass(frozen=True)
class PendingTotals:
    exceptions: int
    reviews: int
    will_churn: int = 0

    @property
    def total(self) -> int:
        return self.exceptions + self.reviews + self.will_churn


def pending_totals(accounts: QuerySet, current: FiscalQuarter, today: date) -> PendingTotals:
    """How many exceptions, EMEA proposals and will-churn proposals wait (3 queries)."""
    exceptions, reviews = pending_requests(accounts, current, today)
    return PendingTotals(
        exceptions.count(), reviews.count(), waiting_for_sign_off(accounts).count()
    )


@dataclass
class ReviewQueue:
    exceptions: list[PriorityException]
    reviews: list[PriorityReview]
    exception_total: int
    review_total: int
    will_churn: list[RiskCase]
    will_churn_total: int

    @property
    def total(self) -> int:
        return self.exception_total + self.review_total + self.will_churn_total


def _first_will_churn(accounts: QuerySet, current: FiscalQuarter) -> tuple[list[RiskCase], int]:
    """The oldest proposals and how many there are, in one query: the window counts
    them before the slice, so the count costs no second query and does not depend on
    how many there are."""
    rows = list(
        waiting_for_sign_off(accounts)
        .select_related(*_ACCOUNT_IN_VIEW)
        .annotate(model_priority=model_priority_in(current.label), queue_size=Window(Count("pk")))
        [:WILL_CHURN_SHOWN]
    )  # fmt: skip
    return rows, rows[0].queue_size if rows else 0


def review_queue(accounts: QuerySet, current: FiscalQuarter, today: date) -> ReviewQueue:
    exceptions, reviews = pending_requests(accounts, current, today)
    exceptions = exceptions.select_related("account", "requested_by", *_ACCOUNT_IN_VIEW)
    reviews = reviews.select_related("account", "proposed_by", *_ACCOUNT_IN_VIEW)
    shown_exceptions = list(exceptions.order_by("requested_at", "pk")[: QUEUE_SHOWN + 1])
    shown_reviews = list(reviews.order_by("proposed_at", "pk")[: QUEUE_SHOWN + 1])
    # Only a queue longer than the page costs a count query.
    exception_total = (
        exceptions.count() if len(shown_exceptions) > QUEUE_SHOWN else len(shown_exceptions)
    )
    review_total = reviews.count() if len(shown_reviews) > QUEUE_SHOWN else len(shown_reviews)
    will_churn, will_churn_total = _first_will_churn(accounts, current)
    return ReviewQueue(
        shown_exceptions[:QUEUE_SHOWN],
        shown_reviews[:QUEUE_SHOWN],
        exception_total,
        review_total,
        will_churn,
        will_churn_total,
    )
