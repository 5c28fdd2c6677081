"""The reader's unfinished wizard drafts."""

from __future__ import annotations

from typing import Any

from patterns.catalog import published_catalog
from patterns.requirements import answer_label
from portal.models import (
    WizardDraft,
)


def open_drafts(user: Any, limit: int = 20) -> list[WizardDraft]:
    """The user's unsaved drafts, each titled by its scenario in the published catalog, or by what it is for and
    between which systems (its goal and scope in words)."""
    drafts = list(WizardDraft.objects.filter(owner=user, integration__isnull=True)[:limit])
    catalog = published_catalog()
    for draft in drafts:
        scenario = catalog.scenario(draft.scenario_slug) if draft.scenario_slug else None
        goal, scope = draft.answers.get("goal"), draft.answers.get("scope")
        draft.goal_label = answer_label("goal", goal) if goal else "No goal chosen yet"
        draft.title = (scenario.title if scenario else " · ".join(answer_label(name, value) for name, value in
                       (("goal", goal), ("scope", scope)) if value) or "A draft with no answers yet")  # fmt: skip
    return drafts
