"""Teams: my teams, a team's dashboard, and membership managed by the team's owners (who invite new members by
e-mail: portal/views/invitations.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patterns.http import SignedInRequest
from portal.access import get_team_for_user, get_team_template_for_user
from portal.caching import fragments, not_modified, page_etag, revalidated, team_state
from portal.forms import ChannelForm, InvitationForm, RoleForm, TeamForm, TrackerForm
from portal.models import Capability, Membership, Role, Team, TeamChannel, TeamTracker, can
from portal.pictures.markup import bars_markup
from portal.selectors.paging import page_number
from portal.selectors.team_templates import team_templates
from portal.selectors.teams import (
    awaiting_my_review,
    completion_bars,
    decision_status_bars,
    team_history,
    team_memberships,
    team_memberships_by_name,
    team_projects_page,
)
from portal.services.invitations import invitations_pending
from portal.services.team_templates import team_template_remove
from portal.services.teams import membership_change_role, membership_remove, team_create
from portal.services.trackers import hook_url

LATEST_CHANGES = 3  # on the team's page; the rest on its history page


@login_required
@require_http_methods(["GET", "POST"])
def team_list(request: SignedInRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = team_create(name=form.cleaned_data["name"], owner=request.user)
        return redirect("teams:detail", team.pk)
    context = {"memberships": team_memberships(request.user), "form": form}
    return render(request, "portal/team_list.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def team_detail(request: SignedInRequest, team_id: int) -> HttpResponse:
    """The dashboard, with an ETag: integrations by decision status and the page of projects (cached fragments under
    the team's state: its counter and its projects' number and counters), what awaits my review, the members."""
    team = get_team_for_user(request, team_id)
    state = team_state(team)
    page = page_number(request.GET.get("page"))
    can_manage = can(team.role, Capability.MANAGE)
    # An owner sees pending invitations, which expire by themselves: their copy is good for a minute at most.
    minute = timezone.now().strftime("%Y%m%d%H%M") if can_manage else ""
    etag = page_etag(request, "team", team.pk, state.key, team.role, page, minute)
    if (unchanged := not_modified(request, etag)) is not None:
        return unchanged
    html = fragments({"team-statuses": ((team.pk, state.key), partial(_status_bars, team)),
                      "team-projects": ((team.pk, state.key, page), partial(_projects, team, page))})  # fmt: skip
    context = {
        "team": team,
        "status_html": html["team-statuses"],
        "projects_html": html["team-projects"],
        "awaiting": awaiting_my_review(team, request.user),
        "members": team_memberships_by_name(team),
        "can_manage": can_manage,
        "can_write": can(team.role, Capability.WRITE),
        "templates": team_templates(team),
        "latest_changes": team_history(team, limit=LATEST_CHANGES),
        "invitation_form": InvitationForm(),
        "invitations": list(invitations_pending(team)) if can_manage else [],
        "roles": Role.choices,
    }
    return revalidated(render(request, "portal/team_detail.html", context), etag)


@login_required
@require_GET
def team_history_page(request: SignedInRequest, team_id: int) -> HttpResponse:
    """Every change to the team itself, for its members: who joined, left or changed role (by hand, by invitation or
    by the directory), invitations, connections, projects moved in or out. A team with no project reads them here."""
    team = get_team_for_user(request, team_id)
    return render(request, "portal/team_history.html", {"team": team, "entries": team_history(team)})


@login_required
@require_GET
def team_connections(request: SignedInRequest, team_id: int) -> HttpResponse:
    """The team's chat channels and work trackers, for its owners (its own page: the dashboard reads neither)."""
    team = get_team_for_user(request, team_id, capability=Capability.MANAGE)
    context = {
        "team": team,
        "channels": list(TeamChannel.objects.filter(team=team)),
        "channel_form": ChannelForm(),
        "trackers": [(tracker, hook_url(tracker)) for tracker in TeamTracker.objects.filter(team=team)],
        "tracker_form": TrackerForm(),
    }
    return render(request, "portal/team_connections.html", context)


def _status_bars(team: Team) -> str:
    return bars_markup(decision_status_bars(team), "decision-status", "Integrations by decision status")


def _projects(team: Team, page: int) -> str:
    projects = team_projects_page(team, page)
    return render_to_string("portal/_team_projects.html", {"projects": projects, "bars": completion_bars(projects)})


def _membership_action(
    request: SignedInRequest, team_id: int, membership_id: int, act: Callable[[Membership], str]
) -> HttpResponse:
    """An owner's change to one membership: ``act(membership)`` returns the message of success."""
    team = get_team_for_user(request, team_id, capability=Capability.MANAGE)
    membership = get_object_or_404(Membership, pk=membership_id, team=team)
    try:
        messages.success(request, act(membership))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("teams:detail", team.pk)


@login_required
@require_POST
def member_role(request: SignedInRequest, team_id: int, membership_id: int) -> HttpResponse:
    def change_role(membership: Membership) -> str:
        form = RoleForm(request.POST)
        if not form.is_valid():
            raise ValidationError("Choose one of the roles.")
        membership_change_role(membership=membership, role=form.cleaned_data["role"], actor=request.user)
        return "Role changed."

    return _membership_action(request, team_id, membership_id, change_role)


@login_required
@require_POST
def member_remove(request: SignedInRequest, team_id: int, membership_id: int) -> HttpResponse:
    def remove(membership: Membership) -> str:
        if request.POST.get("confirm") != "yes":  # the page asks first
            raise ValidationError(f"Nobody removed: confirm removing {membership.user.get_username()} first.")
        membership_remove(membership=membership, actor=request.user)
        return "Member removed."

    return _membership_action(request, team_id, membership_id, remove)


@login_required
@require_POST
def template_remove(request: SignedInRequest, team_id: int, template_id: int) -> HttpResponse:
    """Members who edit remove a template (drafts started from it keep their answers)."""
    template = get_team_template_for_user(request, template_id, capability=Capability.WRITE)
    if template.team_id != team_id:
        raise Http404("No such template.")
    team_template_remove(template=template)
    messages.success(request, f"Template “{template.name}” removed.")
    return redirect("teams:detail", team_id)
