"""Team work on a project: decisions and approvals, comments, checklist tracking, history, milestones, settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patterns.parsing import whole_number
from portal.access import get_integration_for_user, get_project_for_user
from portal.forms import ChecklistEntryForm, CommentForm, DecisionForm, MilestoneForm, SettingsForm
from portal.models import CAPABILITIES, Decision, Milestone, ProjectChecklistEntry
from portal.services import integration_keep_ranking, integration_new_ranking, integration_rerank
from portal.team_services import (
    ConflictError,
    approvals_for_current_version,
    checklist_entry_update,
    comment_add,
    compare_states,
    decision_approve,
    decision_save,
    decision_transition,
    milestone_create,
    project_settings_update,
    project_state,
)


def _add_errors(form: Any, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def integration_context(request: HttpRequest, integration: Any, **extra: Any) -> dict[str, Any]:
    decision = (
        Decision.objects.filter(integration=integration)
        .select_related("proposed_by", "decided_by", "superseded_by__integration")
        .first()
    )
    role = integration.project.role
    others = Decision.objects.filter(integration__project=integration.project).exclude(integration=integration)
    context = {
        "integration": integration,
        "project": integration.project,
        "decision": decision,
        "approvals": decision.approvals.select_related("reviewer").filter(decision_version=decision.version)
        if decision
        else [],
        "approval_count": approvals_for_current_version(decision) if decision else 0,
        "can_write": "write" in CAPABILITIES[role],
        "can_review": "review" in CAPABILITIES[role],
        "comments": integration.comments.select_related("author"),
        "comment_form": CommentForm(),
        "other_decisions": others.select_related("integration"),
        "decision_form": DecisionForm(
            options=integration.ranking.get("options", []),
            initial={
                "version": decision.version if decision else 0,
                "chosen_pattern_slug": decision.chosen_pattern_slug if decision else integration.top_pattern_slug,
                "rationale": decision.rationale if decision else "",
                "consequences": decision.consequences if decision else "",
                "justification": decision.justification if decision else "",
            },
        ),
        "conflict": None,
    }
    context.update(extra)
    return context


@login_required
@require_POST
def decision_save_view(request: HttpRequest, project_id: int, integration_id: int) -> HttpResponse:
    integration = get_integration_for_user(request, project_id, integration_id, capability="write")
    form = DecisionForm(request.POST, options=integration.ranking.get("options", []))
    conflict = None
    if form.is_valid():
        try:
            decision_save(
                integration=integration,
                actor=request.user,
                chosen_pattern_slug=form.cleaned_data["chosen_pattern_slug"],
                rationale=form.cleaned_data["rationale"],
                consequences=form.cleaned_data["consequences"],
                justification=form.cleaned_data["justification"],
                expected_version=form.cleaned_data["version"],
            )
            messages.success(request, "Decision saved. Approvals start again for this version.")
            return redirect("projects:integration", project_id, integration_id)
        except ValidationError as error:
            _add_errors(form, error)
        except ConflictError as error:
            conflict = error
    status = 409 if conflict else 400
    context = integration_context(request, integration, decision_form=form, conflict=conflict)
    return render(request, "portal/integration_detail.html", context, status=status)


@login_required
@require_POST
def decision_approve_view(request: HttpRequest, project_id: int, integration_id: int) -> HttpResponse:
    integration = get_integration_for_user(request, project_id, integration_id, capability="review")
    decision = get_object_or_404(Decision, integration=integration)
    try:
        decision_approve(decision=decision, reviewer=request.user, expected_version=_version(request))
        messages.success(request, "Approved.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ConflictError as error:
        messages.error(request, f"Not approved: {error} It now reads: {error.current['chosen_pattern']}.")
    return redirect("projects:integration", project_id, integration_id)


@login_required
@require_POST
def decision_status_view(request: HttpRequest, project_id: int, integration_id: int) -> HttpResponse:
    integration = get_integration_for_user(request, project_id, integration_id, capability="review")
    decision = get_object_or_404(Decision, integration=integration)
    replacement = None
    if replacement_id := request.POST.get("superseded_by"):
        replacement = Decision.objects.filter(
            pk=whole_number(replacement_id, default=0), integration__project_id=project_id
        ).first()
    try:
        decision = decision_transition(
            decision=decision,
            actor=request.user,
            status=request.POST.get("status", ""),
            expected_version=_version(request),
            superseded_by=replacement,
        )
        messages.success(request, f"Decision is now {decision.get_status_display().lower()}.")
    except (ValidationError, KeyError) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else "Unknown status."
        messages.error(request, text)
    except ConflictError as error:
        messages.error(request, f"Not changed: {error}")
    return redirect("projects:integration", project_id, integration_id)


def _version(request: HttpRequest) -> int:
    return whole_number(request.POST.get("version", ""))


@login_required
@require_POST
def comment_add_view(request: HttpRequest, project_id: int, integration_id: int) -> HttpResponse:
    integration = get_integration_for_user(request, project_id, integration_id, capability="write")
    form = CommentForm(request.POST)
    if not form.is_valid():
        context = integration_context(request, integration, comment_form=form)
        return render(request, "portal/integration_detail.html", context, status=400)
    comment_add(integration=integration, author=request.user, body=form.cleaned_data["body"])
    return redirect(f"{request.path.rsplit('/comments/', 1)[0]}/#comments")


# Checklist tracking


def _members(project: Any) -> list[Any]:
    return [m.user for m in project.team.memberships.select_related("user").order_by("user__username")]


def _entry_form(entry: ProjectChecklistEntry, members: list[Any], data: Any = None) -> ChecklistEntryForm:
    return ChecklistEntryForm(
        data,
        members=members,
        initial={
            "version": entry.version,
            "status": entry.status,
            "not_applicable_reason": entry.not_applicable_reason,
            "assignee": str(entry.assignee_id or ""),
            "due_date": entry.due_date,
            "notes": entry.notes,
            "evidence_url": entry.evidence_url,
        },
        prefix=f"entry-{entry.pk}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def checklist_entry_edit(request: HttpRequest, project_id: int, entry_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id, capability="write")
    entry = get_object_or_404(ProjectChecklistEntry.objects.select_related("assignee"), pk=entry_id, project=project)
    members = _members(project)
    conflict = None
    if request.method == "POST":
        form = _entry_form(entry, members, request.POST)
        if form.is_valid():
            try:
                entry = checklist_entry_update(
                    entry=entry,
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                    status=form.cleaned_data["status"],
                    not_applicable_reason=form.cleaned_data["not_applicable_reason"],
                    assignee=form.chosen_assignee(),
                    due_date=form.cleaned_data["due_date"],
                    notes=form.cleaned_data["notes"],
                    evidence_url=form.cleaned_data["evidence_url"],
                )
                if request.htmx:
                    context = {"entry": entry, "project": project, "can_write": True, "today": timezone.localdate()}
                    return render(request, "portal/project_detail.html#checklist-row", context)
                return redirect(f"/projects/{project.pk}/#task-{entry.pk}")
            except ValidationError as error:
                _add_errors(form, error)
            except ConflictError as error:
                conflict = error
                entry.refresh_from_db()
                form = _entry_form(entry, members)  # the fresh version; their change is shown above it
    else:
        form = _entry_form(entry, members)
    context = {"entry": entry, "project": project, "form": form, "conflict": conflict}
    template = "portal/checklist_entry_form.html"
    if request.htmx:
        template += "#entry-form"
    status = 409 if conflict else (400 if request.method == "POST" else 200)
    return render(request, template, context, status=status)


# History, milestones, settings


@login_required
@require_GET
def history(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id)
    entries = project.history.select_related("actor")[:500]
    return render(request, "portal/history.html", {"project": project, "entries": entries})


@login_required
@require_http_methods(["GET", "POST"])
def milestones(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id, capability="write" if request.method == "POST" else "read")
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        milestone = milestone_create(project=project, name=form.cleaned_data["name"], actor=request.user)
        messages.success(request, f"Milestone “{milestone.name}” saved.")
        return redirect("projects:milestones", project.pk)
    items = project.milestones.select_related("created_by")
    context = {"project": project, "form": form, "milestones": items}
    return render(request, "portal/milestones.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def milestone_compare(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id)
    choices = {str(m.pk): m for m in project.milestones.all()}

    def state(key: str) -> tuple[str, dict[str, Any]] | None:
        if key == "current":
            return "Now", project_state(project)
        milestone: Milestone | None = choices.get(key)
        return (milestone.name, milestone.snapshot) if milestone else None

    before = state(request.GET.get("a", ""))
    after = state(request.GET.get("b", "current"))
    changes = compare_states(before[1], after[1]) if before and after else None
    context = {
        "project": project,
        "milestones": list(choices.values()),
        "a": request.GET.get("a", ""),
        "b": request.GET.get("b", "current"),
        "before_name": before[0] if before else None,
        "after_name": after[0] if after else None,
        "changes": changes,
    }
    return render(request, "portal/milestone_compare.html", context)


@login_required
@require_POST
def project_settings(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id, capability="manage")
    form = SettingsForm(request.POST)
    if form.is_valid():
        project_settings_update(
            project=project, actor=request.user, required_approvals=form.cleaned_data["required_approvals"]
        )
        messages.success(request, "Settings saved.")
    else:
        messages.error(request, "Approvals needed must be a whole number from 0 to 10.")
    return redirect("projects:detail", project.pk)


@login_required
@require_http_methods(["GET", "POST"])
def rerank(request: HttpRequest, project_id: int, integration_id: int) -> HttpResponse:
    """Saved ranking and the current catalog's ranking side by side; adopt the new one or keep the saved one."""
    capability = "write" if request.method == "POST" else "read"
    integration = get_integration_for_user(request, project_id, integration_id, capability=capability)
    if request.method == "POST":
        if request.POST.get("action") == "adopt":
            integration_rerank(integration=integration, actor=request.user)
            messages.success(request, "The new ranking is saved; the change is in the project's history.")
        else:
            integration_keep_ranking(integration=integration, actor=request.user)
            messages.success(request, "Kept the saved ranking.")
        return redirect("projects:integration", project_id, integration_id)
    new = integration_new_ranking(integration)
    saved_ranks = {o["pattern"]: o for o in integration.ranking.get("options", [])}
    rows = []
    for option in new["options"]:
        before = saved_ranks.get(option["pattern"])
        rows.append({"new": option, "saved": before, "move": (before["rank"] - option["rank"]) if before else None})
    context = {
        "integration": integration,
        "project": integration.project,
        "new": new,
        "rows": rows,
        "same": new["catalog_version"] == integration.catalog_version,
        "can_write": "write" in CAPABILITIES[integration.role],
        "saved_top": integration.ranking.get("options", [None])[0] if integration.ranking.get("options") else None,
        "new_top": new["options"][0] if new["options"] else None,
    }
    return render(request, "portal/rerank.html", context)
