"""Teams: my teams, a team's dashboard, and membership managed by the team's owners (who invite new members by
e-mail: portal/views/invitations.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patterns.http import SignedInRequest
from portal.access import PageAccess, get_team_for_user, team_page_access
from portal.forms import InvitationForm, RoleForm, TeamForm
from portal.lazy import lazy
from portal.models import Capability, Membership, Role, can
from portal.selectors.paging import page_number
from portal.selectors.teams import team_dashboard, team_memberships
from portal.services.invitations import invitations_pending
from portal.services.teams import membership_change_role, membership_remove, team_create


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
    """The dashboard: projects with checklist completion, integrations by decision status, my reviews. Rendered once
    per revision (``_dashboard_key``); everything but the reader's access is read lazily."""
    access = team_page_access(request, team_id)
    page = page_number(request.GET.get("page"))
    can_manage = can(access.role, Capability.MANAGE)
    team = lazy(lambda: get_team_for_user(request, team_id))
    context = {
        "title": access.title,
        "team": team,
        "dashboard": lazy(lambda: team_dashboard(team, request.user, page=page)),
        "can_manage": can_manage,
        "invitation_form": lazy(InvitationForm),
        "invitations": lazy(lambda: list(invitations_pending(team)) if can_manage else []),
        "roles": Role.choices,
        "dashboard_key": _dashboard_key(request, team_id, access, page, can_manage),
    }
    return render(request, "portal/team_detail.html", context)


def _dashboard_key(request: SignedInRequest, team_id: int, access: PageAccess, page: int, can_manage: bool) -> str:
    """The dashboard shows the team's revision (anything in it or its projects moves it), what awaits this reader's
    review, their role and the page; an owner also sees pending invitations expire, so theirs is kept a minute."""
    minute = timezone.now().strftime("%Y%m%d%H%M") if can_manage else ""
    return f"{team_id}:{access.revision}:{request.user.pk}:{access.role}:{page}:{minute}"


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
