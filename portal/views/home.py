"""The home page: my work when signed in, the way in for visitors."""

from __future__ import annotations

from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from patterns.catalog import published_catalog
from portal.selectors.work import my_work


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    catalog = published_catalog()
    work = my_work(request.user, today=timezone.localdate()) if request.user.is_authenticated else None
    return render(
        request,
        "portal/home.html",
        {
            "work": work,
            "today": timezone.localdate(),
            "pattern_count": len(catalog.patterns),
            "scenario_count": len(catalog.scenarios),
            "task_count": catalog.task_count,
            "catalog_version": catalog.version,
        },
    )


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on their own: the site's icon, for a day."""
    response = redirect(staticfiles_storage.url("favicon.svg"), permanent=False)
    response["Cache-Control"] = "public, max-age=86400"
    return response
