"""JSON API v1 operations. Recommendations and the catalog are public and stateless; projects belong to the
caller's teams (a token or the session). Answers are built from the record shapes and returned as they are; the
schemas in ``portal.api.schemas`` document them, and the tests check every answer against them."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from ninja import Router

from patterns.catalog import PatternView, published_catalog, ranking_json
from portal.api import schemas
from portal.api.auth import PROJECT_AUTH
from portal.api.bodies import parse_project, parse_requirements, read_inventory, read_json
from portal.api.errors import ApiError, error_response
from portal.models import Capability, can
from portal.records import project_record
from portal.selectors.paging import MAX_PAGE, window
from portal.selectors.projects import project_for_export, projects_for, with_integration_counts
from portal.services.integrations import integration_create
from portal.services.inventory import InventoryError, inventory_import, parse_inventory, read_table
from portal.services.projects import project_create

MAX_LIMIT = 1000

router = Router()
ERRORS = schemas.Errors


def _json_body(schema: str) -> dict[str, Any]:
    """An operation's request body in the OpenAPI description (the body itself is read by ``bodies``)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        }
    }


@router.post(
    "/recommendations",
    url_name="recommendations",
    tags=["Recommendations"],
    summary="Rank every active pattern for these requirements (public, stores nothing).",
    response={200: schemas.Ranking, 400: ERRORS, 413: ERRORS},
    openapi_extra=_json_body("Requirements"),
)
def recommendations(request: HttpRequest) -> HttpResponse:
    """``?limit=N`` (1 to 1,000) returns only the first N options; every ruled-out pattern is still listed."""
    limit = _limit(request)
    requirements = parse_requirements(read_json(request))
    return HttpResponse(ranking_json(requirements, limit=limit), content_type="application/json")


def _limit(request: HttpRequest) -> int | None:
    raw = request.GET.get("limit")
    if raw is None:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError({"limit": [f"Expected a whole number from 1 to {MAX_LIMIT}, got {raw[:20]!r}."]})
    return int(raw)


def _pattern_summary(request: HttpRequest, pattern: PatternView, version: str) -> dict[str, Any]:
    return {
        "pattern": pattern.slug,
        "name": pattern.name,
        "family": pattern.family,
        "category": pattern.category,
        "interaction": pattern.interaction,
        "code_required": pattern.code_required,
        "summary": pattern.summary,
        "catalog_version": version,
        "url": request.build_absolute_uri(reverse("api:pattern", args=[pattern.slug])),
        "learn_more": pattern.links,
    }


@router.get(
    "/patterns",
    url_name="patterns",
    tags=["Catalog"],
    summary="The published catalog.",
    response={200: schemas.PatternList},
)
def pattern_list(request: HttpRequest) -> HttpResponse:
    """The same bytes for every request of a version and address: built once, then served from memory."""
    catalog = published_catalog()
    key = (catalog.version, request.scheme or "http", request.get_host())
    body = _pattern_lists.get(key)
    if body is None:
        patterns = [_pattern_summary(request, p, catalog.version) for p in catalog.patterns]
        body = json.dumps({"catalog_version": catalog.version, "patterns": patterns}).encode()
        if len(_pattern_lists) >= 16:  # old versions and odd host names don't pile up
            _pattern_lists.clear()
        _pattern_lists[key] = body
    return HttpResponse(body, content_type="application/json")


_pattern_lists: dict[tuple[str, str, str], bytes] = {}


@router.get(
    "/patterns/{slug}",
    url_name="pattern",
    tags=["Catalog"],
    summary="One pattern with its text, fits, cautions and scenarios.",
    response={200: schemas.PatternDetail, 404: ERRORS},
)
def pattern_detail(request: HttpRequest, slug: str) -> HttpResponse:
    catalog = published_catalog()
    pattern = catalog.by_slug.get(slug)
    if pattern is None:
        return error_response({"pattern": [f"No active pattern {slug!r} in the published catalog."]}, 404)
    return JsonResponse(
        {
            **_pattern_summary(request, pattern, catalog.version),
            "description": pattern.description,
            "benefits": pattern.benefits,
            "drawbacks": pattern.drawbacks,
            "use_when": pattern.use_when,
            "fits": pattern.fits,
            "cautions": [
                {"title": c.title, "text": c.text, "source_url": c.source_url, "when": c.conditions}
                for c in pattern.cautions
            ],
            "scenarios": [
                {"scenario": s.slug, "title": s.title, "answers": s.answers, "expected": s.expected}
                for s in pattern.scenarios
            ],
        }
    )


API_PAGE = 100  # projects per page of GET /projects


@router.get(
    "/projects",
    url_name="projects",
    tags=["Projects"],
    summary=f"The projects of the caller's teams, the latest changed first, {API_PAGE} a page.",
    auth=PROJECT_AUTH,
    response={200: schemas.ProjectList, 400: ERRORS, 401: ERRORS, 404: ERRORS},
    openapi_extra={
        "parameters": [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": f"The page, from 1 to {MAX_PAGE:,} (anything else: 400); past the last one: 404.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            }
        ]
    },
)
def project_list(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("page", "1").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= len(str(MAX_PAGE)) and 1 <= int(raw) <= MAX_PAGE):
        return error_response({"page": [f"Expected a whole number from 1 to {MAX_PAGE:,}."]}, 400)
    rows = window(projects_for(request.auth), int(raw), API_PAGE)  # type: ignore[attr-defined]
    if not rows.object_list and rows.number > 1:
        return error_response({"page": [f"No such page: the list ends before page {rows.number}."]}, 404)
    here = request.build_absolute_uri(reverse("api:projects"))
    projects = [
        {
            "id": p.pk,
            "name": p.name,
            "description": p.description,
            "integration_count": p.integration_count,  # type: ignore[attr-defined]
            "updated_at": p.updated_at.isoformat(),
            "url": request.build_absolute_uri(reverse("api:project", args=[p.pk])),
        }
        for p in with_integration_counts(rows.object_list)
    ]
    return JsonResponse({
        "projects": projects,
        "page": rows.number,
        "next": f"{here}?page={rows.next_page_number}" if rows.has_next else None,
        "previous": f"{here}?page={rows.previous_page_number}" if rows.has_previous else None,
    })  # fmt: skip


@router.post(
    "/projects",
    url_name="projects",
    tags=["Projects"],
    summary="Create a project in your personal team; its integrations are ranked and saved, the checklist attached.",
    auth=PROJECT_AUTH,
    response={201: schemas.ProjectOut, 400: ERRORS, 401: ERRORS, 403: ERRORS, 413: ERRORS},
    by_alias=True,  # the document names the fields as the answers do ("schema")
    openapi_extra=_json_body("NewProject"),
)
def project_create_view(request: HttpRequest) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
    name, description, integrations = parse_project(read_json(request))
    with transaction.atomic():  # the project and all its integrations, or nothing
        project = project_create(owner=user, name=name, description=description)
        for item in integrations:
            integration_create(project=project, name=item.name, requirements=item.requirements, created_by=user,
                               source_system=item.source_system, target_system=item.target_system)  # fmt: skip
    response = JsonResponse(project_record(project_for_export(project)), status=201)
    response["Location"] = reverse("api:project", args=[project.pk])
    return response


@router.get(
    "/projects/{int:id}",  # a path that isn't a whole number is no project: 404, like anyone else's
    url_name="project",
    tags=["Projects"],
    summary="One of the caller's projects in full (404 for anyone else's).",
    auth=PROJECT_AUTH,
    response={200: schemas.ProjectOut, 401: ERRORS, 404: ERRORS},
    by_alias=True,
)
def project_detail(request: HttpRequest, id: int) -> HttpResponse:
    project = projects_for(request.auth).filter(pk=id).first()  # type: ignore[attr-defined]
    if project is None:
        return error_response({"project": ["Not found."]}, 404)
    return JsonResponse(project_record(project_for_export(project)))


def _inventory_body() -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "description": "The inventory: a CSV file (UTF-8) as the body, or a form with the file (.csv or .xlsx) "
            "in the field `file`. Columns as the project page's import says: `name` (required), `source_system`, "
            "`target_system`, `environment` (one of the project's), `identity`, every question by its API name and "
            "every capacity number.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
            },
        },
        "parameters": [
            {
                "name": "dry_run",
                "in": "query",
                "required": False,
                "description": "true: check and rank every row, write nothing.",
                "schema": {"type": "boolean", "default": False},
            }
        ],
    }


@router.post(
    "/projects/{int:id}/inventory",
    url_name="inventory",
    tags=["Projects"],
    summary="Import an integration inventory into a project: all rows or none, each ranked and saved like a wizard "
    "save; a name the project has updates that integration.",
    auth=PROJECT_AUTH,
    response={200: schemas.InventoryOut, 400: ERRORS, 401: ERRORS, 403: ERRORS, 404: ERRORS, 413: ERRORS},
    openapi_extra=_inventory_body(),
)
def inventory_import_api(request: HttpRequest, id: int) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
    project = projects_for(user).filter(pk=id).annotate(member_role=F("team__memberships__role")).first()
    if project is None:
        return error_response({"project": ["Not found."]}, 404)
    if not can(project.member_role, Capability.WRITE):
        return error_response({"project": ["Your role in the project's team can't import into it."]}, 403)
    dry_run = (request.GET.get("dry_run") or "false").lower()
    if dry_run not in {"true", "false", "1", "0"}:
        return error_response({"dry_run": ["Expected true or false."]}, 400)
    name, data = read_inventory(request)
    try:
        rows = parse_inventory(read_table(name, data), project.environments.all())
        report = inventory_import(project=project, actor=user, rows=rows, dry_run=dry_run in {"true", "1"})
    except InventoryError as error:
        return error_response({"file": error.problems}, 400)
    return JsonResponse({"dry_run": report.dry_run, "created": report.created, "updated": report.updated,
                         "rows": report.rows})  # fmt: skip
