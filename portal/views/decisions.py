"""Decisions across projects: the decision log of all my teams, and one decision read as an architecture decision
record (context, decision, options considered, consequences, status history)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from patterns.http import SignedInRequest
from portal.access import get_integration_for_user
from portal.forms import DecisionLogForm
from portal.models import Capability
from portal.selectors import (
    DecisionFilters,
    decision_history,
    decision_log,
    integration_page,
    teams_where_user_can,
)

PAGE_SIZE = 20


@login_required
@require_GET
def decision_log_view(request: SignedInRequest) -> HttpResponse:
    teams = sorted(teams_where_user_can(request.user, Capability.READ), key=lambda team: team.name.lower())
    form = DecisionLogForm(request.GET, teams=teams)
    filters = DecisionFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = DecisionFilters(
            q=data["q"].strip(), status=data["status"], team=data["team"], since=data["since"], until=data["until"]
        )
    page = Paginator(decision_log(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "filters": filters, "query": query.urlencode(), "teams": teams}
    template = "portal/decision_log.html#results" if request.htmx else "portal/decision_log.html"
    return render(request, template, context, status=200 if form.is_valid() else 400)


@login_required
@require_GET
def decision_record(request: SignedInRequest, project_id: int, integration_id: int) -> HttpResponse:
    integration = get_integration_for_user(request, project_id, integration_id)
    page = integration_page(integration)
    if page.decision is None:
        raise Http404("No decision yet.")
    chosen = next((o for o in page.ranking.options if o.pattern == page.decision.chosen_pattern_slug), None)
    considered = list(page.ranking.options[:5])
    if chosen and chosen not in considered:
        considered.append(chosen)
    return render(
        request,
        "portal/decision_record.html",
        {
            "integration": integration,
            "project": integration.project,
            "decision": page.decision,
            "requirements": page.requirements,
            "ranking": page.ranking,
            "chosen": chosen,
            "considered": considered,
            "history": decision_history(integration, page.decision),
            "supersedes": list(page.decision.supersedes.select_related("integration")),
            "approval_count": page.approval_count,
        },
    )
