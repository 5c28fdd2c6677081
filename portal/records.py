"""One plain shape per record: a decision, a checklist entry, an integration, a project's state and the whole
project. History entries, exports, milestones, conflicts and the API all use these, so a record reads the same
everywhere. Plain data only (JSON-ready); no writes, no formats.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from patterns.ranking.records import RankingRecord
from portal.models import Decision, HistoryEntry, Integration, Milestone, Project, ProjectChecklistEntry
from portal.selectors.environments import environment_checks

SCHEMA = "d365-integration-portal/project/v1"


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def decision_record(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "status": decision.status,
        "chosen_pattern": decision.chosen_pattern_slug,
        "chosen_pattern_name": decision.chosen_pattern_name,
        "rationale": decision.rationale,
        "consequences": decision.consequences,
        "justification": decision.justification,
        "proposed_by": _username(decision.proposed_by),
        "decided_by": _username(decision.decided_by) if decision.decided_by_id else None,
        "decided_at": decision.decided_at.isoformat() if decision.decided_at else None,
        "superseded_by": decision.superseded_by.integration.name if decision.superseded_by else None,
        "status_changed_by": _username(decision.status_changed_by) if decision.status_changed_by_id else None,
        "status_reason": decision.status_reason,
        "version": decision.version,
    }


def integration_decision(integration: Integration) -> Decision | None:
    """The integration's decision, or None (without a query when it was fetched with select_related)."""
    try:
        return integration.decision
    except Decision.DoesNotExist:
        return None


def checklist_record(entry: ProjectChecklistEntry) -> dict[str, Any]:
    return {
        "section": entry.section_title,
        "task": entry.slug,
        "title": entry.title,
        "guidance": entry.guidance,
        "status": entry.status,
        "not_applicable_reason": entry.not_applicable_reason,
        "assignee": _username(entry.assignee) if entry.assignee_id else None,
        "due_date": entry.due_date.isoformat() if entry.due_date else None,
        "notes": entry.notes,
        "evidence_url": entry.evidence_url,
        "condition": entry.condition or None,
        "version": entry.version,
    }


# What a checklist change shows in the history and in comparisons (guidance and condition are the catalog's).
TRACKED_CHECKLIST_FIELDS = ("status", "not_applicable_reason", "assignee", "due_date", "notes", "evidence_url")


def checklist_tracking(entry: ProjectChecklistEntry) -> dict[str, Any]:
    record = checklist_record(entry)
    return {key: record[key] for key in (*TRACKED_CHECKLIST_FIELDS, "version")}


def integration_record(integration: Integration, *, full: bool) -> dict[str, Any]:
    """An integration with its decision. ``full``: the whole saved ranking and the discussion (exports, API);
    otherwise the ranked options in brief (milestones)."""
    ranking = integration.ranking
    record: dict[str, Any] = {
        "id": integration.pk,
        "name": integration.name,
        "source_system": integration.source_system or None,
        "target_system": integration.target_system or None,
        "requirements": integration.requirements,
        "catalog_version": integration.catalog_version,
        "ranked_at": integration.ranked_at.isoformat(),
        "top_pattern": integration.top_pattern_slug or None,
        "top_pattern_name": integration.top_pattern_name or None,
        "environment": integration.environment.name if integration.environment else None,
        "identity": integration.identity or None,
    }
    if full:  # read through the one ranking shape, so rankings saved before a field existed come out complete
        record["ranking"] = RankingRecord.from_json(ranking).to_json()
    else:
        record["ranking"] = [
            {"pattern": o["pattern"], "name": o["name"], "rank": o["rank"], "score": o["score"]}
            for o in ranking.get("options", [])
        ]
    record["decision"] = decision_record(integration_decision(integration))
    if full:
        record["comments"] = [
            {"author": _username(c.author), "created_at": c.created_at.isoformat(), "body": c.body}
            for c in integration.comments.all()
        ]
        decision = integration_decision(integration)
        record["approvals"] = [
            {"reviewer": _username(a.reviewer), "decision_version": a.decision_version,
             "created_at": a.created_at.isoformat()}
            for a in (decision.approvals.all() if decision is not None else ())
        ]  # fmt: skip
    return record


def project_state(project: Project) -> dict[str, Any]:
    """Rankings in brief, decisions and checklist of a project: what a milestone keeps and comparisons read."""
    integrations = project.integrations.select_related(
        "environment", "decision__proposed_by", "decision__decided_by", "decision__superseded_by__integration"
    ).order_by("created_at", "id")
    return {
        "integrations": [integration_record(i, full=False) for i in integrations],
        "checklist": [checklist_record(e) for e in project.checklist_entries.select_related("assignee")],
    }


def milestone_record(milestone: Milestone) -> dict[str, Any]:
    return {
        "name": milestone.name,
        "created_at": milestone.created_at.isoformat(),
        "created_by": _username(milestone.created_by),
        "state": milestone.snapshot,  # what the milestone keeps, so an import can compare with it again
    }


def history_entry_record(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "created_at": entry.created_at.isoformat(),
        "actor": _username(entry.actor) if entry.actor_id else None,
        "action": entry.action,
        "subject": entry.subject,
        "integration": entry.integration.name if entry.integration is not None else None,
        "before": entry.before,
        "after": entry.after,
    }


def _environments_record(project: Project) -> dict[str, Any]:
    """The project's environments, each with its shared-limit check, and the tenant's check."""
    checks, tenant = environment_checks(project.environments.all(), list(project.integrations.all()))
    return {
        "environments": [
            {"name": c.environment.name, "kind": c.environment.kind, "production": c.environment.production,
             "integrations": len(c.integrations), "capacity": c.to_json()}
            for c in checks
            if c.environment is not None
        ],
        "tenant_capacity": tenant.to_json(),
    }  # fmt: skip


def project_record(project: Project) -> dict[str, Any]:
    """The whole project, schema ``d365-integration-portal/project/v1`` (the JSON export and the API).
    Read it from ``selectors.project_for_export`` so the queries stay fixed."""
    return {
        "schema": SCHEMA,
        "exported_at": timezone.now().isoformat(),
        "id": project.pk,
        "name": project.name,
        "description": project.description,
        "team": project.team.name,
        "owner": _username(project.owner),
        "created_at": project.created_at.isoformat(),
        "updated_at": project.updated_at.isoformat(),
        "required_approvals": project.required_approvals,
        "integrations": [integration_record(i, full=True) for i in project.integrations.all()],
        **_environments_record(project),
        "checklist": [checklist_record(e) for e in project.checklist_entries.all()],
        "milestones": [milestone_record(m) for m in project.milestones.all()],
        "history": [history_entry_record(e) for e in project.history.all()],  # oldest first (project_for_export)
    }


def state_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """What changed between two project states: integrations (top pick, decision) and checklist tasks."""
    changes: dict[str, list[dict[str, Any]]] = {"integrations": [], "checklist": []}
    old = {i["id"]: i for i in before["integrations"]}
    new = {i["id"]: i for i in after["integrations"]}
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a is None and b is not None:
            changes["integrations"].append({"name": b["name"], "change": "added", "before": None, "after": _brief(b)})
        elif b is None and a is not None:
            changes["integrations"].append({"name": a["name"], "change": "removed", "before": _brief(a), "after": None})
        elif a is not None and b is not None and _brief(a) != _brief(b):
            changes["integrations"].append(
                {"name": b["name"], "change": "changed", "before": _brief(a), "after": _brief(b)}
            )
    old_tasks = {t["task"]: t for t in before["checklist"]}
    new_tasks = {t["task"] for t in after["checklist"]}
    compared = ("status", "assignee", "due_date", "not_applicable_reason", "evidence_url")
    for task in before["checklist"]:
        if task["task"] not in new_tasks:
            changes["checklist"].append(
                {"title": task["title"], "before": {"status": task.get("status")}, "after": None}
            )
    for task in after["checklist"]:
        previous = old_tasks.get(task["task"])
        if previous is None or any(previous.get(f) != task.get(f) for f in compared):
            changes["checklist"].append({
                "title": task["title"],
                "before": {f: previous.get(f) for f in compared} if previous else None,
                "after": {f: task.get(f) for f in compared},
            })  # fmt: skip
    return changes


def _brief(integration: dict[str, Any]) -> dict[str, Any]:
    decision = integration.get("decision") or {}
    return {
        "top_pattern": integration.get("top_pattern") or None,
        "decision": decision.get("status"),
        "chosen_pattern": decision.get("chosen_pattern"),
    }
