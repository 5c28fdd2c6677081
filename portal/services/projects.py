"""Projects: created with their own copy of the published checklist; settings changed by the team's owners."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from portal.models import Project, Team
from portal.services.checklist import checklist_copy
from portal.services.history import history_record
from portal.services.teams import team_personal


@transaction.atomic
def project_create(*, owner: User, name: str, description: str = "", team: Team | None = None) -> Project:
    """A project in ``team`` (default: the owner's personal team) with its own copy of the curated checklist."""
    project = Project(
        owner=owner, team=team or team_personal(owner), name=name.strip(), description=description.strip()
    )
    project.full_clean()
    project.save()
    checklist_copy(project)
    history_record(project=project, actor=owner, action="project created", subject=project.name)
    return project


@transaction.atomic
def project_settings_update(*, project: Project, actor: User, required_approvals: int) -> Project:
    before = project.required_approvals
    project.required_approvals = required_approvals
    project.full_clean()
    project.save(update_fields=["required_approvals", "updated_at"])
    history_record(project=project, actor=actor, action="settings changed", subject="Approvals needed to accept",
                   before={"required_approvals": before}, after={"required_approvals": required_approvals})  # fmt: skip
    return project
