"""What a caller may read: the pages' scope for a user, everything for an integration key.

Every view starts from these, so scoping cannot be forgotten; what is outside answers
404 (the object is simply not in the queryset)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Account
from metrics.models import MetricResult, ScopeType
from people.models import Role

from .models import IntegrationKey


def is_integration(request) -> bool:
    return isinstance(request.auth, IntegrationKey)


def accounts_for(request) -> QuerySet:
    if is_integration(request):
        return Account.objects.all()
    return Account.objects.visible_to(request.user)


def metric_results_for(request) -> QuerySet:
    """The results the dashboard shows the caller: an admin every scope; a manager the
    teams they manage, a TAM their own team (the team and its team x segment figures)."""
    results = MetricResult.objects.select_related("metric")
    user = request.user
    if is_integration(request) or user.is_portal_admin:
        return results
    if user.role == Role.MANAGER:
        team_ids = list(user.managed_teams.values_list("pk", flat=True))
    elif user.role == Role.TAM and user.team_id is not None:
        team_ids = [user.team_id]
    else:
        team_ids = []
    if not team_ids:
        return results.none()
    visible = Q(scope_type=ScopeType.TEAM, scope__in=[str(pk) for pk in team_ids])
    for pk in team_ids:
        visible |= Q(scope_type=ScopeType.TEAM_SEGMENT, scope__startswith=f"{pk}:")
    return results.filter(visible)
