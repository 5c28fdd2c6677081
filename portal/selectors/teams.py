"""Reads of teams: who can do what, memberships, members, and a team's dashboard."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from portal.models import (
    CLOSED_STATUSES,
    Capability,
    Decision,
    DecisionStatus,
    HistoryEntry,
    Integration,
    Invitation,
    Membership,
    Project,
    ProjectChecklistEntry,
    Team,
    TeamHistoryEntry,
    can,
    roles_that_can,
)
from portal.pictures.progress import BarRow, share_bars, status_bars
from portal.selectors.decisions import waiting_for_review
from portal.selectors.projects import with_integration_counts


def teams_where_user_can(user: Any, capability: str) -> list[Team]:
    memberships = Membership.objects.filter(user=user, role__in=roles_that_can(capability)).select_related("team")
    return [m.team for m in memberships]


@dataclass(frozen=True)
class TeamMenu:
    """The teams ``user`` may add a project to, for a menu (their personal team once, as "My personal team", first;
    made on first use), and the one a new project defaults to."""

    choices: list[tuple[str, str]]
    initial: str


def team_menu(user: Any) -> TeamMenu:
    """The default is the team of what the user last did (a change in one of its projects, an invitation sent,
    joining or founding it), if they may still add projects there; else their personal team. Three queries."""
    writable = list(Membership.objects.filter(user=user, role__in=roles_that_can(Capability.WRITE))
                    .values_list("team_id", "team__name", "team__personal_for_id", "created_at"))  # fmt: skip
    teams = {team_id: name for team_id, name, personal_for, _ in writable if personal_for != user.pk}
    moments = [(joined, team_id) for team_id, _, personal_for, joined in writable if personal_for is None]
    change = (HistoryEntry.objects.filter(actor=user).order_by("-created_at", "-id")
              .values_list("created_at", "project__team_id").first())  # fmt: skip
    invitation = (Invitation.objects.filter(invited_by=user).order_by("-created_at", "-id")
                  .values_list("created_at", "team_id").first())  # fmt: skip
    moments += [moment for moment in (change, invitation) if moment is not None]
    latest = max(moments, default=None)
    initial = str(latest[1]) if latest and latest[1] in teams else ""  # the personal team, or one no longer writable
    return TeamMenu([("", "My personal team"), *((str(pk), name) for pk, name in teams.items())], initial)


def team_memberships(user: Any) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("team")
        .annotate(
            project_count=Count("team__projects", distinct=True), member_count=Count("team__memberships", distinct=True)
        )
    )


def team_memberships_by_name(team: Team) -> QuerySet[Membership]:
    return team.memberships.select_related("user").order_by("user__username")


def team_members(team: Team, *, capability: str = Capability.READ) -> list[Any]:
    """The team's people whose role has ``capability`` (task owners are those who can edit)."""
    return [m.user for m in team_memberships_by_name(team).filter(role__in=roles_that_can(capability))]


class Closable(Protocol):
    @property
    def is_closed(self) -> bool: ...


@dataclass(frozen=True)
class Progress:
    closed: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.closed / self.total) if self.total else 0

    @classmethod
    def of(cls, entries: Sequence[Closable]) -> Progress:
        return cls(sum(1 for e in entries if e.is_closed), len(entries))


DASHBOARD_PAGE = 25


def team_projects_page(team: Team, page: str | int | None = 1) -> Page[Project]:
    """A page of the team's projects, newest first, each with its integration count and checklist completion: the
    queries are the same whatever the team's size (counts are grouped over the page's rows)."""
    projects = Paginator(
        Project.objects.filter(team=team).only("pk", "name", "updated_at", "team_id").order_by("-updated_at", "-id"),
        DASHBOARD_PAGE,
    ).get_page(page)
    rows = with_integration_counts(projects.object_list)
    tasks = {
        project: (total, closed)
        for project, total, closed in ProjectChecklistEntry.objects.filter(project__in=rows)
        .values("project")
        .annotate(total=Count("id"), closed=Count("id", filter=Q(status__in=CLOSED_STATUSES)))
        .values_list("project", "total", "closed")
    }
    for project in rows:
        project.task_count, project.tasks_closed = tasks.get(project.pk, (0, 0))  # type: ignore[attr-defined]
    projects.object_list = rows
    return projects


def completion_bars(projects: Page[Project]) -> list[BarRow]:
    """Checklist completion of the projects on a page (the same rows as its table)."""
    return share_bars(
        (p.name, p.tasks_closed, p.task_count, reverse("projects:detail", args=[p.pk]))  # type: ignore[attr-defined]
        for p in projects  # counted by team_projects_page
    )


def decision_status_bars(team: Team) -> list[BarRow]:
    """The team's integrations by decision status."""
    statuses: dict[str | None, int] = dict(
        Integration.objects.filter(project__team=team)
        .values("decision__status")
        .annotate(n=Count("id"))
        .values_list("decision__status", "n")
    )
    by_status = [(str(label), statuses.get(value, 0)) for value, label in DecisionStatus.choices]
    by_status.append(("No decision yet", statuses.get(None, 0)))
    return status_bars(by_status)


def awaiting_my_review(team: Team, user: User) -> list[Decision]:
    """The team's decisions waiting for this reader's review (none if their role doesn't review)."""
    if not can(team.role, Capability.REVIEW):
        return []
    return list(waiting_for_review(user, team=team)[:DASHBOARD_PAGE])


def team_history(team: Team, limit: int = 500) -> list[TeamHistoryEntry]:
    """The latest changes to the team itself (members, invitations, connections, projects moved), newest first."""
    return list(team.history.select_related("actor")[:limit])
