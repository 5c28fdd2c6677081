"""Work trackers: owners connect Azure Boards or Jira on the team page; members send a project's open tasks from a
confirmation page; the tracker's hook (no session: its address carries a secret) moves tasks' statuses."""

from __future__ import annotations

import hmac
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patterns.http import SignedInRequest
from portal.access import get_project_for_user, get_team_for_user
from portal.forms import TrackerForm, form_problems
from portal.models import Capability, TaskStatus, TeamTracker, can
from portal.services.trackers import tracker_remove, tracker_save, work_item_changed, work_items_send


@login_required
@require_POST
def tracker_save_view(request: SignedInRequest, team_id: int) -> HttpResponse:
    team = get_team_for_user(request, team_id, capability=Capability.MANAGE)
    form = TrackerForm(request.POST)
    if form.is_valid():
        try:
            tracker = tracker_save(team=team, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, "Tracker not connected: " + " ".join(error.messages))
        else:
            messages.success(request, f"Connected {tracker.get_kind_display()} ({tracker.project_key}). Add its hook "
                             "address (below) to the tracker so changes come back.")  # fmt: skip
    else:
        messages.error(request, f"Tracker not connected: {form_problems(form)}")
    return redirect(f"{reverse('teams:connections', args=[team_id])}#trackers")


@login_required
@require_POST
def tracker_remove_view(request: SignedInRequest, team_id: int, tracker_id: int) -> HttpResponse:
    team = get_team_for_user(request, team_id, capability=Capability.MANAGE)
    tracker_remove(tracker=get_object_or_404(TeamTracker, pk=tracker_id, team=team), actor=request.user)
    messages.success(request, "Tracker removed; the links on tasks stay.")
    return redirect(f"{reverse('teams:connections', args=[team_id])}#trackers")


@login_required
@require_GET
def work_items_send_index(request: SignedInRequest, project_id: int) -> HttpResponse:
    """The team's trackers to send the project's open tasks to (or how an owner connects one)."""
    project = get_project_for_user(request, project_id)
    trackers = list(TeamTracker.objects.filter(team_id=project.team_id).order_by("kind"))
    if len(trackers) == 1:
        return redirect("projects:send", project.pk, trackers[0].kind)
    context = {"project": project, "trackers": trackers, "can_manage": can(project.role, Capability.MANAGE)}
    return render(request, "portal/work_items_index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def work_items_send_view(request: SignedInRequest, project_id: int, kind: str) -> HttpResponse:
    """What would be sent (GET), and sending it (POST, for members who edit)."""
    capability = Capability.WRITE if request.method == "POST" else Capability.READ
    project = get_project_for_user(request, project_id, capability=capability)
    tracker = TeamTracker.objects.filter(team_id=project.team_id, kind=kind).first()
    if tracker is None:
        raise Http404("The team has no such tracker.")
    if request.method == "POST":
        try:
            created, updated = work_items_send(project=project, tracker=tracker, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages) + " Tasks sent before it keep their links; send again "
                           "to go on.")  # fmt: skip
            return redirect("projects:send", project.pk, kind)
        messages.success(request, f"{tracker.get_kind_display()}: {created} work item{'s' if created != 1 else ''} "
                         f"created, {updated} updated.")  # fmt: skip
        return redirect("projects:detail", project.pk)
    tasks = project.checklist_entries.filter(status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS])
    context = {"project": project, "tracker": tracker, "tasks": tasks, "can_write": can(project.role, Capability.WRITE)}
    return render(request, "portal/work_items_send.html", context)


@csrf_exempt
@require_POST
def work_item_hook(request: HttpRequest, tracker_id: int, secret: str) -> HttpResponse:
    """Azure DevOps' service hook or Jira's webhook: the secret in the address proves the sender; anything else
    is a 404, as if the address didn't exist."""
    tracker = TeamTracker.objects.filter(pk=tracker_id).select_related("team").first()
    if tracker is None or not hmac.compare_digest(tracker.hook_secret.encode(), secret.encode()):
        raise Http404("No such hook.")
    try:
        payload = json.loads(request.body or b"null")
    except ValueError:
        return JsonResponse({"errors": {"body": ["Send JSON."]}}, status=400)
    return JsonResponse({"changed": work_item_changed(tracker=tracker, payload=payload)})
