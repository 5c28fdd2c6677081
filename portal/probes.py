"""Liveness and readiness probes for load balancers, Docker and Kubernetes.

``/healthz``: the process answers (no database: a database outage must not get every replica restarted).
``/readyz``: the database answers and a catalog version is published, so this replica can serve architects.
``portal.middleware.ProbesMiddleware`` answers both before the HTTPS redirect and the Host check: probes come over
plain HTTP with the pod's address as Host.
"""

from __future__ import annotations

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from patterns.catalog import catalog_is_published

RETRY_AFTER_SECONDS = 5


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    try:
        published = catalog_is_published()
    except DatabaseError:
        return _not_ready({"status": "unavailable", "database": "unreachable"})
    if not published:
        return _not_ready({"status": "unavailable", "database": "ok", "catalog": "nothing published yet"})
    return JsonResponse({"status": "ok", "database": "ok", "catalog": "published"})


def _not_ready(body: dict[str, str]) -> HttpResponse:
    response = JsonResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


PROBES = {"/healthz": healthz, "/readyz": readyz}
