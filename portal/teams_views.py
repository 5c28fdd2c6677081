"""Teams: my teams, a team's dashboard, and membership managed by the team's owners."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.access import get_team_for_user
from portal.forms import MemberForm, RoleForm, TeamForm
from portal.models import CAPABILITIES, Decision, DecisionStatus, Integration, Membership, Project, Role
from portal.team_services import membership_add, membership_change_role, membership_remove, team_create


@login_required
@require_http_methods(["GET", "POST"])
def team_list(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = team_create(name=form.cleaned_data["name"], owner=request.user)
        return redirect("teams:detail", team.pk)
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("team")
        .annotate(
            project_count=Count("team__projects", distinct=True), member_count=Count("team__memberships", distinct=True)
        )
    )
    return render(request, "portal/team_list.html", {"memberships": memberships, "form": form},
                  status=400 if form.errors else 200)  # fmt: skip


@login_required
@require_GET
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    """The dashboard: projects with checklist completion, integrations by decision status, my reviews."""
    team = get_team_for_user(request, team_id)
    projects = (
        Project.objects.filter(team=team)
        .annotate(
            integration_count=Count("integrations", distinct=True),
            task_count=Count("checklist_entries", distinct=True),
            tasks_closed=Count(
                "checklist_entries", filter=Q(checklist_entries__status__in=["done", "not_applicable"]), distinct=True
            ),
        )
        .order_by("-updated_at", "-id")
    )
    statuses = Counter(Integration.objects.filter(project__team=team).values_list("decision__status", flat=True))
    by_status = [(label, statuses.get(value, 0)) for value, label in DecisionStatus.choices]
    by_status.append(("No decision yet", statuses.get(None, 0)))
    awaiting = []
    if "review" in CAPABILITIES[team.role]:
        awaiting = [
            decision
            for decision in Decision.objects.filter(integration__project__team=team, status=DecisionStatus.PROPOSED)
            .select_related("integration__project")
            .prefetch_related("approvals")
            if not any(a.reviewer_id == request.user.pk and a.decision_version == decision.version
                       for a in decision.approvals.all())
        ]  # fmt: skip
    members = team.memberships.select_related("user").order_by("user__username")
    context = {
        "team": team,
        "projects": projects,
        "by_status": by_status,
        "awaiting": awaiting,
        "members": members,
        "can_manage": "manage" in CAPABILITIES[team.role],
        "member_form": MemberForm(),
        "roles": Role.choices,
    }
    return render(request, "portal/team_detail.html", context)


@login_required
@require_POST
def member_add(request: HttpRequest, team_id: int) -> HttpResponse:
    team = get_team_for_user(request, team_id, capability="manage")
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            membership_add(team=team, username=form.cleaned_data["username"], role=form.cleaned_data["role"],
                           actor=request.user)  # fmt: skip
            messages.success(request, f"{form.cleaned_data['username']} added.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, "Give a username and a role.")
    return redirect("teams:detail", team.pk)


@login_required
@require_POST
def member_role(request: HttpRequest, team_id: int, membership_id: int) -> HttpResponse:
    team = get_team_for_user(request, team_id, capability="manage")
    membership = get_object_or_404(Membership, pk=membership_id, team=team)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            membership_change_role(membership=membership, role=form.cleaned_data["role"], actor=request.user)
            messages.success(request, "Role changed.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("teams:detail", team.pk)


@login_required
@require_POST
def member_remove(request: HttpRequest, team_id: int, membership_id: int) -> HttpResponse:
    team = get_team_for_user(request, team_id, capability="manage")
    membership = get_object_or_404(Membership, pk=membership_id, team=team)
    try:
        membership_remove(membership=membership, actor=request.user)
        messages.success(request, "Member removed.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("teams:detail", team.pk)
