"""The home page and the health probe."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from patterns.published import published_catalog


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    catalog = published_catalog()
    return render(
        request,
        "portal/home.html",
        {
            "pattern_count": len(catalog.patterns),
            "scenario_count": len(catalog.scenarios),
            "task_count": catalog.task_count,
            "catalog_version": catalog.version,
        },
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
