"""Team work on projects: membership, decisions and approvals, comments, checklist tracking, history, milestones.

Every write records a HistoryEntry (append-only) on the project it touches. Edits of a decision or a checklist entry
carry the version the editor saw; a save based on a stale version is refused with a ConflictError that shows the
other change, so a later save never silently overwrites an earlier one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.checklist import project_checklist_sync
from portal.exports import decision_json
from portal.history import history_record
from portal.models import (
    Approval,
    Comment,
    Decision,
    DecisionStatus,
    Integration,
    Membership,
    Milestone,
    Project,
    ProjectChecklistEntry,
    Role,
    Team,
)


class ConflictError(Exception):
    """Someone else saved first. ``current`` is their version of the record, to show to the person refused."""

    def __init__(self, *, current: dict[str, Any], changed_by: str, changed_at: Any):
        super().__init__(f"Changed by {changed_by} since you opened it.")
        self.current, self.changed_by, self.changed_at = current, changed_by, changed_at


# Teams


def team_personal(user: AbstractBaseUser) -> Team:
    team = Team.objects.filter(personal_for=user).first()
    if team is None:
        team = Team.objects.create(name=f"{user.get_username()}'s team", personal_for=user)
        Membership.objects.create(team=team, user=user, role=Role.OWNER)
    return team


@transaction.atomic
def team_create(*, name: str, owner: AbstractBaseUser) -> Team:
    team = Team(name=name.strip())
    team.full_clean()
    team.save()
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    return team


def _record_on_team(team: Team, actor: AbstractBaseUser, action: str, subject: str, before: Any, after: Any) -> None:
    for project in team.projects.all():
        history_record(project=project, actor=actor, action=action, subject=subject, before=before, after=after)


@transaction.atomic
def membership_add(*, team: Team, username: str, role: str, actor: AbstractBaseUser) -> Membership:
    user = get_user_model().objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise ValidationError({"username": f"No active user “{username}”."})
    if Membership.objects.filter(team=team, user=user).exists():
        raise ValidationError({"username": f"{username} is already a member."})
    membership = Membership(team=team, user=user, role=role)
    membership.full_clean()
    membership.save()
    _record_on_team(team, actor, "member added", f"{username} joined as {role}", None, {"user": username, "role": role})
    return membership


def _owners_left(team: Team, excluding: Membership) -> int:
    """Owners other than ``excluding``; the team row is locked first, so two owners demoting each other at the same
    moment can't both succeed."""
    Team.objects.select_for_update().filter(pk=team.pk).first()
    return team.memberships.filter(role=Role.OWNER).exclude(pk=excluding.pk).count()


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor: AbstractBaseUser) -> Membership:
    membership = Membership.objects.select_for_update(of=("self",)).select_related("team", "user").get(pk=membership.pk)
    before = membership.role
    if before == Role.OWNER and role != Role.OWNER and _owners_left(membership.team, membership) == 0:
        raise ValidationError({"role": "A team always keeps at least one owner: make someone else owner first."})
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    _record_on_team(membership.team, actor, "role changed", f"{membership.user.get_username()}: {before} → {role}",
                    {"role": before}, {"role": role})  # fmt: skip
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: AbstractBaseUser) -> None:
    membership = Membership.objects.select_for_update(of=("self",)).select_related("team", "user").get(pk=membership.pk)
    if membership.role == Role.OWNER and _owners_left(membership.team, membership) == 0:
        raise ValidationError({"role": "A team always keeps at least one owner: the last owner can't be removed."})
    username = membership.user.get_username()
    membership.delete()
    _record_on_team(membership.team, actor, "member removed", f"{username} left the team",
                    {"user": username, "role": membership.role}, None)  # fmt: skip


# Decisions


def decision_state(decision: Decision) -> dict[str, Any]:
    return {
        "status": decision.status,
        "chosen_pattern": decision.chosen_pattern_slug,
        "justification": decision.justification,
        "rationale": decision.rationale,
        "consequences": decision.consequences,
        "superseded_by": decision.superseded_by.integration.name if decision.superseded_by_id else None,
        "version": decision.version,
    }


def _pattern_name(integration: Integration, slug: str) -> str | None:
    return next((o["name"] for o in integration.ranking.get("options", []) if o["pattern"] == slug), None)


@transaction.atomic
def decision_save(
    *,
    integration: Integration,
    actor: AbstractBaseUser,
    chosen_pattern_slug: str,
    rationale: str,
    consequences: str = "",
    justification: str = "",
    expected_version: int = 0,
) -> Decision:
    """Propose a decision (``expected_version`` 0: the editor saw none) or change it (the version the editor saw).
    A change is a new version: earlier approvals no longer count. A stale version is refused with a ConflictError."""
    name = _pattern_name(integration, chosen_pattern_slug)
    errors: dict[str, str] = {}
    if name is None:
        errors["chosen_pattern_slug"] = "Choose one of the ranked options of this integration."
    if chosen_pattern_slug != integration.top_pattern_slug and not justification.strip():
        errors["justification"] = (
            f"You chose something other than the top-ranked {integration.top_pattern_name}: say why."
        )
    if not rationale.strip():
        errors["rationale"] = "Explain the decision."
    if errors:
        raise ValidationError(errors)
    fields = {
        "chosen_pattern_slug": chosen_pattern_slug,
        "chosen_pattern_name": name,
        "rationale": rationale.strip(),
        "consequences": consequences.strip(),
        "justification": justification.strip(),
    }
    existing = Decision.objects.select_for_update(of=("self",)).filter(integration=integration).first()
    if existing is None:
        try:
            with transaction.atomic():
                decision = Decision.objects.create(integration=integration, proposed_by=actor, **fields)
        except IntegrityError:  # someone proposed at the same moment
            raise _decision_conflict(Decision.objects.get(integration=integration)) from None
        history_record(project=integration.project, actor=actor, action="decision proposed",
                       subject=f"{integration.name}: {name}", after=decision_state(decision))  # fmt: skip
        project_checklist_sync(project=integration.project, actor=actor)
        return decision
    if existing.status in {DecisionStatus.SUPERSEDED, DecisionStatus.DEPRECATED}:
        raise ValidationError({"status": f"A {existing.status} decision is history; it can't be edited."})
    if existing.version != expected_version:
        raise _decision_conflict(existing)
    before = decision_state(existing)
    for key, value in fields.items():
        setattr(existing, key, value)
    existing.status = DecisionStatus.PROPOSED
    existing.decided_by, existing.decided_at = None, None
    existing.version += 1
    existing.full_clean()
    existing.save()
    history_record(project=integration.project, actor=actor, action="decision changed",
                   subject=f"{integration.name}: {name}", before=before, after=decision_state(existing))  # fmt: skip
    project_checklist_sync(project=integration.project, actor=actor)
    return existing


def _decision_conflict(current: Decision) -> ConflictError:
    last = current.integration.project.history.filter(subject__startswith=current.integration.name).first()
    who = last.actor.get_username() if last and last.actor else "someone"
    return ConflictError(current=decision_state(current), changed_by=who, changed_at=current.updated_at)


def approvals_for_current_version(decision: Decision) -> int:
    """Approvals of the current version by people who are still reviewers or owners of the project's team."""
    reviewers = Membership.objects.filter(
        team__projects__integrations__decision=decision, role__in=[Role.REVIEWER, Role.OWNER]
    ).values("user_id")
    return decision.approvals.filter(decision_version=decision.version, reviewer_id__in=reviewers).count()


@transaction.atomic
def decision_approve(*, decision: Decision, reviewer: AbstractBaseUser, expected_version: int) -> Approval:
    decision = (
        Decision.objects.select_for_update(of=("self",)).select_related("integration__project").get(pk=decision.pk)
    )
    if decision.version != expected_version:
        raise _decision_conflict(decision)
    if decision.status != DecisionStatus.PROPOSED:
        raise ValidationError({"status": "Only a proposed decision can be approved."})
    if decision.proposed_by_id == reviewer.pk:
        raise ValidationError(
            {"reviewer": "You proposed this decision: another reviewer approves it (or an owner sets approvals to 0)."}
        )
    approval, created = Approval.objects.get_or_create(
        decision=decision, reviewer=reviewer, decision_version=decision.version
    )
    if created:
        subject = f"{decision.integration.name}: {decision.chosen_pattern_name} (version {decision.version})"
        history_record(
            project=decision.integration.project, actor=reviewer, action="decision approved", subject=subject
        )
    return approval


ALLOWED_TRANSITIONS = {
    DecisionStatus.PROPOSED: {DecisionStatus.ACCEPTED, DecisionStatus.REJECTED},
    DecisionStatus.REJECTED: set(),
    DecisionStatus.ACCEPTED: {DecisionStatus.SUPERSEDED, DecisionStatus.DEPRECATED},
    DecisionStatus.SUPERSEDED: set(),
    DecisionStatus.DEPRECATED: set(),
}


@transaction.atomic
def decision_transition(
    *,
    decision: Decision,
    actor: AbstractBaseUser,
    status: str,
    expected_version: int,
    superseded_by: Decision | None = None,
) -> Decision:
    decision = (
        Decision.objects.select_for_update(of=("self",)).select_related("integration__project").get(pk=decision.pk)
    )
    if decision.version != expected_version:
        raise _decision_conflict(decision)
    if status not in ALLOWED_TRANSITIONS[decision.status]:
        raise ValidationError({"status": f"A {decision.status} decision can't become {status}."})
    project = decision.integration.project
    if status == DecisionStatus.ACCEPTED:
        approvals = approvals_for_current_version(decision)
        if approvals < project.required_approvals:
            raise ValidationError(
                {"status": f"Acceptance needs {project.required_approvals} reviewer approval(s); it has {approvals}."}
            )
    if status == DecisionStatus.SUPERSEDED:
        if (
            superseded_by is None
            or superseded_by.pk == decision.pk
            or superseded_by.integration.project_id != project.pk
        ):
            raise ValidationError({"superseded_by": "Link the decision of this project that replaces it."})
        decision.superseded_by = superseded_by
    before = decision_state(decision)
    decision.status = status
    if status in {DecisionStatus.ACCEPTED, DecisionStatus.REJECTED}:
        decision.decided_by, decision.decided_at = actor, timezone.now()
    decision.version += 1
    decision.save()
    history_record(project=project, actor=actor, action=f"decision {status}",
                   subject=f"{decision.integration.name}: {decision.chosen_pattern_name}",
                   before=before, after=decision_state(decision))  # fmt: skip
    project_checklist_sync(project=project, actor=actor)
    return decision


def comment_add(*, integration: Integration, author: AbstractBaseUser, body: str) -> Comment:
    comment = Comment(integration=integration, author=author, body=body.strip())
    comment.full_clean()
    comment.save()
    history_record(project=integration.project, actor=author, action="comment added",
                   subject=f"{integration.name}: comment", after={"body": comment.body[:500]})  # fmt: skip
    return comment


# Checklist tracking

CHECKLIST_FIELDS = ("status", "not_applicable_reason", "assignee_id", "due_date", "notes", "evidence_url")


def checklist_state(entry: ProjectChecklistEntry) -> dict[str, Any]:
    return {
        "status": entry.status,
        "not_applicable_reason": entry.not_applicable_reason,
        "assignee": entry.assignee.get_username() if entry.assignee_id and entry.assignee else None,
        "due_date": entry.due_date.isoformat() if entry.due_date else None,
        "notes": entry.notes,
        "evidence_url": entry.evidence_url,
        "version": entry.version,
    }


@transaction.atomic
def checklist_entry_update(
    *,
    entry: ProjectChecklistEntry,
    actor: AbstractBaseUser,
    expected_version: int,
    status: str,
    not_applicable_reason: str = "",
    assignee: AbstractBaseUser | None = None,
    due_date: date | None = None,
    notes: str = "",
    evidence_url: str = "",
) -> ProjectChecklistEntry:
    current = (
        ProjectChecklistEntry.objects.select_for_update(of=("self",))
        .select_related("project", "assignee", "updated_by")
        .get(pk=entry.pk)
    )
    if current.version != expected_version:
        who = current.updated_by.get_username() if current.updated_by else "someone"
        raise ConflictError(current=checklist_state(current), changed_by=who, changed_at=current.updated_at)
    if assignee is not None and not current.project.team.memberships.filter(user=assignee).exists():
        raise ValidationError({"assignee": "The owner must be a member of the project's team."})
    before = checklist_state(current)
    current.status = status
    current.not_applicable_reason = not_applicable_reason.strip() if status == "not_applicable" else ""
    current.assignee, current.due_date = assignee, due_date
    current.notes, current.evidence_url = notes.strip(), evidence_url.strip()
    if status == "not_applicable" and not current.not_applicable_reason:
        raise ValidationError({"not_applicable_reason": "Say why this task doesn't apply."})
    current.full_clean()
    current.version += 1
    current.updated_by = actor
    current.save()
    history_record(project=current.project, actor=actor, action="checklist updated", subject=current.title,
                   before=before, after=checklist_state(current))  # fmt: skip
    return current


# Milestones and the project's state


def project_state(project: Project) -> dict[str, Any]:
    """Rankings, decisions and checklist state of a project as plain data (milestones, exports, comparisons)."""
    integrations = project.integrations.select_related(
        "decision__proposed_by", "decision__decided_by", "decision__superseded_by__integration"
    ).order_by("created_at", "id")
    entries = project.checklist_entries.select_related("assignee")
    return {
        "integrations": [
            {
                "id": integration.pk,
                "name": integration.name,
                "requirements": integration.requirements,
                "catalog_version": integration.catalog_version,
                "top_pattern": integration.top_pattern_slug,
                "ranking": [
                    {"pattern": o["pattern"], "name": o["name"], "rank": o["rank"], "score": o["score"]}
                    for o in integration.ranking.get("options", [])
                ],
                "decision": decision_json(integration),
            }
            for integration in integrations
        ],
        "checklist": [
            {"task": e.slug, "section": e.section_title, "title": e.title, **checklist_state(e)} for e in entries
        ],
    }


def milestone_create(*, project: Project, name: str, actor: AbstractBaseUser) -> Milestone:
    milestone = Milestone(project=project, name=name.strip(), snapshot=project_state(project), created_by=actor)
    milestone.full_clean()
    milestone.save()
    history_record(project=project, actor=actor, action="milestone saved", subject=milestone.name)
    return milestone


def compare_states(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """What changed between two project states: integrations (top pick, decision) and checklist tasks."""
    changes: dict[str, list[dict[str, Any]]] = {"integrations": [], "checklist": []}
    old = {i["id"]: i for i in before["integrations"]}
    new = {i["id"]: i for i in after["integrations"]}
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a is None:
            changes["integrations"].append({"name": b["name"], "change": "added", "before": None, "after": _brief(b)})
        elif b is None:
            changes["integrations"].append({"name": a["name"], "change": "removed", "before": _brief(a), "after": None})
        elif _brief(a) != _brief(b):
            changes["integrations"].append(
                {"name": b["name"], "change": "changed", "before": _brief(a), "after": _brief(b)}
            )
    old_tasks = {t["task"]: t for t in before["checklist"]}
    new_tasks = {t["task"] for t in after["checklist"]}
    for task in before["checklist"]:
        if task["task"] not in new_tasks:
            changes["checklist"].append(
                {"title": task["title"], "before": {"status": task.get("status")}, "after": None}
            )
    for task in after["checklist"]:
        previous = old_tasks.get(task["task"])
        fields = ("status", "assignee", "due_date", "not_applicable_reason", "evidence_url")
        if previous is None or any(previous.get(f) != task.get(f) for f in fields):
            changes["checklist"].append({
                "title": task["title"],
                "before": {f: previous.get(f) for f in fields} if previous else None,
                "after": {f: task.get(f) for f in fields},
            })  # fmt: skip
    return changes


def _brief(integration: dict[str, Any]) -> dict[str, Any]:
    decision = integration.get("decision") or {}
    return {
        "top_pattern": integration.get("top_pattern"),
        "decision": decision.get("status"),
        "chosen_pattern": decision.get("chosen_pattern"),
    }


@transaction.atomic
def project_settings_update(*, project: Project, actor: AbstractBaseUser, required_approvals: int) -> Project:
    before = project.required_approvals
    project.required_approvals = required_approvals
    project.full_clean()
    project.save(update_fields=["required_approvals", "updated_at"])
    history_record(project=project, actor=actor, action="settings changed", subject="Approvals needed to accept",
                   before={"required_approvals": before}, after={"required_approvals": required_approvals})  # fmt: skip
    return project
