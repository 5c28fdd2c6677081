"""A project's own copy of the Solution by Design checklist: tracking each task, and the conditional tasks that
join or leave as the project's integrations and decisions change (tasks that stay keep their status)."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from patterns.catalog import published_checklist
from patterns.requirements import Requirements
from portal.exceptions import ConflictError
from portal.models import Capability, Integration, Project, ProjectChecklistEntry, TaskStatus, roles_that_can
from portal.records import checklist_tracking, integration_decision
from portal.selectors.environments import shared_verdicts
from portal.services.history import history_record
from portal.services.notifications import notify_task_assigned


def checklist_entry_from_content(
    project: Project, section_position: int, section: dict[str, Any], position: int, item: dict[str, Any]
) -> ProjectChecklistEntry:
    return ProjectChecklistEntry(
        project=project,
        section_slug=section["slug"],
        section_title=section["title"],
        section_position=section_position,
        slug=item["slug"],
        title=item["title"],
        guidance=item["guidance"],
        position=position,
        condition=item.get("when", {}),
    )


def checklist_copy(project: Project) -> None:
    """A new project's copy of the published checklist: every task without a condition."""
    entries = [
        checklist_entry_from_content(project, section_position, section, position, item)
        for section_position, section in enumerate(published_checklist())
        for position, item in enumerate(section["items"])
        if not item.get("when")  # conditional tasks join when an integration meets their condition
    ]
    ProjectChecklistEntry.objects.bulk_create(entries)


class _Facts(NamedTuple):
    """What a conditional task asks of one integration: its answers, the pattern it relies on (the decision's
    choice, else its first pick) and that option's capacity verdict."""

    answers: dict[str, Any]
    pattern: str
    verdict: str | None


def _facts(project: Project) -> list[_Facts]:
    """Every integration's facts without reading whole rankings: the first option's verdict is kept beside it; only
    an integration whose decision chose another option has its ranking read (one query)."""
    rows = list(Integration.objects.filter(project=project).select_related("decision").defer("ranking"))
    relied = {i.pk: (decision.chosen_pattern_slug if (decision := integration_decision(i)) else "") or
              i.top_pattern_slug for i in rows}  # fmt: skip
    others = [i.pk for i in rows if relied[i.pk] != i.top_pattern_slug]
    verdicts: dict[int, str | None] = {}
    for pk, ranking in Integration.objects.filter(pk__in=others).values_list("pk", "ranking") if others else ():
        saved = next((o for o in ranking.get("options", []) if o["pattern"] == relied[pk]), None)
        verdicts[pk] = ((saved or {}).get("capacity") or {}).get("verdict")
    return [
        _Facts(Requirements.from_mapping(i.requirements).answers(), relied[i.pk],
               verdicts.get(i.pk, i.top_capacity_verdict or None))
        for i in rows
    ]  # fmt: skip


def _meets(facts: _Facts, condition: dict[str, Any]) -> bool:
    """Whether one integration meets a conditional task's condition: its answers, the pattern it relies on, and/or
    that option's capacity verdict for its numbers."""
    for question, values in condition.get("answers", {}).items():
        if facts.answers.get(question) not in values:
            return False
    if condition.get("patterns") and facts.pattern not in condition["patterns"]:
        return False
    return not condition.get("capacity") or facts.verdict in condition["capacity"]


@transaction.atomic
def project_checklist_sync(*, project: Project, actor: User | None) -> None:
    """Add the conditional tasks that an integration of the project now meets; drop those none meets any more.
    Tasks that stay keep their status, owner, dates and notes."""
    integrations = _facts(project)
    existing = {entry.slug: entry for entry in project.checklist_entries.select_related("assignee")}
    shared: list[set[str]] = []  # the shared checks' verdicts, worked out once and only when a condition asks

    def matches(condition: dict[str, Any]) -> bool:
        if "shared_capacity" in condition:
            if not shared:
                shared.append(shared_verdicts(project))
            return bool(shared[0] & set(condition["shared_capacity"]))
        return any(_meets(i, condition) for i in integrations)

    for entry in existing.values():
        if entry.condition and not matches(entry.condition):
            state = checklist_tracking(entry)
            entry.delete()
            # The work done on it stays readable in the history.
            history_record(project=project, actor=actor, action="checklist task removed", subject=entry.title,
                           before=state, after=None)  # fmt: skip
    for section_position, section in enumerate(published_checklist()):
        for position, item in enumerate(section["items"]):
            condition = item.get("when")
            if not condition or item["slug"] in existing:
                continue
            if matches(condition):
                entry = checklist_entry_from_content(project, section_position, section, position, item)
                entry.save()
                history_record(project=project, actor=actor, action="checklist task added", subject=entry.title,
                               after={"condition": condition})  # fmt: skip


@transaction.atomic
def checklist_entry_update(
    *,
    entry: ProjectChecklistEntry,
    actor: User,
    expected_version: int,
    status: str,
    not_applicable_reason: str = "",
    assignee: User | None = None,
    due_date: date | None = None,
    notes: str = "",
    evidence_url: str = "",
) -> ProjectChecklistEntry:
    """Change one task. Based on a stale version, it is refused with a ConflictError that shows the other change."""
    current = (
        ProjectChecklistEntry.objects.select_for_update(of=("self",))
        .select_related("project", "assignee", "updated_by")
        .get(pk=entry.pk)
    )
    if current.version != expected_version:
        who = current.updated_by.get_username() if current.updated_by else "someone"
        raise ConflictError(current=checklist_tracking(current), changed_by=who, changed_at=current.updated_at)
    if (
        assignee is not None
        and not current.project.team.memberships.filter(
            user=assignee, role__in=roles_that_can(Capability.WRITE)
        ).exists()
    ):
        raise ValidationError({"assignee": "The owner must be a member of the project's team who can edit."})
    assignee_before = current.assignee_id
    before = checklist_tracking(current)
    not_applicable = status == TaskStatus.NOT_APPLICABLE
    current.status = status
    current.not_applicable_reason = not_applicable_reason.strip() if not_applicable else ""
    current.assignee, current.due_date = assignee, due_date
    current.notes, current.evidence_url = notes.strip(), evidence_url.strip()
    if not_applicable and not current.not_applicable_reason:
        raise ValidationError({"not_applicable_reason": "Say why this task doesn't apply."})
    current.full_clean()
    current.version += 1
    current.updated_by = actor
    current.save()
    history_record(project=current.project, actor=actor, action="checklist updated", subject=current.title,
                   before=before, after=checklist_tracking(current))  # fmt: skip
    if current.assignee_id != assignee_before:
        notify_task_assigned(entry=current, actor=actor)
    return current
