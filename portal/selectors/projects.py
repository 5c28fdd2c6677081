"""Reads of projects: the reader's projects, their integration counts, one project for export, its history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from portal.models import (
    Approval,
    Capability,
    Comment,
    HistoryEntry,
    Integration,
    Project,
    roles_that_can,
)


def projects_for(user: Any) -> QuerySet[Project]:
    """Every project of the user's teams, most recently changed first (the (team, updated) index serves it).
    Counts are added per page by ``with_integration_counts``, so a long list never aggregates rows it won't show."""
    return Project.objects.filter(team__memberships__user=user).select_related("team").order_by("-updated_at", "-id")


COUNTED_AT_ONCE = 10_000  # projects per grouped query: PostgreSQL binds at most 65,535 parameters


def with_integration_counts(projects: Iterable[Project]) -> list[Project]:
    """The projects, each with ``integration_count``: one grouped query over these projects only (one per 10,000 for
    the API's list of every project)."""
    projects = list(projects)
    counts: dict[int, int] = {}
    for start in range(0, len(projects), COUNTED_AT_ONCE):
        batch = [project.pk for project in projects[start : start + COUNTED_AT_ONCE]]
        grouped = Integration.objects.filter(project__in=batch).values_list("project").annotate(n=Count("id"))
        counts.update(grouped.values_list("project", "n"))
    for project in projects:
        project.integration_count = counts.get(project.pk, 0)  # type: ignore[attr-defined]
    return projects


def writable_projects(user: Any) -> list[Project]:
    """Projects the user may add integrations to."""
    roles = roles_that_can(Capability.WRITE)
    return list(
        Project.objects.filter(team__memberships__user=user, team__memberships__role__in=roles)
        .select_related("team")
        .order_by("team__name", "name")
    )


def project_for_export(project: Project) -> Project:
    """The project with everything a full record reads, in a fixed number of queries."""
    return (
        Project.objects.select_related("team", "owner")
        .prefetch_related(
            Prefetch(
                "integrations",
                queryset=Integration.objects.select_related(
                    "environment",
                    "decision",
                    "decision__proposed_by",
                    "decision__decided_by",
                    "decision__superseded_by__integration",
                ).order_by("created_at", "id"),
            ),
            Prefetch("integrations__comments", queryset=Comment.objects.select_related("author")),
            Prefetch(
                "integrations__decision__approvals",
                queryset=Approval.objects.select_related("reviewer").order_by("created_at", "id"),
            ),
            "checklist_entries__assignee",
            "milestones__created_by",
            "environments",
            Prefetch(
                "history",
                queryset=HistoryEntry.objects.select_related("actor", "integration").order_by("created_at", "id"),
            ),
        )
        .get(pk=project.pk)
    )


def project_history(project: Project, limit: int = 500) -> list[HistoryEntry]:
    return list(project.history.select_related("actor")[:limit])
