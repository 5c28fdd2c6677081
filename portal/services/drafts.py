"""Wizard drafts: the answers so far, saved at every step, and saved once as an integration."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from patterns.requirements import Requirements
from portal.models import Environment, Integration, Project, Team, WizardDraft
from portal.services.integrations import integration_create
from portal.services.projects import project_create


def draft_create(
    *,
    owner: User,
    answers: dict[str, Any] | None = None,
    scenario_slug: str = "",
    catalog_version: str = "",
    project: Project | None = None,
) -> WizardDraft:
    draft = WizardDraft(
        owner=owner, answers=answers or {}, scenario_slug=scenario_slug, catalog_version=catalog_version,
        project=project,
    )  # fmt: skip
    draft.full_clean()
    draft.save()
    return draft


def draft_save_answers(*, draft: WizardDraft, answers: dict[str, Any], step: int | None = None) -> WizardDraft:
    """Merge answers into the draft; an answer of None removes it (unanswered)."""
    merged = {**draft.answers, **answers}
    draft.answers = {key: value for key, value in merged.items() if value is not None}
    if step is not None:
        draft.step = step
    draft.full_clean()
    draft.save(update_fields=["answers", "step", "updated_at"])
    return draft


def draft_save_as_integration(
    *,
    draft: WizardDraft,
    requirements: Requirements,
    name: str,
    project: Project | None,
    new_project_name: str = "",
    new_project_team: Team | None = None,
    source_system: str = "",
    target_system: str = "",
    environment: Environment | None = None,
    identity: str = "",
) -> Integration:
    """Save a wizard result once: a second submit of the same draft (even concurrent) returns the first result
    and creates no second project."""
    try:
        with transaction.atomic():
            locked = WizardDraft.objects.select_for_update(of=("self",)).get(pk=draft.pk)
            existing = Integration.objects.filter(source_draft=locked).first()
            if existing is not None:
                return existing
            target = project or project_create(owner=locked.owner, name=new_project_name, team=new_project_team)
            return integration_create(
                project=target,
                name=name,
                requirements=requirements,
                created_by=locked.owner,
                draft=locked,
                source_system=source_system,
                target_system=target_system,
                environment=environment if project is not None else None,
                identity=identity,
            )
    except IntegrityError:
        # Databases without row locks (SQLite) let a racing submit reach the unique source_draft constraint.
        return Integration.objects.get(source_draft=draft)
