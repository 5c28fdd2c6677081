"""The project history: an append-only record of who changed what, when, with before and after.

Every change to a project goes through ``history_record``, which also counts it in the project's ``revision`` (and moves
``updated_at``, which orders "my projects" by activity); a change to a team itself (members, invitations) goes through
``team_history_record``, which counts it in the team's ``revision``, records it in the team's own history
(``TeamHistoryEntry``: its history page, even before it has a project) and copies it into each of its projects'. The
counters move in the same transaction as the change, so they become visible with it: what is cached under a key made of
them (``portal.caching``) is what the database held at that count, whatever order concurrent changes commit in.

A project's change writes the project's row only, never the team's: changes to different projects of a team don't queue
behind each other, and a team change (team row, then its projects) can't deadlock with a project change."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import F, QuerySet
from django.utils import timezone

from portal.models import HistoryEntry, Integration, Project, Team, TeamHistoryEntry


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
    Project.objects.filter(pk=project.pk).update(updated_at=timezone.now(), revision=F("revision") + 1)
    return HistoryEntry.objects.create(
        project=project,
        integration=integration,
        actor=actor,
        action=action,
        subject=subject[:200],
        before=before,
        after=after,
    )


def history_records(
    *, project: Project, actor: User | None, entries: list[tuple[Integration | None, str, str, Any, Any]]
) -> None:
    """Many changes to one project at once (an import): each entry is (integration, action, subject, before, after);
    the revision moves once, in the same transaction, as it does for one change."""
    Project.objects.filter(pk=project.pk).update(updated_at=timezone.now(), revision=F("revision") + 1)
    HistoryEntry.objects.bulk_create(
        [
            HistoryEntry(
                project=project,
                integration=integration,
                actor=actor,
                action=action,
                subject=subject[:200],
                before=before,
                after=after,
            )
            for integration, action, subject, before, after in entries
        ],
        batch_size=500,
    )


def projects_history_record(*, projects: QuerySet[Project], actor: User | None, action: str, subject: str,
                            before: Any = None, after: Any = None) -> None:  # fmt: skip
    """One change recorded in many projects' history at once (a change to their team): three statements however many
    projects, each project's revision moved in the same transaction, as ``history_record`` does for one."""
    project_ids = list(projects.values_list("pk", flat=True))
    if not project_ids:
        return
    Project.objects.filter(pk__in=project_ids).update(updated_at=timezone.now(), revision=F("revision") + 1)
    HistoryEntry.objects.bulk_create(
        [
            HistoryEntry(
                project_id=project_id, actor=actor, action=action, subject=subject[:200], before=before, after=after
            )
            for project_id in project_ids
        ],
        batch_size=500,
    )


def team_history_record(team: Team, actor: User | None, action: str, subject: str, before: Any, after: Any,
                        projects: QuerySet[Project] | None = None) -> None:  # fmt: skip
    """A change to the team (its members, its invitations, its projects): the team's revision moved, the change in
    the team's own history (even when it has no project yet), then copied into each of its projects' history (or of
    ``projects``). A handful of statements, however many projects the team has."""
    Team.objects.filter(pk=team.pk).update(changed_at=timezone.now(), revision=F("revision") + 1)
    TeamHistoryEntry.objects.create(team=team, actor=actor, action=action, subject=subject[:200], before=before,
                                    after=after)  # fmt: skip
    projects_history_record(projects=team.projects.all() if projects is None else projects, actor=actor,
                            action=action, subject=subject, before=before, after=after)  # fmt: skip
