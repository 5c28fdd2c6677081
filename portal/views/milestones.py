"""Milestones of a project: save one, and compare a milestone with now or two milestones with each other."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from patterns.http import SignedInRequest
from portal.access import get_project_for_user
from portal.forms import MilestoneForm
from portal.models import Capability, Milestone
from portal.records import project_state, state_changes
from portal.services.milestones import milestone_create


@login_required
@require_http_methods(["GET", "POST"])
def milestones(request: SignedInRequest, project_id: int) -> HttpResponse:
    capability = Capability.WRITE if request.method == "POST" else Capability.READ
    project = get_project_for_user(request, project_id, capability=capability)
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
def milestone_compare(request: SignedInRequest, project_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id)
    choices = {str(m.pk): m for m in project.milestones.all()}

    def state(key: str) -> tuple[str, dict[str, Any]] | None:
        if key == "current":
            return "Now", project_state(project)
        milestone: Milestone | None = choices.get(key)
        return (milestone.name, milestone.snapshot) if milestone else None

    a, b = request.GET.get("a", ""), request.GET.get("b", "current")
    before, after = state(a), state(b)
    context = {
        "project": project,
        "milestones": list(choices.values()),
        "a": a,
        "b": b,
        "before_name": before[0] if before else None,
        "after_name": after[0] if after else None,
        "changes": state_changes(before[1], after[1]) if before and after else None,
    }
    return render(request, "portal/milestone_compare.html", context)
