"""Projects: my projects, a new project, a project page (integrations and the tracked checklist), its settings,
history and exports."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patterns.catalog import published_catalog
from patterns.http import SignedInRequest
from portal.access import PageAccess, get_project_for_user, page_access, teams_revision
from portal.exports import project_csv, project_json, project_markdown
from portal.forms import ProjectForm, SettingsForm
from portal.lazy import lazy
from portal.models import Capability, can
from portal.selectors.checklist import CHECKLIST_FILTERS, project_checklist, project_progress
from portal.selectors.integrations import project_integrations, project_landscape
from portal.selectors.paging import Window, page_number, window
from portal.selectors.projects import project_for_export, project_history, projects_for, with_integration_counts
from portal.selectors.teams import teams_where_user_can
from portal.services.projects import project_create, project_settings_update

PAGE_SIZE = 20
EXPORT_FORMATS = {
    "md": ("text/markdown; charset=utf-8", project_markdown),
    "csv": ("text/csv; charset=utf-8", project_csv),
    "json": ("application/json", project_json),
}


@login_required
@require_GET
def project_list(request: SignedInRequest) -> HttpResponse:
    """The list is rendered once per page and revision of the user's teams (``teams_revision``)."""
    number = page_number(request.GET.get("page"))

    def page() -> Window:
        rows = window(projects_for(request.user), number, PAGE_SIZE)
        rows.object_list = with_integration_counts(rows.object_list)
        return rows

    context = {"page": lazy(page), "list_key": f"{number}:{teams_revision(request)}"}
    return render(request, "portal/project_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: SignedInRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, teams=teams_where_user_can(request.user, Capability.WRITE))
    if request.method == "POST" and form.is_valid():
        project = project_create(
            owner=request.user,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            team=form.chosen_team(),
        )
        return redirect("projects:detail", project.pk)
    return render(request, "portal/project_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def project_detail(request: SignedInRequest, project_id: int) -> HttpResponse:
    """Rendered once per revision (see ``_body_key``). Everything but the reader's access is read lazily, so a page
    served from the cache reads one row besides the session (``page_access``)."""
    access = page_access(request, project_id)
    today = timezone.localdate()
    chosen = request.GET.get("tasks", "all")
    chosen = chosen if chosen in CHECKLIST_FILTERS else "all"
    project = lazy(lambda: get_project_for_user(request, project_id))
    integrations = lazy(lambda: project_integrations(project))
    checklist = lazy(lambda: project_checklist(project, chosen=chosen, user=request.user, today=today))
    context = {
        "title": access.title,
        "project": project,
        "integrations": integrations,
        "landscape": lazy(lambda: project_landscape(integrations)),
        "checklist": checklist,
        "progress": lazy(lambda: project_progress(project, checklist)),
        "can_write": can(access.role, Capability.WRITE),
        "can_manage": can(access.role, Capability.MANAGE),
        "today": today,
        "body_key": _body_key(request, project_id, access, chosen=chosen, today=today),
    }
    return render(request, "portal/project_detail.html", context)


def _body_key(request: SignedInRequest, project_id: int, access: PageAccess, *, chosen: str, today: date) -> str:
    """What the project page shows depends on: the project's revision (every change moves it), the published catalog
    (new first picks), the reader's role, the filter (and whose tasks "mine" are), and the day (overdue tasks)."""
    mine = request.user.pk if chosen == "mine" else ""
    parts = (project_id, access.revision, published_catalog().version, access.role, chosen, mine, today)
    return ":".join(str(part) for part in parts)


@login_required
@require_POST
def project_settings(request: SignedInRequest, project_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id, capability=Capability.MANAGE)
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
@require_GET
def history(request: SignedInRequest, project_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id)
    return render(request, "portal/history.html", {"project": project, "entries": project_history(project)})


@login_required
@require_GET
def project_export(request: SignedInRequest, project_id: int, fmt: str) -> HttpResponse:
    """The project as Markdown decision records, a CSV inventory or JSON, at stable URLs, for team members."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("Unknown export format.")
    project = project_for_export(get_project_for_user(request, project_id))
    content_type, render_format = EXPORT_FORMATS[fmt]
    response = HttpResponse(render_format(project), content_type=content_type)
    filename = f"{slugify(project.name) or 'project'}-{project.pk}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
