"""A project's environments: the list with each one's shared-limit verdict and the tenant's, adding one, and each
environment's page with its integrations' numbers summed against the limits they share (arithmetic in words)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from patterns.catalog import published_catalog
from patterns.http import SignedInRequest
from portal.access import get_environment_for_user, get_integration_for_user, get_project_for_user
from portal.forms import EnvironmentForm, PlacementForm, form_problems
from portal.models import Capability, can
from portal.selectors.environments import (
    environment_check,
    environment_integrations,
    project_environment_checks,
    relied_pattern,
)
from portal.services.environments import (
    environment_create,
    environment_delete,
    environment_update,
    integration_place,
)


@login_required
@require_http_methods(["GET", "POST"])
def environment_list(request: SignedInRequest, project_id: int) -> HttpResponse:
    capability = Capability.WRITE if request.method == "POST" else Capability.READ
    project = get_project_for_user(request, project_id, capability=capability)
    form = EnvironmentForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            environment = environment_create(project=project, actor=request.user, **form.cleaned_data)
        except ValidationError as error:  # the same name, added a moment ago by someone else
            form.add_error(None, error)
        else:
            messages.success(request, f"Environment “{environment.name}” added: put integrations in it from their "
                             "pages or the inventory's environment column.")  # fmt: skip
            return redirect("projects:environment", project.pk, environment.pk)
    checks, tenant = project_environment_checks(project)
    context = {"project": project, "form": form, "checks": checks, "tenant": tenant,
               "can_edit": can(project.role, Capability.WRITE),
               "unplaced": sum(1 for i in tenant.integrations if i.environment_id is None)}  # fmt: skip
    return render(request, "portal/environments.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def environment_detail(request: SignedInRequest, project_id: int, environment_id: int) -> HttpResponse:
    capability = Capability.WRITE if request.method == "POST" else Capability.READ
    environment = get_environment_for_user(request, project_id, environment_id, capability=capability)
    project = environment.project
    initial = {"name": environment.name, "kind": environment.kind, "production": environment.production}
    form = EnvironmentForm(request.POST or None, project=project, current=environment, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            environment_update(environment=environment, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            environment.refresh_from_db()  # the page shows the name it still has
        else:
            messages.success(request, f"Environment “{environment.name}” saved.")
            return redirect("projects:environment", project.pk, environment.pk)
    integrations = environment_integrations(environment)
    check = environment_check(environment, integrations)
    names = {pattern.slug: pattern.name for pattern in published_catalog().patterns}
    rows = [(i, names.get(relied_pattern(i), relied_pattern(i))) for i in integrations]
    context = {"project": project, "environment": environment, "form": form, "check": check, "rows": rows,
               "can_edit": can(project.role, Capability.WRITE)}  # fmt: skip
    return render(request, "portal/environment_detail.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def environment_remove(request: SignedInRequest, project_id: int, environment_id: int) -> HttpResponse:
    environment = get_environment_for_user(request, project_id, environment_id, capability=Capability.WRITE)
    environment_delete(environment=environment, actor=request.user)
    messages.success(request, f"Environment “{environment.name}” removed; its integrations stay in the project.")
    return redirect("projects:environments", project_id)


@login_required
@require_POST
def integration_placement(request: SignedInRequest, project_id: int, integration_id: int) -> HttpResponse:
    integration = get_integration_for_user(request, project_id, integration_id, capability=Capability.WRITE)
    form = PlacementForm(request.POST, project=integration.project)
    if not form.is_valid():
        messages.error(request, f"Not saved. {form_problems(form)}")
        return redirect("projects:integration", project_id, integration_id)
    integration_place(integration=integration, actor=request.user, **form.cleaned_data)
    where = form.cleaned_data["environment"]
    messages.success(request, f"{integration.name} runs in {where.name if where else 'no environment'}"
                     + (f" as {integration.identity}." if integration.identity else "."))  # fmt: skip
    return redirect("projects:integration", project_id, integration_id)
