"""Access helpers: the one way views fetch a team-owned record.

Someone outside the project's team gets 404 (they can't even learn it exists); a member whose role lacks the
capability gets 403. Capabilities: read, write, review, manage (see ``portal.models.CAPABILITIES``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS
from django.db.models import F, Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from patterns.http import SignedInRequest
from portal.models import ApiToken, Capability, Environment, Integration, Membership, Project, Team, WizardDraft, can
from portal.models.team_templates import TeamTemplate
from portal.selectors.prepared import PreparedRead


def _one[M: Model](queryset: QuerySet[M, Any]) -> M | None:
    """The only row, or None: no ORDER BY to build or run (the filters name one row)."""
    return next(iter(queryset.order_by()[:1]), None)


def _check(role: str | None, capability: str) -> str:
    if role is None:
        raise Http404("No such project.")
    if not can(role, capability):
        raise PermissionDenied(f"Your role ({role}) can't do this.")
    return role


PROJECT_FIELDS = tuple(field.attname for field in Project._meta.concrete_fields)
TEAM_FIELDS = tuple(field.attname for field in Team._meta.concrete_fields)


@PreparedRead
def _project_team_role(project_id: int, user_id: int) -> QuerySet[Project, tuple[Any, ...]]:
    """The project's columns, its team's and the user's role there: no row unless the user is in the team. Read on
    every project page, so its SQL is written once (``portal.selectors.prepared``)."""
    team = (f"team__{name}" for name in TEAM_FIELDS)
    return (
        Project.objects.filter(pk=project_id, team__memberships__user_id=user_id)
        .order_by()
        .values_list(*PROJECT_FIELDS, *team, "team__memberships__role")[:1]
    )


def get_project_for_user(request: SignedInRequest, project_id: int, *, capability: str = Capability.READ) -> Project:
    """The project with its team and ``project.role`` set to the user's role in that team, in one query."""
    row = next(iter(_project_team_role(project_id, request.user.pk)), None)
    if row is None:
        raise Http404("No such project.")
    role = _check(row[-1], capability)
    split = len(PROJECT_FIELDS)
    project = Project.from_db(DEFAULT_DB_ALIAS, PROJECT_FIELDS, row[:split])
    project.team = Team.from_db(DEFAULT_DB_ALIAS, TEAM_FIELDS, row[split:-1])
    project.role = role
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
        .select_related("project", "project__team", "created_by", "ranked_by", "environment")
    )
    if integration is None:
        raise Http404("No such project.")
    integration.role = integration.project.role = _check(integration.member_role, capability)
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
