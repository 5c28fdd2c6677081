"""My projects, a project with its integrations and checklist, and one saved integration."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from portal.access import get_integration_for_user, get_project_for_user
from portal.forms import ProjectForm
from portal.models import Project
from portal.services import project_create

PAGE_SIZE = 20


@login_required
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    projects = (
        Project.objects.filter(owner=request.user)
        .annotate(integration_count=Count("integrations"))
        .order_by("-updated_at", "-id")
    )
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/project_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = project_create(
            owner=request.user, name=form.cleaned_data["name"], description=form.cleaned_data["description"]
        )
        return redirect("projects:detail", project.pk)
    return render(request, "portal/project_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id)
    integrations = project.integrations.only(
        "pk", "name", "top_pattern_slug", "top_pattern_name", "ranked_at", "catalog_version", "project_id"
    )
    entries = list(project.checklist_entries.all())
    sections = [
        (title, list(items))
        for (_, title), items in groupby(entries, key=lambda e: (e.section_position, e.section_title))
    ]
    return render(
        request,
        "portal/project_detail.html",
        {"project": project, "integrations": integrations, "sections": sections, "task_count": len(entries)},
    )


@login_required
@require_GET
def integration_detail(request: HttpRequest, project_id: int, integration_id: int) -> HttpResponse:
    integration = get_integration_for_user(request, project_id, integration_id)
    return render(
        request, "portal/integration_detail.html", {"integration": integration, "project": integration.project}
    )
