"""Reads reused by pages and the API: listings, the team dashboard, a project's checklist with its progress, the
integration page, new first picks and re-rank comparisons. Query counts stay fixed whatever the rows shown."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Any

from django.contrib.auth.models import User
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

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
    Notification,
    Project,
    ProjectChecklistEntry,
    TaskStatus,
    Team,
    WizardDraft,
    can,
    roles_that_can,
)
from portal.pictures.landscape import Landscape, Link, landscape
from portal.pictures.progress import BarRow, Burnup, Change, burnup, burnup_points, share_bars, status_bars
from portal.records import integration_decision

# Listings


def projects_for(user: Any) -> QuerySet[Project]:
    """Every project of the user's teams, most recently changed first (the (team, updated) index serves it).
    Counts are added per page by ``with_integration_counts``, so a long list never aggregates rows it won't show."""
    return Project.objects.filter(team__memberships__user=user).select_related("team").order_by("-updated_at", "-id")


def page_number(raw: str | int | None) -> int:
    """A list's page number from the query string: 1 unless it is a whole number from 1."""
    text = str(raw or "")
    return int(text) if text.isdigit() and int(text) >= 1 else 1


@dataclass
class Window:
    """One page of a long list, found without counting the whole list: it reads one row more than it shows to know
    whether there is a next page (a count of 100,000 projects costs more than the page itself)."""

    object_list: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def window(queryset: QuerySet[Any], page: str | int | None, size: int) -> Window:
    number = page_number(page)
    rows = list(queryset[(number - 1) * size : number * size + 1])
    return Window(rows[:size], number, len(rows) > size)


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


def team_members(team: Team, *, capability: str = Capability.READ) -> list[Any]:
    """The team's people whose role has ``capability`` (task owners are those who can edit)."""
    return [m.user for m in team_memberships_by_name(team).filter(role__in=roles_that_can(capability))]


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


DASHBOARD_PAGE = 25


@dataclass
class Dashboard:
    projects: Page[Project]
    by_status: list[tuple[str, int]]
    awaiting: list[Decision]
    members: QuerySet[Membership]

    @property
    def status_bars(self) -> list[BarRow]:
        return status_bars(self.by_status)

    @property
    def completion_bars(self) -> list[BarRow]:
        """Checklist completion of the projects on this page (the same rows as the table)."""
        return share_bars(
            (p.name, p.tasks_closed, p.task_count, reverse("projects:detail", args=[p.pk]))  # type: ignore[attr-defined]
            for p in self.projects  # counted by team_dashboard
        )


def team_dashboard(team: Team, user: User, *, page: str | int | None = 1) -> Dashboard:
    """A page of the team's projects with their counts, integrations by decision status, and the decisions waiting
    for my review. The queries are the same whatever the team's size: counts are grouped over the page's rows."""
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
    statuses: dict[str | None, int] = dict(
        Integration.objects.filter(project__team=team)
        .values("decision__status")
        .annotate(n=Count("id"))
        .values_list("decision__status", "n")
    )
    by_status = [(str(label), statuses.get(value, 0)) for value, label in DecisionStatus.choices]
    by_status.append(("No decision yet", statuses.get(None, 0)))
    awaiting: list[Decision] = []
    if can(team.role, Capability.REVIEW):
        awaiting = list(waiting_for_review(user).filter(integration__project__team=team)[:DASHBOARD_PAGE])
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


CHECKLIST_ACTIONS = ("checklist updated", "checklist task added", "checklist task removed")
BURNUP_HISTORY = 5000  # the most recent checklist changes the burn-up reads


@dataclass
class ProjectProgress:
    sections: list[BarRow]
    burnup: Burnup | None


def project_progress(project: Project, checklist: ProjectChecklist) -> ProjectProgress:
    """Completion per section (from the checklist already loaded) and over time: two queries, whatever the size."""
    changes = [
        Change(at, action, before, after)
        for at, action, before, after in project.history.filter(action__in=CHECKLIST_ACTIONS)
        .order_by("-created_at", "-id")
        .values_list("created_at", "action", "before", "after")[:BURNUP_HISTORY]
    ]
    points = burnup_points(start=project.created_at, now=timezone.now(), closed=checklist.progress.closed,
                           total=checklist.progress.total, changes=changes)  # fmt: skip
    milestones = list(project.milestones.values_list("created_at", "name"))
    return ProjectProgress(
        sections=share_bars((s.title, s.progress.closed, s.progress.total, "") for s in checklist.sections),
        burnup=burnup(points, milestones),
    )


# Integrations


def project_integrations(project: Project) -> list[Integration]:
    """The project's integrations with their decision, each with ``new_first_pick``: the name of the published
    catalog's first pick when it differs from the saved one (None otherwise)."""
    integrations = list(
        Integration.objects.filter(project=project)
        .select_related("decision")
        .only("pk", "name", "top_pattern_slug", "top_pattern_name", "ranked_at", "project_id", "decision__status",
              "decision__chosen_pattern_name", "requirements", "catalog_version", "reviewed_catalog_version",
              "source_system", "target_system")
        .order_by("created_at", "id")
    )  # fmt: skip
    flags = integrations_with_new_first_pick(integrations)
    for integration in integrations:
        integration.new_first_pick = flags.get(integration.pk)
    return integrations


def project_landscape(integrations: list[Integration], *, links: bool = True) -> Landscape:
    """The landscape picture of a project's integrations (as loaded by ``project_integrations``): no query."""
    return landscape(
        Link(
            name=integration.name,
            scope=str(integration.requirements.get("scope", "")),
            direction=str(integration.requirements.get("direction") or ""),
            source=integration.source_system,
            target=integration.target_system,
            pattern=(decision.chosen_pattern_name if (decision := integration_decision(integration))
                     else integration.top_pattern_name) or "no option fits",
            status=decision.status if decision else "none",
            url=reverse("projects:integration", args=[integration.project_id, integration.pk]) if links else "",
        )
        for integration in integrations
    )  # fmt: skip


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


def decision_of(integration: Integration) -> Decision | None:
    """The integration's decision with the people and the decision it links to, as the decision pages show them."""
    return (
        Decision.objects.filter(integration=integration)
        .select_related("proposed_by", "decided_by", "status_changed_by", "superseded_by__integration")
        .first()
    )


def integration_page(integration: Integration) -> IntegrationPage:
    decision = decision_of(integration)
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
            Prefetch(
                "integrations__decision__approvals",
                queryset=Approval.objects.select_related("reviewer").order_by("created_at", "id"),
            ),
            "checklist_entries__assignee",
            "milestones__created_by",
            Prefetch(
                "history",
                queryset=HistoryEntry.objects.select_related("actor", "integration").order_by("created_at", "id"),
            ),
        )
        .get(pk=project.pk)
    )


def project_history(project: Project, limit: int = 500) -> list[HistoryEntry]:
    return list(project.history.select_related("actor")[:limit])


# Decisions of an integration: the record as an ADR, its status history


@dataclass(frozen=True)
class DecisionEvent:
    what: str  # proposed, changed, approved, accepted, rejected, superseded, deprecated
    who: str
    when: datetime
    note: str = ""


def _event_note(what: str, after: Any) -> str:
    after = after if isinstance(after, dict) else {}
    if what == "rejected" and after.get("status_reason"):
        return f"Reason: {after['status_reason']}"
    if what == "superseded" and after.get("superseded_by"):
        return f"By the decision on {after['superseded_by']}"
    if what in {"proposed", "changed"} and after.get("chosen_pattern_name"):
        return f"{after['chosen_pattern_name']}, version {after.get('version', 1)}"
    return ""


def decision_history(integration: Integration, decision: Decision) -> list[DecisionEvent]:
    """Every change to the integration's decision, oldest first. Decisions recorded before the history named its
    integration are told from the decision's own who-and-when fields."""
    entries = integration.history_entries.filter(action__startswith="decision ").select_related("actor")
    events = [
        DecisionEvent(
            what=(what := entry.action.removeprefix("decision ")),
            who=entry.actor.get_username() if entry.actor else "someone",
            when=entry.created_at,
            note=entry.subject.split(": ", 1)[-1] if what == "approved" else _event_note(what, entry.after),
        )
        for entry in entries.order_by("created_at", "id")
    ]
    if events:
        return events
    told = [DecisionEvent("proposed", decision.proposed_by.get_username(), decision.created_at)]
    if decision.decided_by and decision.decided_at:
        told.append(DecisionEvent("rejected" if decision.status == DecisionStatus.REJECTED else "accepted",
                                  decision.decided_by.get_username(), decision.decided_at))  # fmt: skip
    if decision.status_changed_by and decision.status_changed_at and decision.is_history:
        told.append(
            DecisionEvent(decision.status, decision.status_changed_by.get_username(), decision.status_changed_at)
        )
    return told


# The decision log: the decisions of all my teams, searchable


@dataclass(frozen=True)
class DecisionFilters:
    q: str = ""
    status: str = ""
    team: int | None = None
    since: date | None = None
    until: date | None = None

    @property
    def active(self) -> bool:
        return bool(self.q or self.status or self.team or self.since or self.until)


SEARCHED_FIELDS = (
    "chosen_pattern_name",
    "chosen_pattern_slug",
    "integration__name",
    "rationale",
    "consequences",
    "justification",
    "status",
    "integration__project__name",
    "integration__project__team__name",
)


def _text_search(decisions: QuerySet[Decision], text: str) -> QuerySet[Decision]:
    """PostgreSQL: full-text search with English stemming, best matches first. Elsewhere (SQLite): every word must
    appear in one of the searched fields, newest first."""
    if connection.vendor == "postgresql":
        vector = (
            SearchVector("chosen_pattern_name", "integration__name", weight="A", config="english")
            + SearchVector("rationale", "consequences", "justification", weight="B", config="english")
            + SearchVector(
                "status", "integration__project__name", "integration__project__team__name", weight="C", config="english"
            )
        )
        query = SearchQuery(text, search_type="websearch", config="english")
        return (
            decisions.annotate(search=vector, rank=SearchRank(vector, query))
            .filter(search=query)
            .order_by("-rank", "-updated_at", "-id")
        )
    for word in text.split()[:10]:
        any_field = Q()
        for field in SEARCHED_FIELDS:
            any_field |= Q(**{f"{field}__icontains": word})
        decisions = decisions.filter(any_field)
    return decisions


def decision_log(user: Any, filters: DecisionFilters) -> QuerySet[Decision]:
    decisions = (
        Decision.objects.filter(integration__project__team__memberships__user=user)
        .select_related("integration__project__team", "proposed_by", "status_changed_by")
        .order_by("-updated_at", "-id")
    )
    if filters.status:
        decisions = decisions.filter(status=filters.status)
    if filters.team:
        decisions = decisions.filter(integration__project__team_id=filters.team)
    if filters.since:
        decisions = decisions.filter(updated_at__date__gte=filters.since)
    if filters.until:
        decisions = decisions.filter(updated_at__date__lte=filters.until)
    if filters.q:
        decisions = _text_search(decisions, filters.q)
    return decisions


# My work: the signed-in home page

DUE_SOON_DAYS = 7
LIST_LIMIT = 8


@dataclass
class MyWork:
    drafts: list[WizardDraft]
    reviews: list[Decision]
    overdue: list[ProjectChecklistEntry]
    due_soon: list[ProjectChecklistEntry]
    activity: list[HistoryEntry]
    team_count: int


def waiting_for_review(user: Any) -> QuerySet[Decision]:
    """Proposed decisions in teams where I review, proposed by someone else, that I haven't approved as they are."""
    mine = Approval.objects.filter(decision=OuterRef("pk"), reviewer=user, decision_version=OuterRef("version"))
    return (
        Decision.objects.filter(
            status=DecisionStatus.PROPOSED,
            integration__project__team__memberships__user=user,
            integration__project__team__memberships__role__in=roles_that_can(Capability.REVIEW),
        )
        .exclude(proposed_by=user)
        .exclude(Exists(mine))
        .select_related("integration__project", "proposed_by")
        .order_by("updated_at", "id")
    )


def my_work(user: Any, *, today: date) -> MyWork:
    open_tasks = (
        ProjectChecklistEntry.objects.filter(
            assignee=user,
            status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS],
            due_date__isnull=False,
            project__team__memberships__user=user,
        )
        .select_related("project")
        .order_by("due_date", "id")
    )
    return MyWork(
        drafts=open_drafts(user, limit=5),
        reviews=list(waiting_for_review(user)[:LIST_LIMIT]),
        overdue=list(open_tasks.filter(due_date__lt=today)[:LIST_LIMIT]),
        due_soon=list(
            open_tasks.filter(due_date__gte=today, due_date__lte=today + timedelta(days=DUE_SOON_DAYS))[:LIST_LIMIT]
        ),
        activity=list(
            HistoryEntry.objects.filter(project__team__memberships__user=user)
            .select_related("project", "actor")
            .order_by("-created_at", "-id")[:10]
        ),
        team_count=Membership.objects.filter(user=user).count(),
    )


# Notifications


def inbox(user: Any) -> QuerySet[Notification]:
    """My notifications about projects of teams I am still in."""
    return (
        Notification.objects.filter(recipient=user, in_inbox=True, project__team__memberships__user=user)
        .select_related("project", "actor")
        .order_by("-created_at", "-id")
    )


def unread_count(user: Any) -> int:
    return inbox(user).filter(read_at__isnull=True).count()
