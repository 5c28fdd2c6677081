"""My work: the signed-in home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from portal.models import (
    Decision,
    HistoryEntry,
    Membership,
    ProjectChecklistEntry,
    TaskStatus,
    WizardDraft,
)
from portal.selectors.catalog_changes import PickChange, my_pick_changes
from portal.selectors.decisions import waiting_for_review
from portal.selectors.drafts import open_drafts

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
    catalog_changes: list[PickChange]


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
        catalog_changes=my_pick_changes(user)[:LIST_LIMIT],
    )
