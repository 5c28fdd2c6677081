"""Reads reused by pages and the API: listings, the team dashboard, a project's checklist with its progress, the
integration page, new first picks and re-rank comparisons. Query counts stay fixed whatever the rows shown."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Prefetch, Q, QuerySet

from patterns.published import first_pick, published_catalog, published_snapshot, rank
from patterns.ranking.records import ExclusionRecord, OptionRecord, RankingRecord, movement
from patterns.requirements import Requirements
from portal.models import (
    CLOSED_STATUSES,
    Approval,
    Capability,
    Comment,
    Decision,
    DecisionStatus,
    HistoryEntry,
    Integration,
    Membership,
    Project,
    ProjectChecklistEntry,
    Team,
    WizardDraft,
    can,
    roles_that_can,
)

# Listings


def projects_for(user: Any) -> QuerySet[Project]:
    """Every project of the user's teams, most recently changed first, with its integration count."""
    return (
        Project.objects.filter(team__memberships__user=user)
        .select_related("team")
        .annotate(integration_count=Count("integrations", distinct=True))
        .order_by("-updated_at", "-id")
    )


def teams_where_user_can(user: Any, capability: str) -> list[Team]:
    memberships = Membership.objects.filter(user=user, role__in=roles_that_can(capability)).select_related("team")
    return [m.team for m in memberships]


def writable_projects(user: Any) -> list[Project]:
    """Projects the user may add integrations to."""
    roles = roles_that_can(Capability.WRITE)
    return list(
        Project.objects.filter(team__memberships__user=user, team__memberships__role__in=roles)
        .select_related("team")
        .order_by("team__name", "name")
    )


def open_drafts(user: Any, limit: int = 20) -> list[WizardDraft]:
    """The user's unsaved drafts, each titled by its scenario in the published catalog (or "Draft N")."""
    drafts = list(WizardDraft.objects.filter(owner=user, integration__isnull=True)[:limit])
    catalog = published_catalog()
    for draft in drafts:
        scenario = catalog.scenario(draft.scenario_slug) if draft.scenario_slug else None
        draft.title = scenario.title if scenario else f"Draft {draft.pk}"
    return drafts


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


def team_members(team: Team) -> list[Any]:
    return [m.user for m in team_memberships_by_name(team)]


# Progress


@dataclass(frozen=True)
class Progress:
    closed: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.closed / self.total) if self.total else 0

    @classmethod
    def of(cls, entries: list[ProjectChecklistEntry]) -> Progress:
        return cls(sum(1 for e in entries if e.is_closed), len(entries))


# The team dashboard


@dataclass
class Dashboard:
    projects: QuerySet[Project]
    by_status: list[tuple[str, int]]
    awaiting: list[Decision]
    members: QuerySet[Membership]


def team_dashboard(team: Team, user: User) -> Dashboard:
    """Projects with checklist completion, integrations by decision status, and the decisions awaiting my review."""
    projects = (
        Project.objects.filter(team=team)
        .annotate(
            integration_count=Count("integrations", distinct=True),
            task_count=Count("checklist_entries", distinct=True),
            tasks_closed=Count(
                "checklist_entries", filter=Q(checklist_entries__status__in=CLOSED_STATUSES), distinct=True
            ),
        )
        .order_by("-updated_at", "-id")
    )
    statuses: Counter[str | None] = Counter(
        Integration.objects.filter(project__team=team).values_list("decision__status", flat=True)
    )
    by_status = [(str(label), statuses.get(value, 0)) for value, label in DecisionStatus.choices]
    by_status.append(("No decision yet", statuses.get(None, 0)))
    awaiting: list[Decision] = []
    if can(team.role, Capability.REVIEW):
        proposed = (
            Decision.objects.filter(integration__project__team=team, status=DecisionStatus.PROPOSED)
            .select_related("integration__project")
            .prefetch_related("approvals")
        )
        awaiting = [
            decision
            for decision in proposed
            if not any(a.reviewer_id == user.pk and a.decision_version == decision.version
                       for a in decision.approvals.all())
        ]  # fmt: skip
    return Dashboard(projects, by_status, awaiting, team_memberships_by_name(team))


# A project's checklist

CHECKLIST_FILTERS = {"all": "All tasks", "mine": "Mine", "open": "Not done", "overdue": "Overdue"}


@dataclass
class ChecklistSection:
    title: str
    entries: list[ProjectChecklistEntry]
    progress: Progress


@dataclass
class ProjectChecklist:
    sections: list[ChecklistSection]
    progress: Progress
    task_count: int
    chosen_filter: str

    @property
    def filters(self) -> dict[str, str]:
        return CHECKLIST_FILTERS


def _matches(entry: ProjectChecklistEntry, chosen: str, user: Any, today: date) -> bool:
    if chosen == "mine":
        return entry.assignee_id == user.pk
    if chosen == "open":
        return not entry.is_closed
    if chosen == "overdue":
        return bool(entry.due_date and entry.due_date < today and not entry.is_closed)
    return True


def project_checklist(project: Project, *, chosen: str, user: Any, today: date) -> ProjectChecklist:
    """The project's tasks by section, filtered, with progress per section (of all its tasks) and overall."""
    chosen = chosen if chosen in CHECKLIST_FILTERS else "all"
    entries = list(project.checklist_entries.select_related("assignee"))
    sections = []
    for (_, title), items in groupby(entries, key=lambda e: (e.section_position, e.section_title)):
        section_entries = list(items)
        shown = [e for e in section_entries if _matches(e, chosen, user, today)]
        sections.append(ChecklistSection(title, shown, Progress.of(section_entries)))
    return ProjectChecklist(sections, Progress.of(entries), len(entries), chosen)


# Integrations


def project_integrations(project: Project) -> list[Integration]:
    """The project's integrations with their decision, each with ``new_first_pick``: the name of the published
    catalog's first pick when it differs from the saved one (None otherwise)."""
    integrations = list(
        Integration.objects.filter(project=project)
        .select_related("decision")
        .only("pk", "name", "top_pattern_slug", "top_pattern_name", "ranked_at", "project_id", "decision__status",
              "decision__chosen_pattern_name", "requirements", "catalog_version", "reviewed_catalog_version")
        .order_by("created_at", "id")
    )  # fmt: skip
    flags = integrations_with_new_first_pick(integrations)
    for integration in integrations:
        integration.new_first_pick = flags.get(integration.pk)
    return integrations


def integrations_with_new_first_pick(integrations: list[Integration]) -> dict[int, str]:
    """For integrations ranked with an older catalog version: id -> the name of the new first pick, when it differs."""
    snapshot = published_snapshot()
    flags = {}
    for integration in integrations:
        if snapshot.version in {integration.catalog_version, integration.reviewed_catalog_version}:
            continue  # ranked with this version, or the team looked at its ranking and kept the saved one
        pick = first_pick(Requirements.from_mapping(integration.requirements), snapshot)
        if pick and pick[0] != integration.top_pattern_slug:
            flags[integration.pk] = pick[1]
    return flags


def approvals_for_current_version(decision: Decision) -> int:
    """Approvals of the current version by people who are still reviewers or owners of the project's team."""
    reviewers = Membership.objects.filter(
        team__projects__integrations__decision=decision, role__in=roles_that_can(Capability.REVIEW)
    ).values("user_id")
    return decision.approvals.filter(decision_version=decision.version, reviewer_id__in=reviewers).count()


@dataclass
class IntegrationPage:
    decision: Decision | None
    approvals: list[Approval]
    approval_count: int
    comments: list[Comment]
    other_decisions: list[Decision]
    ranking: RankingRecord
    requirements: Requirements


def integration_page(integration: Integration) -> IntegrationPage:
    decision = (
        Decision.objects.filter(integration=integration)
        .select_related("proposed_by", "decided_by", "status_changed_by", "superseded_by__integration")
        .first()
    )
    approvals = (
        list(decision.approvals.select_related("reviewer").filter(decision_version=decision.version))
        if decision
        else []
    )
    others = (  # only an accepted decision can supersede another
        Decision.objects.filter(integration__project=integration.project, status=DecisionStatus.ACCEPTED)
        .exclude(integration=integration)
        .select_related("integration")
    )
    return IntegrationPage(
        decision=decision,
        approvals=approvals,
        approval_count=approvals_for_current_version(decision) if decision else 0,
        comments=list(integration.comments.select_related("author")),
        other_decisions=list(others),
        ranking=RankingRecord.from_json(integration.ranking),
        requirements=Requirements.from_mapping(integration.requirements),
    )


@dataclass
class RerankRow:
    new: OptionRecord
    saved: OptionRecord | None
    move: int | None  # places moved up since the saved ranking; None when the pattern is new to the ranking


@dataclass
class RerankComparison:
    saved: RankingRecord
    new: RankingRecord
    rows: list[RerankRow]

    @property
    def ruled_out(self) -> list[tuple[OptionRecord, ExclusionRecord]]:
        """Options of the saved ranking that the current catalog rules out, with why."""
        saved = self.saved.by_pattern()
        return [(saved[e.pattern], e) for e in self.new.excluded if e.pattern in saved]

    @property
    def same_version(self) -> bool:
        return self.saved.catalog_version == self.new.catalog_version

    @property
    def first_pick_changes(self) -> bool:
        return bool(self.saved.top and self.new.top and self.saved.top.pattern != self.new.top.pattern)


def rerank_comparison(integration: Integration) -> RerankComparison:
    """The saved ranking beside the published catalog's ranking of the same requirements (nothing saved)."""
    saved = RankingRecord.from_json(integration.ranking)
    new = rank(Requirements.from_mapping(integration.requirements))
    saved_options, moves = saved.by_pattern(), movement(new, saved)
    rows = [RerankRow(o, saved_options.get(o.pattern), moves.get(o.pattern)) for o in new.options]
    return RerankComparison(saved, new, rows)


# Exports and history


def project_for_export(project: Project) -> Project:
    """The project with everything a full record reads, in a fixed number of queries."""
    return (
        Project.objects.select_related("team", "owner")
        .prefetch_related(
            Prefetch(
                "integrations",
                queryset=Integration.objects.select_related(
                    "decision", "decision__proposed_by", "decision__decided_by", "decision__superseded_by__integration"
                ).order_by("created_at", "id"),
            ),
            Prefetch("integrations__comments", queryset=Comment.objects.select_related("author")),
            "checklist_entries__assignee",
            "milestones__created_by",
        )
        .get(pk=project.pk)
    )


def project_history(project: Project, limit: int = 500) -> list[HistoryEntry]:
    return list(project.history.select_related("actor")[:limit])
