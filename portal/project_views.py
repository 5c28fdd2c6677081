"""My projects, a project with its integrations and tracked checklist, and one saved integration."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from portal.access import get_integration_for_user, get_project_for_user
from portal.forms import ProjectForm
from portal.models import CAPABILITIES, Integration, Membership, Project
from portal.services import integrations_with_new_first_pick, project_create
from portal.team_views import integration_context

PAGE_SIZE = 20
CHECKLIST_FILTERS = {"all": "All tasks", "mine": "Mine", "open": "Not done", "overdue": "Overdue"}


@login_required
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    projects = (
        Project.objects.filter(team__memberships__user=request.user)
        .select_related("team")
        .annotate(integration_count=Count("integrations", distinct=True))
        .order_by("-updated_at", "-id")
    )
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/project_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    writable = {
        str(m.team_id): m.team
        for m in Membership.objects.filter(user=request.user).select_related("team")
        if "write" in CAPABILITIES[m.role]
    }
    form = ProjectForm(request.POST or None)
    form.fields["team"] = forms.ChoiceField(
        label="Team", required=False, choices=[("", "My personal team"), *((k, t.name) for k, t in writable.items())]
    )
    if request.method == "POST" and form.is_valid():
        project = project_create(
            owner=request.user,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            team=writable.get(form.cleaned_data.get("team") or ""),
        )
        return redirect("projects:detail", project.pk)
    return render(request, "portal/project_form.html", {"form": form}, status=400 if form.errors else 200)


def _progress(entries: list[Any]) -> dict[str, int]:
    closed = sum(1 for e in entries if e.status in {"done", "not_applicable"})
    total = len(entries)
    return {"closed": closed, "total": total, "percent": round(100 * closed / total) if total else 0}


@login_required
@require_GET
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id)
    integrations = (
        Integration.objects.filter(project=project)
        .select_related("decision")
        .only("pk", "name", "top_pattern_slug", "top_pattern_name", "ranked_at", "project_id", "decision__status",
              "decision__chosen_pattern_name", "requirements", "catalog_version")
        .order_by("created_at", "id")
    )  # fmt: skip
    integrations = list(integrations)
    flags = integrations_with_new_first_pick(integrations)
    for integration in integrations:
        integration.new_first_pick = flags.get(integration.pk)
    all_entries = list(project.checklist_entries.select_related("assignee"))
    today = timezone.localdate()
    chosen = request.GET.get("tasks", "all")
    chosen = chosen if chosen in CHECKLIST_FILTERS else "all"
    entries = [e for e in all_entries if _matches(e, chosen, request.user, today)]
    sections = []
    for (_, title), items in groupby(all_entries, key=lambda e: (e.section_position, e.section_title)):
        items = list(items)
        shown = [e for e in items if e in entries]
        sections.append({"title": title, "entries": shown, "progress": _progress(items)})
    context = {
        "project": project,
        "integrations": integrations,
        "sections": sections,
        "task_count": len(all_entries),
        "progress": _progress(all_entries),
        "filters": CHECKLIST_FILTERS,
        "chosen_filter": chosen,
        "can_write": "write" in CAPABILITIES[project.role],
        "can_manage": "manage" in CAPABILITIES[project.role],
        "today": today,
    }
    return render(request, "portal/project_detail.html", context)


def _matches(entry: Any, chosen: str, user: Any, today: Any) -> bool:
    if chosen == "mine":
        return entry.assignee_id == user.pk
    if chosen == "open":
        return entry.status not in {"done", "not_applicable"}
    if chosen == "overdue":
        return bool(entry.due_date and entry.due_date < today and entry.status not in {"done", "not_applicable"})
    return True


@login_required
@require_GET
def integration_detail(request: HttpRequest, project_id: int, integration_id: int) -> HttpResponse:
    integration = get_integration_for_user(request, project_id, integration_id)
    return render(request, "portal/integration_detail.html", integration_context(request, integration))
