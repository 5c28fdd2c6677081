"""Milestones: a named snapshot of a project's state (rankings in brief, decisions, checklist)."""

from __future__ import annotations

from django.contrib.auth.models import User

from portal.models import Milestone, Project
from portal.records import project_state
from portal.services.history import history_record


def milestone_create(*, project: Project, name: str, actor: User) -> Milestone:
    milestone = Milestone(project=project, name=name.strip(), snapshot=project_state(project), created_by=actor)
    milestone.full_clean()
    milestone.save()
    history_record(project=project, actor=actor, action="milestone saved", subject=milestone.name)
    return milestone
