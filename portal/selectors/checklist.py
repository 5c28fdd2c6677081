"""A project's tracked checklist, filtered, with its progress by section and its burn-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from portal.links import public_url
from portal.models import CLOSED_STATUSES, HistoryEntry, Project, ProjectChecklistEntry
from portal.pictures.progress import BarRow, Burnup, Change, burnup, burnup_points, share_bars
from portal.selectors.prepared import PreparedRead
from portal.selectors.teams import Progress

CHECKLIST_FILTERS = {"all": "All tasks", "mine": "Mine", "open": "Not done", "overdue": "Overdue"}


@dataclass(frozen=True, slots=True)
class Task:
    """One task of a project's checklist as its page shows it: read as plain values (a model instance per row costs
    more than the rest of the read)."""

    pk: int
    section_position: int
    section_title: str
    title: str
    guidance: str
    status: str
    not_applicable_reason: str
    assignee_id: int | None
    owner: str  # the assignee's username, "" with nobody
    due_date: date | None
    notes: str
    evidence_url: str
    work_item: str = ""  # where it was sent: "Azure Boards 123", "Jira ABC-7"; "" when it wasn't
    work_item_url: str = ""

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


TASK_FIELDS = ("pk", "section_position", "section_title", "title", "guidance", "status", "not_applicable_reason",
               "assignee_id", "assignee__username", "due_date", "notes", "evidence_url", "work_item_kind",
               "work_item_id", "work_item_url")  # fmt: skip
TRACKER_NAMES = {"azure-boards": "Azure Boards", "jira": "Jira"}


def _task(*row: Any) -> Task:
    """A Task from a row of TASK_FIELDS."""
    (
        pk,
        position,
        section,
        title,
        guidance,
        status,
        reason,
        assignee_id,
        owner,
        due,
        notes,
        evidence,
        kind,
        item,
        link,
    ) = row
    work_item = f"{TRACKER_NAMES.get(kind, kind)} {item}" if item else ""
    return Task(pk, position, section, title, guidance, status, reason, assignee_id, owner or "", due, notes, evidence,
                work_item, link)  # fmt: skip


@dataclass
class ChecklistSection:
    title: str
    entries: list[Task]
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


def _matches(entry: Task, chosen: str, user: Any, today: date) -> bool:
    if chosen == "mine":
        return entry.assignee_id == user.pk
    if chosen == "open":
        return not entry.is_closed
    if chosen == "overdue":
        return bool(entry.due_date and entry.due_date < today and not entry.is_closed)
    return True


@PreparedRead
def _task_rows(project_id: int) -> QuerySet[ProjectChecklistEntry, tuple[Any, ...]]:
    return ProjectChecklistEntry.objects.filter(project_id=project_id).values_list(*TASK_FIELDS)


def project_checklist(project: Project, *, chosen: str, user: Any, today: date) -> ProjectChecklist:
    """The project's tasks by section, filtered, with progress per section (of all its tasks) and overall."""
    chosen = chosen if chosen in CHECKLIST_FILTERS else "all"
    entries = [_task(*row) for row in _task_rows(project.pk)]
    sections = []
    for (_, title), items in groupby(entries, key=lambda e: (e.section_position, e.section_title)):
        section_entries = list(items)
        shown = [e for e in section_entries if _matches(e, chosen, user, today)]
        sections.append(ChecklistSection(title, shown, Progress.of(section_entries)))
    return ProjectChecklist(sections, Progress.of(entries), len(entries), chosen)


def checklist_task(checklist: ProjectChecklist, pk: int) -> Task:
    """The task ``pk`` of a checklist read unfiltered."""
    return next(task for section in checklist.sections for task in section.entries if task.pk == pk)


def task_summary(entry: ProjectChecklistEntry) -> str:
    """What a work item made of a task says: its guidance on one line, why it doesn't apply (when it doesn't) and
    where it is in the portal."""
    note = f" Not applicable: {entry.not_applicable_reason}." if entry.not_applicable_reason else ""
    link = public_url(reverse("projects:checklist_entry", args=[entry.project_id, entry.pk]))
    return f"{' '.join(entry.guidance.split())}{note} In the portal: {link}"


def checklist_edit_base(project: Project) -> str:
    """Where a task's edit page starts: the task's id and a slash complete it (one reverse for the whole list)."""
    return reverse("projects:checklist_entry", args=[project.pk, 0]).removesuffix("0/")


CHECKLIST_ACTIONS = ("checklist updated", "checklist task added", "checklist task removed")
MILESTONE_SAVED = "milestone saved"  # portal.services.milestones records each one (its name is the subject)


BURNUP_HISTORY = 5000  # the most recent checklist changes and milestones the burn-up reads


@PreparedRead
def _progress_history(project_id: int) -> QuerySet[HistoryEntry, tuple[Any, ...]]:
    return (
        HistoryEntry.objects.filter(project_id=project_id, action__in=(*CHECKLIST_ACTIONS, MILESTONE_SAVED))
        .order_by("-created_at", "-id")
        .values_list("created_at", "action", "subject", "before", "after")[:BURNUP_HISTORY]
    )


@dataclass
class ProjectProgress:
    sections: list[BarRow]
    burnup: Burnup | None


def project_progress(project: Project, checklist: ProjectChecklist) -> ProjectProgress:
    """Completion per section (from the checklist already loaded) and over time, with the milestones marked: one
    query, whatever the size (the history holds both the checklist's changes and each milestone as it was saved).
    Its times are the reader's, so its days are too."""
    changes, milestones = [], []
    for at, action, subject, before, after in _progress_history(project.pk):
        at = timezone.localtime(at)
        if action == MILESTONE_SAVED:
            milestones.append((at, subject))
        else:
            changes.append(Change(at, action, before, after))
    progress = checklist.progress
    points = burnup_points(start=timezone.localtime(project.created_at), now=timezone.localtime(),
                           closed=progress.closed, total=progress.total, changes=changes)  # fmt: skip
    return ProjectProgress(
        sections=share_bars((s.title, s.progress.closed, s.progress.total, "") for s in checklist.sections),
        burnup=burnup(points, milestones),
    )
