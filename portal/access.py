"""Ownership helpers: the one way views fetch an owned record. Anyone but the owner gets 404, never 403, so
outsiders can't even learn that a record exists."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from portal.models import ApiToken, Integration, Project, WizardDraft


def get_project_for_user(request: HttpRequest, project_id: int) -> Project:
    return get_object_or_404(Project, pk=project_id, owner=request.user)


def get_integration_for_user(request: HttpRequest, project_id: int, integration_id: int) -> Integration:
    return get_object_or_404(
        Integration.objects.select_related("project", "created_by"),
        pk=integration_id,
        project_id=project_id,
        project__owner=request.user,
    )


def get_draft_for_user(request: HttpRequest, draft_id: int) -> WizardDraft:
    return get_object_or_404(WizardDraft.objects.select_related("scenario", "project"), pk=draft_id, owner=request.user)


def get_token_for_user(request: HttpRequest, token_id: int) -> ApiToken:
    return get_object_or_404(ApiToken, pk=token_id, user=request.user)
