"""Importing an integration inventory on the project page: upload, a dry-run preview with every row's top pick or
every problem by line and column, then confirm. The checked file waits in the cache for the confirmation, under a
key only its uploader's session knows, for 30 minutes."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from patterns.http import SignedInRequest
from patterns.requirements import CAPACITY_BY_NAME, QUESTIONS_BY_NAME
from portal.access import get_project_for_user
from portal.models import Capability
from portal.services.inventory import MAX_BYTES, InventoryError, inventory_import, parse_inventory, read_table

KEPT_SECONDS = 30 * 60
SECONDS_PER_ROW = 0.004  # an import's rows, ranked and saved (make bench: 1,000 rows in about 3 to 4 s)


@login_required
@require_http_methods(["GET", "POST"])
def inventory_import_view(request: SignedInRequest, project_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id, capability=Capability.WRITE)
    context: dict[str, object] = {"project": project, "question_names": list(QUESTIONS_BY_NAME),
                                  "capacity_names": list(CAPACITY_BY_NAME)}  # fmt: skip
    if request.method == "POST" and (ticket := request.POST.get("confirm", "")):
        kept = cache.get(f"inventory:{request.user.pk}:{project.pk}:{ticket}")
        if kept is None:
            messages.error(request, "That preview is over 30 minutes old: upload the file again.")
            return redirect("projects:inventory", project.pk)
        name, data = kept
        try:  # checked again: the catalog or the project's environments may have changed
            rows = parse_inventory(read_table(name, data), project.environments.all())
            report = inventory_import(project=project, actor=request.user, rows=rows, dry_run=False)
        except InventoryError as error:
            context.update(problems=error.problems, problem_count=error.count)
            return render(request, "portal/inventory_import.html", context, status=400)
        cache.delete(f"inventory:{request.user.pk}:{project.pk}:{ticket}")
        messages.success(request, f"Imported {name}: {report.created} integration{'s' if report.created != 1 else ''} "
                         f"added, {report.updated} updated, each ranked with the current catalog.")  # fmt: skip
        return redirect("projects:detail", project.pk)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["problems"] = ["Choose a .csv or .xlsx file."]
            return render(request, "portal/inventory_import.html", context, status=400)
        if upload.size and upload.size > MAX_BYTES:
            context["problems"] = [f"The file is over {MAX_BYTES // (1024 * 1024)} MB: split it."]
            return render(request, "portal/inventory_import.html", context, status=400)
        data = upload.read()
        try:
            rows = parse_inventory(read_table(upload.name or "inventory.csv", data), project.environments.all())
            report = inventory_import(project=project, actor=request.user, rows=rows, dry_run=True)
        except InventoryError as error:
            context.update(problems=error.problems, problem_count=error.count, file_name=upload.name)
            return render(request, "portal/inventory_import.html", context, status=400)
        ticket = secrets.token_urlsafe(16)
        cache.set(f"inventory:{request.user.pk}:{project.pk}:{ticket}", (upload.name or "inventory.csv", data),
                  KEPT_SECONDS)  # fmt: skip
        # What the confirmation will take, said while it runs: about 4 ms a row here on PostgreSQL, at least 1 s.
        import_seconds = max(1, round(len(rows) * SECONDS_PER_ROW))
        context.update(report=report, ticket=ticket, file_name=upload.name, import_seconds=import_seconds)
    return render(request, "portal/inventory_import.html", context)
