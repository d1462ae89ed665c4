"""The dashboard (DESIGN section 1): one team's quarter, or a region's for admins.

A manager sees their teams, an admin every team and region; a TAM gets a read-only view of
their own team (DESIGN: "plus read-only views of their team's dashboards"). Anything else,
another team for a manager or a TAM, or a TAM without a team, is a 404.
"""

from functools import partial

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from core import rejected_forms
from lib.fiscal import fiscal_quarter_of, last_quarters
from prioritization.forms import decision_form, decision_form_id

from . import burn_down, company, health_triage, review_queue, services
from .forms import DashboardForm

QUARTERS_OFFERED = 8


def _scope_for(request, scopes):
    """The scope asked for (the first one by default); 404 for anything else."""
    if not scopes:
        raise Http404("No team dashboard for this user.")
    wanted = request.GET.get("scope")
    if not wanted:
        return scopes[0]
    for scope in scopes:
        if scope.key == wanted:
            return scope
    raise Http404("No such team or region in your scope.")


def _scope_choices(scopes):
    teams = [(scope.key, scope.label) for scope in scopes if scope.team is not None]
    regions = [
        (scope.key, f"{scope.label} (all teams)")
        for scope in scopes
        if scope.team is None and not company.is_company(scope)
    ]
    whole = [(scope.key, scope.label) for scope in scopes if company.is_company(scope)]
    if not regions:
        return teams
    return [("Teams", teams), ("Regions", regions), *([("Company", whole)] if whole else [])]


def dashboard(request):
    """The quarter's picture for the chosen scope.

    A TAM's view of their team is read-only. The priority mix, movements, metrics and
    workload are the team's, as their manager sees them. The review queue has no decision
    forms (deciding is the manager's, and the decide endpoints refuse TAMs): it says how
    many of the team's requests wait for the manager, and lists, without forms, those on
    the TAM's own accounts, so they can follow their own requests. The burn-down lists
    give the team's size of each list but name and link only the TAM's own accounts: the
    teammates' are counted, as the TAM could not open them. There is no team picker.
    """
    # A decision refused just before comes back here, at its form, as typed.
    rejected = rejected_forms.take(request)
    scopes = company.available_scopes(request.user)
    scope = _scope_for(request, scopes)
    today = timezone.localdate()
    start_month = settings.FISCAL_YEAR_START_MONTH
    current = fiscal_quarter_of(today, start_month)
    offered = list(reversed(last_quarters(today, QUARTERS_OFFERED, start_month)))
    members = scope.members()
    accounts = scope.accounts(request.user, members)

    # An unknown quarter falls back to the current one; the form says why beside the field.
    quarter = next((q for q in offered if q.label == request.GET.get("quarter")), current)
    metrics = services.metric_attainment(scope, accounts, quarter, request.GET.get("metric"))

    form = DashboardForm(
        request.GET or None,
        scope_choices=None if scope.read_only else _scope_choices(scopes),
        quarter_choices=[(q.label, q.spoken) for q in offered],
        metric_choices=[(definition.key, definition.name) for definition in metrics.definitions],
    )
    if not form.is_bound:
        form.initial = {"scope": scope.key, "quarter": quarter.label}
    form.is_valid()  # errors beside an unknown quarter or metric; defaults were used

    if scope.read_only:
        queue = review_queue.review_queue(scope.book_of(request.user, accounts), current, today)
        team_waiting = review_queue.pending_totals(accounts, current, today)
    else:
        queue = review_queue.review_queue(accounts, current, today)
        team_waiting = None
        for kind, items in (("exception", queue.exceptions), ("review", queue.reviews)):
            for item in items:
                item.decision_form = rejected.form(
                    decision_form_id(kind, item.pk), partial(decision_form, kind, item.pk)
                )
    own_tam = request.user if scope.read_only else None
    if company.is_company(scope):
        priorities = company.priority_picture(accounts, quarter)
        workload_page, loads = company.workload_page(request.GET.get("workload_page"), today)
        workload_query = request.GET.copy()
        workload_query.pop("workload_page", None)
    else:
        priorities = services.priority_picture(scope, members, accounts, quarter)
        workload_page, loads, workload_query = None, services.workloads(scope, today), None
    context = {
        "form": form,
        "scope": scope,
        "quarter": quarter,
        "current": current,
        "priorities": priorities,
        "company_wide": company.is_company(scope),
        "queue": queue,
        "team_waiting": team_waiting,
        "burn_down": burn_down.burn_down_summary(accounts, today, own_tam),
        # The computed bands and the triage register's figures, the scope's (counts only).
        "health": health_triage.health_panel(accounts),
        "triage": health_triage.triage_panel(accounts, today),
        "metrics": metrics,
        "workloads": loads,
        "workload_chart": services.workload_chart(loads),
        "workload_page": workload_page,
        "workload_query": workload_query.urlencode() if workload_query else "",
        "back_here": request.get_full_path(),
    }
    return render(request, "dashboard/dashboard.html", context)
