"""Hand-written factories for the architects' records."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from patterns.requirements import Requirements
from portal.models import Integration, Project, WizardDraft
from portal.services.drafts import draft_create
from portal.services.integrations import integration_create
from portal.services.projects import project_create

WEB_SHOP = {
    "scope": "fno_external",
    "goal": "data_sync",
    "direction": "inbound",
    "timing": "synchronous",
    "volume": "low",
}


def make_project(owner: User, name: str = "Order to cash") -> Project:
    return project_create(owner=owner, name=name, description="Integrations for the web shop.")


def make_integration(
    project: Project, name: str = "Web shop orders", answers: dict[str, Any] | None = None
) -> Integration:
    return integration_create(
        project=project,
        name=name,
        requirements=Requirements.from_mapping(answers or WEB_SHOP),
        created_by=project.owner,
    )


def make_draft(owner: User, answers: dict[str, Any] | None = None) -> WizardDraft:
    return draft_create(owner=owner, answers=dict(answers or {}))


def make_team(owner: User, name: str = "Integration team", **members: str) -> Any:
    """A team owned by ``owner`` with other members as username=role."""
    from django.contrib.auth import get_user_model

    from portal.models import Membership
    from portal.services.teams import team_create

    team = team_create(name=name, owner=owner)
    for username, role in members.items():
        Membership.objects.create(team=team, user=get_user_model().objects.get(username=username), role=role)
    return team


def make_team_project(owner: User, **members: str) -> Project:
    team = make_team(owner, **members)
    return project_create(owner=owner, name="Order to cash", description="", team=team)


def publish_draft() -> Any:
    """Publish whatever the test changed in the draft, so pages and the API show it."""
    from patterns.publishing import version_publish

    return version_publish(actor=None, note="Published by a test.", override_reason="A test changed the draft.")


def make_project_with_integrations(owner: User, count: int) -> Project:
    project = make_project(owner)
    for index in range(count):
        make_integration(project, f"Integration {index}")
    return project
