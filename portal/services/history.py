"""The project history: an append-only record of who changed what, when, with before and after.

Every change to a project goes through ``history_record``, which also moves the project's ``updated_at`` and its
team's ``changed_at``: those are the revisions that order "my projects" by activity and key the parts of pages
rendered once per revision (``{% byrevision %}``). A change to a team itself goes through ``team_history_record``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from portal.models import HistoryEntry, Integration, Project, Team


def history_record(
    *,
    project: Project,
    actor: User | None,
    action: str,
    subject: str,
    before: Any = None,
    after: Any = None,
    integration: Integration | None = None,
) -> HistoryEntry:
    Project.objects.filter(pk=project.pk).update(updated_at=timezone.now())
    team_changed(project.team_id)
    return HistoryEntry.objects.create(
        project=project,
        integration=integration,
        actor=actor,
        action=action,
        subject=subject[:200],
        before=before,
        after=after,
    )


def team_history_record(team: Team, actor: User | None, action: str, subject: str, before: Any, after: Any) -> None:
    """A change to the team (its members, its invitations): recorded in each of its projects' history, and the team's
    revision moved even when it has no project yet."""
    team_changed(team.pk)
    for project in team.projects.all():
        history_record(project=project, actor=actor, action=action, subject=subject, before=before, after=after)


def team_changed(team_id: int) -> None:
    """Move the team's revision: its dashboard and its members' project lists are rendered again."""
    Team.objects.filter(pk=team_id).update(changed_at=timezone.now())
