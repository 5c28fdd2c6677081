"""Access helpers: the one way views fetch a team-owned record (and, for the pages rendered once per revision, the
one row that says whether the reader may see the page and which revision it is).

Someone outside the project's team gets 404 (they can't even learn it exists); a member whose role lacks the
capability gets 403. Capabilities: read, write, review, manage (see ``portal.models.CAPABILITIES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F, Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from patterns.http import SignedInRequest
from portal.models import ApiToken, Capability, Integration, Membership, Project, Team, WizardDraft, can


def _one[M: Model](queryset: QuerySet[M, Any]) -> M | None:
    """The only row, or None: no ORDER BY to build or run (the filters name one row)."""
    return next(iter(queryset.order_by()[:1]), None)


def _check(role: str | None, capability: str) -> str:
    if role is None:
        raise Http404("No such project.")
    if not can(role, capability):
        raise PermissionDenied(f"Your role ({role}) can't do this.")
    return role


def get_project_for_user(request: SignedInRequest, project_id: int, *, capability: str = Capability.READ) -> Project:
    """The project with ``project.role`` set to the user's role in its team, in one query."""
    project = _one(
        Project.objects.filter(pk=project_id, team__memberships__user=request.user)
        .annotate(member_role=F("team__memberships__role"))
        .select_related("team")
    )
    if project is None:
        raise Http404("No such project.")
    project.role = _check(project.member_role, capability)
    return project


def get_integration_for_user(
    request: SignedInRequest,
    project_id: int,
    integration_id: int,
    *,
    capability: str = Capability.READ,
    defer: tuple[str, ...] = (),
) -> Integration:
    """The integration with ``role`` set, in one query; ``defer`` leaves big fields (the saved ranking) to be read
    only if used."""
    integration = _one(
        Integration.objects.defer(*defer)
        .filter(pk=integration_id, project_id=project_id, project__team__memberships__user=request.user)
        .annotate(member_role=F("project__team__memberships__role"))
        .select_related("project", "project__team", "created_by", "ranked_by")
    )
    if integration is None:
        raise Http404("No such project.")
    integration.role = integration.project.role = _check(integration.member_role, capability)
    return integration


@dataclass(frozen=True)
class PageAccess:
    """What a page served from the cache needs before it knows whether it is: the reader's role in the team, the
    revision (a project's ``updated_at`` or a team's ``changed_at``, moved by every change) and the page's title."""

    role: str
    revision: str
    title: str


# The pages rendered once per revision read this one row on every request; the rest of the page comes from the cache.
# It is SQL because on that path Django's query building costs more than the query (0.7-1 ms against 0.3 ms, measured
# with the benchmark's pages); the ORM helpers above fetch the records when the page is rendered.
_PROJECT_PAGE = (
    "SELECT project.updated_at, membership.role, project.name FROM portal_project project"
    " JOIN portal_membership membership ON membership.team_id = project.team_id AND membership.user_id = %s"
    " WHERE project.id = %s"
)
_INTEGRATION_PAGE = (
    "SELECT project.updated_at, membership.role, integration.name FROM portal_project project"
    " JOIN portal_membership membership ON membership.team_id = project.team_id AND membership.user_id = %s"
    " JOIN portal_integration integration ON integration.project_id = project.id AND integration.id = %s"
    " WHERE project.id = %s"
)
# A team's revision is its own (members, invitations) and its projects' latest, read from the (team, updated) index.
_TEAM_PAGE = (
    "SELECT team.changed_at || '|' || COALESCE((SELECT MAX(project.updated_at) FROM portal_project project"
    " WHERE project.team_id = team.id), team.changed_at), membership.role, team.name FROM portal_team team"
    " JOIN portal_membership membership ON membership.team_id = team.id AND membership.user_id = %s"
    " WHERE team.id = %s"
)
# My projects: the reader's teams, and the latest change to any of their projects (the list's first row).
_MY_TEAMS = (
    "SELECT membership.team_id, team.changed_at, (SELECT project.updated_at FROM portal_project project"
    " JOIN portal_membership mine ON mine.team_id = project.team_id WHERE mine.user_id = %s"
    " ORDER BY project.updated_at DESC LIMIT 1) FROM portal_membership membership"
    " JOIN portal_team team ON team.id = membership.team_id WHERE membership.user_id = %s ORDER BY membership.team_id"
)


def teams_revision(request: SignedInRequest) -> str:
    """The reader's teams with their own revisions, and the latest change to any of their projects (read as "my
    projects" reads its first page, from the (updated, id) index): it changes with anything the list shows (a project
    changed or added, a team joined or left), so it keys "my projects" rendered once per revision."""
    with connection.cursor() as cursor:
        cursor.execute(_MY_TEAMS, [request.user.pk, request.user.pk])
        rows = cursor.fetchall()
    return ",".join(f"{team}@{changed}" for team, changed, _ in rows) + (f"|{rows[0][2]}" if rows else "")


def _page_access(sql: str, params: list[Any], missing: str) -> PageAccess:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise Http404(missing)
    revision, role, title = row
    return PageAccess(role=_check(role, Capability.READ), revision=str(revision), title=title)


def page_access(request: SignedInRequest, project_id: int, integration_id: int | None = None) -> PageAccess:
    """The reader's access to a project page (or one of its integrations' pages), in one query: 404 outside the
    team, as everywhere."""
    if integration_id is None:
        return _page_access(_PROJECT_PAGE, [request.user.pk, project_id], "No such project.")
    return _page_access(_INTEGRATION_PAGE, [request.user.pk, integration_id, project_id], "No such project.")


def team_page_access(request: SignedInRequest, team_id: int) -> PageAccess:
    """The reader's access to a team's dashboard, in one query: 404 outside the team."""
    return _page_access(_TEAM_PAGE, [request.user.pk, team_id], "No such team.")


def get_team_for_user(request: SignedInRequest, team_id: int, *, capability: str = Capability.READ) -> Team:
    membership = _one(Membership.objects.select_related("team").filter(team_id=team_id, user=request.user))
    if membership is None:
        raise Http404("No such team.")
    _check(membership.role, capability)
    team = membership.team
    team.role = membership.role
    return team


def get_draft_for_user(request: SignedInRequest, draft_id: int) -> WizardDraft:
    return get_object_or_404(WizardDraft.objects.select_related("project"), pk=draft_id, owner=request.user)


def get_token_for_user(request: SignedInRequest, token_id: int) -> ApiToken:
    return get_object_or_404(ApiToken, pk=token_id, user=request.user)
