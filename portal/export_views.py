"""Project exports at stable URLs, for team members only."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from portal.access import get_project_for_user
from portal.exports import export_queryset, project_csv, project_json, project_markdown

FORMATS = {
    "md": ("text/markdown; charset=utf-8", project_markdown),
    "csv": ("text/csv; charset=utf-8", project_csv),
    "json": ("application/json", lambda project: json.dumps(project_json(project), indent=2, ensure_ascii=False)),
}


@login_required
@require_GET
def project_export(request: HttpRequest, project_id: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")
    project = export_queryset(get_project_for_user(request, project_id))
    content_type, render = FORMATS[fmt]
    response = HttpResponse(render(project), content_type=content_type)
    filename = f"{slugify(project.name) or 'project'}-{project.pk}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
