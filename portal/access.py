"""Access helpers: the one way views fetch a team-owned record.

Someone outside the project's team gets 404 (they can't even learn it exists); a member whose role lacks the
capability gets 403. Capabilities: read, write, review, manage (see ``portal.models.CAPABILITIES``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from portal.models import CAPABILITIES, ApiToken, Integration, Membership, Project, Team, WizardDraft


def _check(role: str | None, capability: str) -> None:
    if role is None:
        raise Http404("No such project.")
    if capability not in CAPABILITIES[role]:
        raise PermissionDenied(f"Your role ({role}) can't do this.")


def get_project_for_user(request: HttpRequest, project_id: int, *, capability: str = "read") -> Project:
    """The project with ``project.role`` set to the user's role in its team, in one query."""
    project = (
        Project.objects.filter(pk=project_id, team__memberships__user=request.user)
        .annotate(role=F("team__memberships__role"))
        .select_related("team")
        .first()
    )
    _check(project.role if project else None, capability)
    return project


def get_integration_for_user(
    request: HttpRequest, project_id: int, integration_id: int, *, capability: str = "read"
) -> Integration:
    integration = (
        Integration.objects.filter(
            pk=integration_id, project_id=project_id, project__team__memberships__user=request.user
        )
        .annotate(role=F("project__team__memberships__role"))
        .select_related("project", "project__team", "created_by")
        .first()
    )
    _check(integration.role if integration else None, capability)
    integration.project.role = integration.role
    return integration


def get_team_for_user(request: HttpRequest, team_id: int, *, capability: str = "read") -> Team:
    membership = Membership.objects.select_related("team").filter(team_id=team_id, user=request.user).first()
    _check(membership.role if membership else None, capability)
    team = membership.team
    team.role = membership.role
    return team


def get_draft_for_user(request: HttpRequest, draft_id: int) -> WizardDraft:
    return get_object_or_404(WizardDraft.objects.select_related("scenario", "project"), pk=draft_id, owner=request.user)


def get_token_for_user(request: HttpRequest, token_id: int) -> ApiToken:
    return get_object_or_404(ApiToken, pk=token_id, user=request.user)


def writable_projects(user: object) -> list[Project]:
    """Projects the user may add integrations to."""
    roles = [role for role, capabilities in CAPABILITIES.items() if "write" in capabilities]
    return list(
        Project.objects.filter(team__memberships__user=user, team__memberships__role__in=roles)
        .select_related("team")
        .order_by("team__name", "name")
    )
