"""JSON API v1 on django-ninja: the OpenAPI description is generated at /api/v1/openapi.json and the interactive
docs at /api/v1/docs are served from static files (CSP-friendly). The public contract (paths, fields, status codes
and the ``{"errors": {field: [message]}}`` body) is unchanged from the hand-written API it replaced."""

from __future__ import annotations

from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from portal.api.errors import ApiError, error_response
from portal.api.schemas import REQUEST_SCHEMAS
from portal.api.views import router
from portal.middleware import database_unavailable

DESCRIPTION = (
    "Rank Dynamics 365 integration patterns for a set of requirements, read the curated catalog, and keep "
    "projects. Project endpoints take the browser session or `Authorization: Bearer <token>` (create tokens on "
    "your account page)."
)


class PortalAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        # Paths relative to the server URL (/api/v1), and the request bodies' schemas, which the operations read
        # themselves so the vocabulary's messages stay the API's.
        schema = super().get_openapi_schema(path_prefix="", path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in REQUEST_SCHEMAS:
            body = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(body.pop("$defs", {}))
            components[body.get("title", model.__name__)] = body
        return schema


api = PortalAPI(
    title="Integration decision portal API",
    version="1",
    description=DESCRIPTION,
    servers=[{"url": "/api/v1"}],
    urls_namespace="api",
)
api.add_router("", router)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
    return error_response(error.errors, error.status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    response = error_response({"authorization": ["Sign in or send Authorization: Bearer <token>."]}, 401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    return database_unavailable(request)  # 503 with Retry-After, as for pages (ninja would answer 500 itself)


@csrf_exempt  # it changes nothing, and a POST to a path that isn't an operation gets the API's 404, not a CSRF page
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response({"path": [f"No API endpoint at {request.path}."]}, 404)


def urlpatterns() -> tuple[list[URLPattern | URLResolver], str]:
    """The API's URLs (namespace "api"), then a JSON 404 for any other path under /api/v1/."""
    patterns, app_name, _ = api.urls
    return [*patterns, re_path(r"^(?P<rest>.*)$", not_found)], app_name
