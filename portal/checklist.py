"""Conditional checklist tasks: a project gains a curated task when one of its integrations meets the task's
condition, and loses it when none does; the tasks that stay keep their status."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from patterns.requirements import Requirements
from patterns.versions import cached_for_latest_version, catalog_export
from portal.history import history_record
from portal.models import Integration, Project, ProjectChecklistEntry


def published_checklist() -> list[dict[str, Any]]:
    """The checklist of the latest published catalog version (or of the draft before any publishing)."""
    checklist = cached_for_latest_version("checklist", lambda content, label: content["checklist"])
    return checklist if checklist is not None else catalog_export()["checklist"]


def checklist_entry_from_content(
    project: Project, section_position: int, section: dict[str, Any], item: dict[str, Any]
) -> ProjectChecklistEntry:
    return ProjectChecklistEntry(
        project=project,
        section_slug=section["slug"],
        section_title=section["title"],
        section_position=section_position,
        slug=item["slug"],
        title=item["title"],
        guidance=item["guidance"],
        position=section["items"].index(item),
        condition=item.get("when", {}),
    )


def integration_matches(integration: Integration, condition: dict[str, Any]) -> bool:
    """Whether one integration meets a conditional task's condition (answers and/or its chosen or top pattern)."""
    answers = Requirements.from_mapping(integration.requirements).answers()
    for question, values in condition.get("answers", {}).items():
        if answers.get(question) not in values:
            return False
    if condition.get("patterns"):
        decision = getattr(integration, "decision", None)
        pattern = decision.chosen_pattern_slug if decision else integration.top_pattern_slug
        if pattern not in condition["patterns"]:
            return False
    return True


@transaction.atomic
def project_checklist_sync(*, project: Project, actor: AbstractBaseUser | None) -> None:
    """Add the conditional tasks that an integration of the project now meets; drop those none meets any more.
    Tasks that stay keep their status, owner, dates and notes."""
    integrations = list(Integration.objects.filter(project=project).select_related("decision"))
    existing = {entry.slug: entry for entry in project.checklist_entries.select_related("assignee")}
    for entry in existing.values():
        if entry.condition and not any(integration_matches(i, entry.condition) for i in integrations):
            state = {
                "status": entry.status, "not_applicable_reason": entry.not_applicable_reason,
                "assignee": entry.assignee.get_username() if entry.assignee else None,
                "due_date": entry.due_date.isoformat() if entry.due_date else None,
                "notes": entry.notes, "evidence_url": entry.evidence_url,
            }  # fmt: skip
            entry.delete()
            history_record(project=project, actor=actor, action="checklist task removed", subject=entry.title,
                           before=state, after=None)  # the work done on it stays readable in the history  # fmt: skip
    for position, section in enumerate(published_checklist()):
        for item in section["items"]:
            condition = item.get("when")
            if not condition or item["slug"] in existing:
                continue
            if any(integration_matches(i, condition) for i in integrations):
                entry = checklist_entry_from_content(project, position, section, item)
                entry.save()
                history_record(project=project, actor=actor, action="checklist task added", subject=entry.title,
                               after={"condition": condition})  # fmt: skip
