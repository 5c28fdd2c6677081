"""Access helpers: the one way views fetch a team-owned record.

Someone outside the project's team gets 404 (they can't even learn it exists); a member whose role lacks the
capability gets 403. Capabilities: read, write, review, manage (see ``portal.models.CAPABILITIES``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F, Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from patterns.http import SignedInRequest
from portal.models import ApiToken, Capability, Environment, Integration, Membership, Project, Team, WizardDraft, can
from portal.models.team_templates import TeamTemplate
from portal.selectors.prepared import PreparedRead, columns, instance


def _one[M: Model](queryset: QuerySet[M, Any]) -> M | None:
    """The only row, or None: no ORDER BY to build or run (the filters name one row)."""
    return next(iter(queryset.order_by()[:1]), None)


def _check(role: str | None, capability: str) -> str:
    if role is None:
        raise Http404("No such project.")
    if not can(role, capability):
        raise PermissionDenied(f"Your role ({role}) can't do this.")
    return role


# The access reads of the pages every member opens most: their SQL is written once (``portal.selectors.prepared``).
# Each joins the user's membership of the team once, by the user's key: no row for anyone outside it.


@PreparedRead
def _project_row(project_id: int, user_id: int) -> QuerySet[Project, tuple[Any, ...]]:
    """The project's columns, its team's, then the user's role there."""
    return (
        Project.objects.filter(pk=project_id, team__memberships__user_id=user_id)
        .order_by()
        .values_list(*columns(Project, ("team",)), "team__memberships__role")[:1]
    )


def get_project_for_user(request: SignedInRequest, project_id: int, *, capability: str = Capability.READ) -> Project:
    """The project with its team and ``project.role`` set to the user's role in that team, in one query."""
    row = next(iter(_project_row(project_id, request.user.pk)), None)
    if row is None:
        raise Http404("No such project.")
    role = _check(row[-1], capability)
    project = instance(row, Project, ("team",))
    project.role = role
    return project


INTEGRATION_RELATED = ("project", "project__team", "created_by", "ranked_by", "environment")


@PreparedRead
def _integration_row(project_id: int, integration_id: int, user_id: int) -> QuerySet[Integration, tuple[Any, ...]]:
    """The integration's columns, those of INTEGRATION_RELATED (nulls for an empty one), then the user's role in the
    project's team."""
    return (
        Integration.objects.filter(pk=integration_id, project_id=project_id,
                                   project__team__memberships__user_id=user_id)
        .order_by()
        .values_list(*columns(Integration, INTEGRATION_RELATED), "project__team__memberships__role")[:1]
    )  # fmt: skip


def get_integration_for_user(
    request: SignedInRequest, project_id: int, integration_id: int, *, capability: str = Capability.READ
) -> Integration:
    """The integration with its project, team, creator, ranker and environment, and ``role`` set, in one query."""
    row = next(iter(_integration_row(project_id, integration_id, request.user.pk)), None)
    if row is None:
        raise Http404("No such project.")
    role = _check(row[-1], capability)
    integration = instance(row, Integration, INTEGRATION_RELATED)
    integration.role = integration.project.role = role
    return integration


def get_environment_for_user(
    request: SignedInRequest, project_id: int, environment_id: int, *, capability: str = Capability.READ
) -> Environment:
    """The environment with its project (``project.role`` set): 404 unless the project is the user's."""
    project = get_project_for_user(request, project_id, capability=capability)
    environment = _one(Environment.objects.filter(pk=environment_id, project=project))
    if environment is None:
        raise Http404("No such environment.")
    environment.project = project
    return environment


def get_team_for_user(request: SignedInRequest, team_id: int, *, capability: str = Capability.READ) -> Team:
    membership = _one(Membership.objects.select_related("team").filter(team_id=team_id, user=request.user))
    if membership is None:
        raise Http404("No such team.")
    _check(membership.role, capability)
    team = membership.team
    team.role = membership.role
    return team


def get_team_template_for_user(
    request: SignedInRequest, template_id: int, *, capability: str = Capability.READ
) -> TeamTemplate:
    """The template with ``team.role`` set to the user's role in its team, in one query."""
    template = _one(
        TeamTemplate.objects.filter(pk=template_id, team__memberships__user=request.user)
        .annotate(member_role=F("team__memberships__role"))
        .select_related("team")
    )
    if template is None:
        raise Http404("No such template.")
    template.team.role = _check(template.member_role, capability)
    return template


def get_draft_for_user(request: SignedInRequest, draft_id: int) -> WizardDraft:
    return get_object_or_404(WizardDraft.objects.select_related("project"), pk=draft_id, owner=request.user)


def get_token_for_user(request: SignedInRequest, token_id: int) -> ApiToken:
    return get_object_or_404(ApiToken, pk=token_id, user=request.user)
