"""Liveness and readiness probes for load balancers, Docker and Kubernetes.

``/healthz``: the process answers (no database: a database outage must not get every replica restarted).
``/readyz``: the database answers, every migration this code has is applied (a new version's pods wait for the
release step), and a catalog version is published, so this replica can serve architects.
``portal.middleware.ProbesMiddleware`` answers both before the HTTPS redirect and the Host check: probes come over
plain HTTP with the pod's address as Host.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from patterns.catalog import catalog_is_published

RETRY_AFTER_SECONDS = 5
_migrated = False  # once every migration is applied it stays so for this code: not read again


def migrations_pending() -> int:
    """How many of this code's migrations the database hasn't applied yet (0 is remembered for the process)."""
    global _migrated
    if _migrated:
        return 0
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _migrated = pending == 0
    return pending


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    try:
        pending = migrations_pending()
        published = pending == 0 and catalog_is_published()
    except DatabaseError:
        return _not_ready({"status": "unavailable", "database": "unreachable"})
    if pending:
        return _not_ready({"status": "unavailable", "database": "ok", "migrations": f"{pending} not applied yet"})
    if not published:
        return _not_ready({"status": "unavailable", "database": "ok", "catalog": "nothing published yet"})
    return JsonResponse({"status": "ok", "database": "ok", "catalog": "published"})


def _not_ready(body: dict[str, str]) -> HttpResponse:
    response = JsonResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


PROBES = {"/healthz": healthz, "/readyz": readyz}
