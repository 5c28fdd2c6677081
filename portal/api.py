"""JSON API v1. Recommendations are public and stateless; projects belong to the caller (session or token)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patterns.published import PatternView, published_catalog
from patterns.recommender import recommend
from patterns.requirements import Requirements, RequirementsError
from patterns.serializers import ranking_for_api
from patterns.versions import published_snapshot
from portal.exports import export_queryset, project_json
from portal.models import ApiToken, Project
from portal.openapi import openapi_document
from portal.services import hash_token, integration_create, project_create

MAX_BODY_BYTES = 64 * 1024
MAX_INTEGRATIONS = 50


def error_response(errors: dict[str, list[str]], status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=status)


class BadRequest(Exception):
    def __init__(self, errors: dict[str, list[str]], status: int = 400):
        self.errors, self.status = errors, status


def read_json(request: HttpRequest) -> Any:
    content_type = request.content_type or ""
    if content_type != "application/json":
        raise BadRequest({"content_type": [f"Expected application/json, got {content_type or 'nothing'}."]})
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        raise BadRequest({"body": [f"The body may be at most {MAX_BODY_BYTES} bytes."]}, 413)
    try:
        body = request.body
    except RequestDataTooBig:
        raise BadRequest({"body": [f"The body may be at most {MAX_BODY_BYTES} bytes."]}, 413) from None
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest({"body": [f"The body may be at most {MAX_BODY_BYTES} bytes."]}, 413)
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise BadRequest({"body": [f"Not valid JSON: {error}"]}) from None


def parse_requirements(data: Any, prefix: str = "") -> Requirements:
    try:
        return Requirements.from_mapping(data)
    except RequirementsError as error:
        raise BadRequest({f"{prefix}{field}": messages for field, messages in error.errors.items()}) from None


def api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn BadRequest into the documented error body; never a 5xx for bad input."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BadRequest as error:
            return error_response(error.errors, error.status)

    wrapper.__name__, wrapper.__doc__ = view.__name__, view.__doc__
    return wrapper


# Authentication: a personal token (Authorization: Bearer ...) or the browser session (then CSRF applies to writes).


def _token_user(request: HttpRequest) -> AbstractBaseUser | bool | None:
    """The token's user; None when no token was sent; False when a token was sent but isn't valid."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return False
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(secret.strip()), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return False
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def authenticated(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @csrf_exempt
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = _token_user(request)
        if user is False:
            return error_response({"authorization": ["Invalid or revoked token."]}, 401)
        if user is None:
            if not request.user.is_authenticated:
                response = error_response({"authorization": ["Sign in or send Authorization: Bearer <token>."]}, 401)
                response["WWW-Authenticate"] = 'Bearer realm="api"'
                return response
            if request.method not in {"GET", "HEAD", "OPTIONS"}:
                rejected = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, view, args, kwargs)
                if rejected is not None:
                    return error_response({"csrf": ["CSRF check failed; session requests need the CSRF token."]}, 403)
            user = request.user
        request.api_user = user
        return view(request, *args, **kwargs)

    wrapper.__name__, wrapper.__doc__ = view.__name__, view.__doc__
    return wrapper


# Recommendations


@csrf_exempt
@require_POST
@api_view
def recommendations(request: HttpRequest) -> HttpResponse:
    """Rank the catalog for a requirements object. Public and stateless."""
    requirements = parse_requirements(read_json(request))
    return JsonResponse(ranking_for_api(recommend(requirements, published_snapshot())))


# Catalog


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


@require_GET
def pattern_list(request: HttpRequest) -> HttpResponse:
    """The latest published catalog."""
    catalog = published_catalog()
    return JsonResponse(
        {
            "catalog_version": catalog.version,
            "patterns": [_pattern_summary(request, p, catalog.version) for p in catalog.patterns],
        }
    )


@require_GET
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


# Projects


def _has_nul(value: Any) -> bool:
    """PostgreSQL text can't hold NUL; refuse it up front rather than fail on save."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _parse_project(data: Any) -> tuple[str, str, list[tuple[str, Requirements]]]:
    if not isinstance(data, dict):
        raise BadRequest({"body": ["Expected an object with name, description and integrations."]})
    errors: dict[str, list[str]] = {}
    if _has_nul(data):
        raise BadRequest({"body": ["Text may not contain NUL characters."]})
    for field in sorted(set(data) - {"name", "description", "integrations"}):
        errors[field] = ["Unknown field. Allowed fields: name, description, integrations."]
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        errors["name"] = ["Required: a non-empty string of at most 200 characters."]
    description = data.get("description", "")
    if not isinstance(description, str) or len(description) > 5000:
        errors["description"] = ["Expected a string of at most 5000 characters."]
    raw_integrations = data.get("integrations", [])
    parsed: list[tuple[str, Requirements]] = []
    if not isinstance(raw_integrations, list) or len(raw_integrations) > MAX_INTEGRATIONS:
        errors["integrations"] = [f"Expected a list of at most {MAX_INTEGRATIONS} integrations."]
        raw_integrations = []
    for index, item in enumerate(raw_integrations):
        where = f"integrations[{index}]"
        if not isinstance(item, dict):
            errors[where] = ["Expected an object with name and requirements."]
            continue
        for field in sorted(set(item) - {"name", "requirements"}):
            errors[f"{where}.{field}"] = ["Unknown field. Allowed fields: name, requirements."]
        item_name = item.get("name")
        if not isinstance(item_name, str) or not item_name.strip() or len(item_name) > 200:
            errors[f"{where}.name"] = ["Required: a non-empty string of at most 200 characters."]
        try:
            requirements = parse_requirements(item.get("requirements"), prefix=f"{where}.requirements.")
        except BadRequest as error:
            errors.update(error.errors)
            continue
        if isinstance(item_name, str):
            parsed.append((item_name, requirements))
    if errors:
        raise BadRequest(errors)
    return name, description, parsed


@require_http_methods(["GET", "POST"])
@authenticated
@api_view
def projects(request: HttpRequest) -> HttpResponse:
    user = request.api_user
    if request.method == "POST":
        name, description, integrations = _parse_project(read_json(request))
        with transaction.atomic():  # the project and all its integrations, or nothing
            project = project_create(owner=user, name=name, description=description)
            for integration_name, requirements in integrations:
                integration_create(project=project, name=integration_name, requirements=requirements, created_by=user)
        response = JsonResponse(project_json(export_queryset(project)), status=201)
        response["Location"] = reverse("api:project", args=[project.pk])
        return response
    listing = (
        Project.objects.filter(team__memberships__user=user)
        .annotate(integration_count=Count("integrations", distinct=True))
        .order_by("-updated_at", "-id")
    )
    return JsonResponse(
        {
            "projects": [
                {
                    "id": p.pk,
                    "name": p.name,
                    "description": p.description,
                    "integration_count": p.integration_count,
                    "updated_at": p.updated_at.isoformat(),
                    "url": request.build_absolute_uri(reverse("api:project", args=[p.pk])),
                }
                for p in listing
            ]
        }
    )


@require_GET
@authenticated
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = Project.objects.filter(pk=project_id, team__memberships__user=request.api_user).first()
    if project is None:
        return error_response({"project": ["Not found."]}, 404)
    return JsonResponse(project_json(export_queryset(project)))


@require_GET
def openapi(request: HttpRequest) -> HttpResponse:
    return JsonResponse(openapi_document())


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response({"path": [f"No API endpoint at {request.path}."]}, 404)
