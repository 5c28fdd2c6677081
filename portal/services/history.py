"""The project history: an append-only record of who changed what, when, with before and after."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from portal.models import HistoryEntry, Integration, Project


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
    return HistoryEntry.objects.create(
        project=project,
        integration=integration,
        actor=actor,
        action=action,
        subject=subject[:200],
        before=before,
        after=after,
    )
