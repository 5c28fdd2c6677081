"""Work trackers (issue 25): a team's owners connect Azure Boards or Jira Cloud; members send the project's open
checklist tasks there as work items (sending again updates them, never duplicates), and the tracker tells the portal
when a work item's state changes, which moves the task's status.

Azure Boards: ``POST {organisation}/{project}/_apis/wit/workitems/$Task`` with a JSON Patch document to create,
``PATCH …/workitems/{id}`` to update; a service hook ("Work item updated") posts to the portal's hook address.
Jira Cloud: ``POST /rest/api/3/issue`` to create, ``PUT /rest/api/3/issue/{key}`` to update; a webhook
("Issue updated") posts to the hook address. Tokens are kept encrypted and never shown, logged or exported."""

from __future__ import annotations

import base64
import secrets
from typing import Any
from urllib.parse import quote

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from portal.links import public_url
from portal.models import Project, ProjectChecklistEntry, TaskStatus, Team, TeamTracker, TrackerKind
from portal.outbound import OutboundFailed, OutboundRefused, checked_address, send_json
from portal.secrets_box import seal, unseal
from portal.selectors.checklist import task_summary
from portal.services.history import history_record, team_history_record

OPEN = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
AZURE_API = "api-version=7.1"
# A work item's state (Azure Boards' in each process, Jira's status category) as a task's status.
AZURE_STATES = {"new": TaskStatus.OPEN, "to do": TaskStatus.OPEN, "proposed": TaskStatus.OPEN,
                "active": TaskStatus.IN_PROGRESS, "committed": TaskStatus.IN_PROGRESS,
                "in progress": TaskStatus.IN_PROGRESS, "doing": TaskStatus.IN_PROGRESS, "resolved": TaskStatus.DONE,
                "closed": TaskStatus.DONE, "done": TaskStatus.DONE, "removed": TaskStatus.NOT_APPLICABLE}  # fmt: skip
JIRA_CATEGORIES = {"new": TaskStatus.OPEN, "indeterminate": TaskStatus.IN_PROGRESS, "done": TaskStatus.DONE}


@transaction.atomic
def tracker_save(*, team: Team, actor: User, kind: str, site: str, project_key: str, user: str,
                 token: str) -> TeamTracker:  # fmt: skip
    """Connect (or reconnect) the team's tracker of ``kind``; the hook secret stays when reconnecting."""
    site, project_key, user = site.strip().rstrip("/"), project_key.strip(), user.strip()
    errors = {}
    if kind not in TrackerKind.values:
        errors["kind"] = "Choose Azure Boards or Jira."
    try:
        checked_address(site)
    except OutboundRefused as refused:
        errors["site"] = str(refused)
    if not project_key:
        errors["project_key"] = "Name the project (Azure DevOps) or give its key (Jira)."
    if kind == TrackerKind.JIRA and not user:
        errors["user"] = "Jira needs the e-mail address the API token belongs to."
    if not token.strip():
        errors["token"] = "Give the personal access token (Azure DevOps) or API token (Jira)."  # noqa: S105 - a message
    if errors:
        raise ValidationError(errors)
    tracker = TeamTracker.objects.filter(team=team, kind=kind).first() or TeamTracker(
        team=team, kind=kind, hook_secret=secrets.token_urlsafe(24), created_by=actor)  # fmt: skip
    tracker.site, tracker.project_key, tracker.user = site, project_key, user
    tracker.token_encrypted, tracker.last_error = seal(token.strip()), ""
    tracker.save()
    team_history_record(team, actor, "tracker connected", f"{tracker.get_kind_display()} {project_key} at {site}",
                        None, None)  # fmt: skip
    return tracker


@transaction.atomic
def tracker_remove(*, tracker: TeamTracker, actor: User) -> None:
    team, label = tracker.team, f"{tracker.get_kind_display()} {tracker.project_key}"
    tracker.delete()
    team_history_record(team, actor, "tracker removed", label, None, None)


def hook_url(tracker: TeamTracker) -> str:
    return public_url(reverse("work_item_hook", args=[tracker.pk, tracker.hook_secret]))


def _basic(user: str, token: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()}


def _azure(tracker: TeamTracker, token: str, entry: ProjectChecklistEntry) -> tuple[str, str]:
    ops: list[dict[str, Any]] = [
        {"op": "add", "path": "/fields/System.Title", "value": entry.title[:255]},
        {"op": "add", "path": "/fields/System.Description", "value": task_summary(entry)},
        {"op": "add", "path": "/fields/System.Tags", "value": f"d365-integration-portal; {entry.section_slug}"},
    ]
    if entry.due_date:
        ops.append({"op": "add", "path": "/fields/Microsoft.VSTS.Scheduling.DueDate",
                    "value": entry.due_date.isoformat()})  # fmt: skip
    base = f"{tracker.site}/{quote(tracker.project_key)}/_apis/wit/workitems"
    updating = entry.work_item_kind == tracker.kind and entry.work_item_id
    url = f"{base}/{entry.work_item_id}?{AZURE_API}" if updating else f"{base}/$Task?{AZURE_API}"
    answer = send_json("PATCH" if updating else "POST", url, ops, headers=_basic("", token),
                       content_type="application/json-patch+json") or {}  # fmt: skip
    item_id = str(answer.get("id") or entry.work_item_id)
    html = ((answer.get("_links") or {}).get("html") or {}).get("href")
    return item_id, html or f"{tracker.site}/{quote(tracker.project_key)}/_workitems/edit/{item_id}"


def _jira(tracker: TeamTracker, token: str, entry: ProjectChecklistEntry) -> tuple[str, str]:
    text = {"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": task_summary(entry)}]}]}  # fmt: skip
    fields: dict[str, Any] = {"summary": entry.title[:255], "description": text,
                              "labels": ["d365-integration-portal", entry.section_slug]}  # fmt: skip
    if entry.due_date:
        fields["duedate"] = entry.due_date.isoformat()
    if entry.work_item_kind == tracker.kind and entry.work_item_id:
        send_json("PUT", f"{tracker.site}/rest/api/3/issue/{quote(entry.work_item_id)}", {"fields": fields},
                  headers=_basic(tracker.user, token))  # fmt: skip
        key = entry.work_item_id
    else:
        fields.update(project={"key": tracker.project_key}, issuetype={"name": "Task"})
        answer = send_json("POST", f"{tracker.site}/rest/api/3/issue", {"fields": fields},
                           headers=_basic(tracker.user, token)) or {}  # fmt: skip
        key = str(answer.get("key") or "")
        if not key:
            raise OutboundFailed("Jira created no issue key.")
    return key, f"{tracker.site}/browse/{key}"


def work_items_send(*, project: Project, tracker: TeamTracker, actor: User) -> tuple[int, int]:
    """Send each open task of the project: (created, updated). Each task's link is saved as soon as its work item
    exists, so a failure part-way loses nothing and sending again goes on without duplicates; the failure is raised
    as a ValidationError in a sentence (and kept on the tracker for the owners)."""
    token = unseal(tracker.token_encrypted)
    if token is None:
        raise ValidationError("The tracker's token can't be read any more (the secret key changed): an owner enters "
                              "it again on the team page.")  # fmt: skip
    created = updated = 0
    send = _azure if tracker.kind == TrackerKind.AZURE_BOARDS else _jira
    try:
        for entry in project.checklist_entries.filter(status__in=OPEN).order_by("section_position", "position"):
            again = entry.work_item_kind == tracker.kind and bool(entry.work_item_id)
            item_id, url = send(tracker, token, entry)
            ProjectChecklistEntry.objects.filter(pk=entry.pk).update(
                work_item_kind=tracker.kind, work_item_id=item_id, work_item_url=url)  # fmt: skip
            updated, created = updated + again, created + (not again)
    except (OutboundFailed, OutboundRefused) as error:
        TeamTracker.objects.filter(pk=tracker.pk).update(last_error=str(error)[:300])
        raise ValidationError(f"{tracker.get_kind_display()}: {error}") from None
    finally:
        if created or updated:
            history_record(project=project, actor=actor, action="tasks sent",
                           subject=f"{created} created, {updated} updated in {tracker.get_kind_display()}")  # fmt: skip
    TeamTracker.objects.filter(pk=tracker.pk).update(last_error="")
    return created, updated


def _state_change(tracker: TeamTracker, payload: Any) -> tuple[str, str, str] | None:
    """(work item id or key, the task status it means, the state's name) from a tracker's hook, or None."""
    if not isinstance(payload, dict):
        return None
    if tracker.kind == TrackerKind.AZURE_BOARDS:
        resource = payload.get("resource") if payload.get("eventType", "").startswith("workitem.") else None
        if not isinstance(resource, dict):
            return None
        item = resource.get("workItemId") or resource.get("id")
        state = ((resource.get("fields") or {}).get("System.State") or {}).get("newValue") or (
            (resource.get("revision") or {}).get("fields") or {}).get("System.State")  # fmt: skip
        status = AZURE_STATES.get(str(state or "").lower())
        return (str(item), status, str(state)) if item and status else None
    issue = payload.get("issue") if str(payload.get("webhookEvent", "")).startswith("jira:issue_") else None
    if not isinstance(issue, dict):
        return None
    status_field = (issue.get("fields") or {}).get("status") or {}
    status = JIRA_CATEGORIES.get(str((status_field.get("statusCategory") or {}).get("key", "")))
    return (str(issue.get("key")), status, str(status_field.get("name", ""))) if issue.get("key") and status else None


@transaction.atomic
def work_item_changed(*, tracker: TeamTracker, payload: Any) -> int:
    """A tracker's hook: the tasks of the team linked to that work item take the status its state means (recorded in
    the project's history as coming from the tracker). How many changed."""
    change = _state_change(tracker, payload)
    if change is None:
        return 0
    item, status, state = change
    changed = 0
    linked = ProjectChecklistEntry.objects.select_for_update().select_related("project")
    entries = linked.filter(project__team=tracker.team, work_item_kind=tracker.kind, work_item_id=item)
    for entry in entries:
        if entry.status == status:
            continue
        reason = f"{state} in {tracker.get_kind_display()}" if status == TaskStatus.NOT_APPLICABLE else ""
        before = {"status": entry.status}
        moved = {"status": status, "not_applicable_reason": reason, "updated_at": timezone.now()}
        ProjectChecklistEntry.objects.filter(pk=entry.pk).update(version=F("version") + 1, **moved)
        history_record(project=entry.project, actor=None, action="task status from tracker",
                       subject=f"{entry.title}: {state} in {tracker.get_kind_display()}", before=before,
                       after={"status": status})  # fmt: skip
        changed += 1
    return changed
