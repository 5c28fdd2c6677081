"""Tracking one checklist task of a project: edited in place with htmx, or as a plain form without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from patterns.http import SignedInRequest
from portal.access import get_project_for_user
from portal.exceptions import ConflictError
from portal.forms import ChecklistEntryForm, add_service_errors
from portal.models import Capability, ProjectChecklistEntry
from portal.selectors.checklist import checklist_edit_base, checklist_task, project_checklist
from portal.selectors.teams import team_members
from portal.services.checklist import checklist_entry_update


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
def checklist_entry_edit(request: SignedInRequest, project_id: int, entry_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id, capability=Capability.WRITE)
    entry = get_object_or_404(ProjectChecklistEntry.objects.select_related("assignee"), pk=entry_id, project=project)
    members = team_members(project.team, capability=Capability.WRITE)
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
                if request.htmx:  # the row, and the progress bars out of band
                    today = timezone.localdate()
                    checklist = project_checklist(project, chosen="all", user=request.user, today=today)
                    context = {
                        "entry": checklist_task(checklist, entry.pk),
                        "project": project,
                        "can_write": True,
                        "today": today,
                        "edit_base": checklist_edit_base(project),
                        "checklist": checklist,
                    }
                    row = render_to_string("portal/_project_checklist.html#checklist-row", context, request=request)
                    bars = render_to_string("portal/_project_checklist.html#progress-update", context, request=request)
                    return HttpResponse(row + bars)
                return redirect(f"{reverse('projects:detail', args=[project.pk])}#task-{entry.pk}")
            except ValidationError as error:
                add_service_errors(form, error)
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
