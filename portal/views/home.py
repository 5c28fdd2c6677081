"""The home page: my work when signed in, the way in for visitors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
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
