"""Decisions across projects: the decision log of all my teams, and one decision read as an architecture decision
record (context, decision, options considered, consequences, status history)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from patterns.http import SignedInRequest
from patterns.ranking.records import RankingRecord
from patterns.requirements import Requirements
from portal.access import get_integration_for_user
from portal.forms import DecisionLogForm
from portal.models import Capability
from portal.selectors.decisions import (
    DecisionFilters,
    approvals_for_current_version,
    decision_history,
    decision_log,
    decision_of,
)
from portal.selectors.teams import teams_where_user_can

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
def decision_adr(request: SignedInRequest, project_id: int, integration_id: int) -> HttpResponse:
    integration = get_integration_for_user(request, project_id, integration_id)
    decision = decision_of(integration)
    if decision is None:
        raise Http404("No decision yet.")
    ranking = RankingRecord.from_json(integration.ranking)
    chosen = ranking.by_pattern().get(decision.chosen_pattern_slug)
    considered = list(ranking.options[:5])
    if chosen and chosen not in considered:
        considered.append(chosen)
    return render(
        request,
        "portal/decision_adr.html",
        {
            "integration": integration,
            "project": integration.project,
            "decision": decision,
            "requirements": Requirements.from_mapping(integration.requirements),
            "ranking": ranking,
            "chosen": chosen,
            "considered": considered,
            "history": decision_history(integration, decision),
            "supersedes": list(decision.supersedes.select_related("integration")),
            "approval_count": approvals_for_current_version(decision),
        },
    )
