"""Projects: my projects, a new project, a project page (integrations and the tracked checklist), its settings,
history and exports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache, partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patterns.catalog import published_catalog
from patterns.http import SignedInRequest
from portal.access import get_project_for_user
from portal.caching import fragments, not_modified, page_etag, revalidated
from portal.exports import project_csv, project_json, project_markdown
from portal.forms import MoveProjectForm, ProjectForm, SettingsForm
from portal.handoffs import HANDOFFS, ReportUnavailable
from portal.models import Capability, Project, Team, can
from portal.pictures.markup import landscape_markup
from portal.selectors.catalog_changes import pick_changes
from portal.selectors.checklist import (
    CHECKLIST_FILTERS,
    ProjectChecklist,
    checklist_edit_base,
    project_checklist,
    project_progress,
)
from portal.selectors.integrations import project_integrations, project_landscape
from portal.selectors.paging import page_number, window
from portal.selectors.projects import project_for_export, project_history, projects_for, with_integration_counts
from portal.selectors.teams import teams_where_user_can
from portal.services.integrations import integration_keep_ranking, integration_rerank
from portal.services.projects import project_create, project_move, project_settings_update

PAGE_SIZE = 20
EXPORT_FORMATS = {
    "md": ("text/markdown; charset=utf-8", project_markdown),
    "csv": ("text/csv; charset=utf-8", project_csv),
    "json": ("application/json", project_json),
}


@login_required
@require_GET
def project_list(request: SignedInRequest) -> HttpResponse:
    rows = window(projects_for(request.user), page_number(request.GET.get("page")), PAGE_SIZE)
    if not rows.object_list and rows.number > 1:
        raise Http404("No such page: the list ends before it.")
    rows.object_list = with_integration_counts(rows.object_list)
    return render(request, "portal/project_list.html", {"page": rows})


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: SignedInRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, user=request.user)
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
    """The project page, with an ETag (a browser that has it gets a 304). Its head, integrations, progress and
    checklist are cached fragments (``portal.caching``) under the project's revision and everything else each shows
    (the team's revision for its members' names, the reader's role and right to edit, the catalog version, the day,
    the filter and whose "mine" is); its two forms are rendered for this reader. A fragment's data is read only when
    it has to be rendered."""
    project = get_project_for_user(request, project_id)
    today = timezone.localdate()
    chosen = request.GET.get("tasks", "all")
    chosen = chosen if chosen in CHECKLIST_FILTERS else "all"
    version = published_catalog().version
    team_revision = project.team.revision  # members' names and roles: a rename counts there
    etag = page_etag(request, "project", project.pk, project.revision, team_revision, project.role, version, today,
                     chosen)  # fmt: skip
    if (unchanged := not_modified(request, etag)) is not None:
        return unchanged
    can_write = can(project.role, Capability.WRITE)
    mine = request.user.pk if chosen == "mine" else ""
    state = (project.pk, project.revision)
    # Read once for the fragments that must be rendered, and not at all when both come from the cache.
    read = cache(partial(project_checklist, project, chosen=chosen, user=request.user, today=today))
    html = fragments({
        "project-head": ((*state, team_revision, project.role), partial(_head, project)),
        "project-integrations": ((*state, version), partial(_integrations, project)),
        "project-progress": ((*state, today), partial(_progress, project, read)),
        "project-checklist": ((*state, team_revision, can_write, chosen, mine, today),
                              partial(_checklist, project, read, can_write, today)),
    })  # fmt: skip
    context = {
        "project": project,
        "can_write": can_write,
        "can_manage": can(project.role, Capability.MANAGE),
        "head_html": html["project-head"],
        "integrations_html": html["project-integrations"],
        "progress_html": html["project-progress"],
        "checklist_html": html["project-checklist"],
    }
    return revalidated(render(request, "portal/project_detail.html", context), etag)


def _head(project: Project) -> str:
    return render_to_string("portal/_project_head.html", {"project": project})


def _integrations(project: Project) -> str:
    integrations = project_integrations(project)
    picture = project_landscape(integrations)
    landscape = (
        "" if picture.empty else landscape_markup(picture, "landscape", f"Integration landscape of {project.name}")
    )
    context = {"project": project, "integrations": integrations, "landscape": landscape}
    return render_to_string("portal/_project_integrations.html", context)


def _progress(project: Project, read: Callable[[], ProjectChecklist]) -> str:
    checklist = read()
    context = {"checklist": checklist, "progress": project_progress(project, checklist)}
    return render_to_string("portal/_project_progress.html", context)


def _checklist(project: Project, read: Callable[[], ProjectChecklist], can_write: bool, today: date) -> str:
    context = {"project": project, "checklist": read(), "can_write": can_write, "today": today,
               "edit_base": checklist_edit_base(project)}  # fmt: skip
    return render_to_string("portal/_project_checklist.html", context)


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


def _move_choices(project: Project, user: User) -> list[tuple[str, str]]:
    """The other teams ``user`` owns, where an owner of this project's team may move it."""
    return [(str(team.pk), "My personal team" if team.personal_for_id == user.pk else team.name)
            for team in teams_where_user_can(user, Capability.MANAGE) if team.pk != project.team_id]  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def project_move_view(request: SignedInRequest, project_id: int) -> HttpResponse:
    """An owner of both teams moves the project (its own page, so the project page reads no team list); anyone else
    gets the reason in a sentence."""
    project = get_project_for_user(request, project_id, capability=Capability.MANAGE)
    form = MoveProjectForm(request.POST or None, choices=_move_choices(project, request.user))
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, "Choose one of the teams you own to move the project to.")
            return redirect("projects:move", project.pk)
        target = Team.objects.get(pk=int(form.cleaned_data["team"]))
        try:
            project_move(project=project, team=target, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("projects:move", project.pk)
        messages.success(request, f"Moved “{project.name}” to {target.name}: its members see it now, and "
                         f"{project.team.name}'s members no longer do unless they are in both.")  # fmt: skip
        return redirect("projects:detail", project.pk)
    return render(request, "portal/project_move.html", {"project": project, "form": form})


@login_required
@require_GET
def history(request: SignedInRequest, project_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id)
    return render(request, "portal/history.html", {"project": project, "entries": project_history(project)})


@login_required
@require_GET
def project_export(request: SignedInRequest, project_id: int, fmt: str) -> HttpResponse:
    """The project as Markdown decision records, a CSV inventory or JSON, or handed off (Azure Boards' and Jira's
    CSV imports, MADR files), at stable URLs, for team members."""
    if fmt not in EXPORT_FORMATS and fmt not in HANDOFFS:
        raise Http404("Unknown export format.")
    project = project_for_export(get_project_for_user(request, project_id))
    stem = f"{slugify(project.name) or 'project'}-{project.pk}"
    if fmt in HANDOFFS:
        try:
            export = HANDOFFS[fmt](project)
        except ReportUnavailable as error:
            return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
        response = HttpResponse(export.body, content_type=export.content_type)
        filename = f"{stem}-{fmt}.{export.extension}"
    else:
        content_type, render_format = EXPORT_FORMATS[fmt]
        response = HttpResponse(render_format(project), content_type=content_type)
        filename = f"{stem}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def project_rerank(request: SignedInRequest, project_id: int) -> HttpResponse:
    """Every integration of the project that the published catalog answers differently, saved beside new (first pick
    and fit level); adopt the new rankings of those ticked, or keep all the saved ones. Nothing changes on a GET."""
    capability = Capability.WRITE if request.method == "POST" else Capability.READ
    project = get_project_for_user(request, project_id, capability=capability)
    changes = pick_changes(project.integrations.all())
    if request.method == "POST":
        chosen = set(request.POST.getlist("integration"))
        action = request.POST.get("action")
        version = published_catalog().version
        adopted = kept = 0
        for integration in project.integrations.filter(pk__in=[c.integration_id for c in changes]):
            if action == "adopt" and str(integration.pk) in chosen:
                integration_rerank(integration=integration, actor=request.user)
                adopted += 1
            elif action == "keep":
                integration_keep_ranking(integration=integration, actor=request.user, reviewed_version=version)
                kept += 1
        if adopted:
            messages.success(request, f"Adopted the new ranking for {adopted} integration{pluralize(adopted)}; "
                             "each change is in the project's history.")  # fmt: skip
        elif kept:
            messages.success(request, f"Kept {kept} saved ranking{pluralize(kept)}; they won't be flagged again "
                             f"until after {version}.")  # fmt: skip
        else:
            messages.error(request, "Nothing changed: tick the integrations whose new ranking you adopt.")
            return redirect("projects:rerank_all", project.pk)
        return redirect("projects:detail", project.pk)
    context = {"project": project, "changes": changes, "can_write": can(project.role, Capability.WRITE),
               "version": published_catalog().version}  # fmt: skip
    return render(request, "portal/project_rerank.html", context)
