"""The reader's unfinished wizard drafts."""

from __future__ import annotations

from typing import Any

from patterns.catalog import published_catalog
from portal.models import (
    WizardDraft,
)


def open_drafts(user: Any, limit: int = 20) -> list[WizardDraft]:
    """The user's unsaved drafts, each titled by its scenario in the published catalog (or "Draft N")."""
    drafts = list(WizardDraft.objects.filter(owner=user, integration__isnull=True)[:limit])
    catalog = published_catalog()
    for draft in drafts:
        scenario = catalog.scenario(draft.scenario_slug) if draft.scenario_slug else None
        draft.title = scenario.title if scenario else f"Draft {draft.pk}"
    return drafts
