"""The portal's own middleware: probes that answer before the Host check, headers on every response, input the
database can't store refused at the door, the reader's time zone, and a database outage answered as 503 rather
than 500."""

from __future__ import annotations

import sys
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views import defaults

from portal.probes import PROBES
from portal.selectors.accounts import time_zone_setting
from portal.storable import text_problem
from portal.time_zones import SESSION_KEY, is_time_zone

Handler = Callable[[HttpRequest], HttpResponse]

# Features the portal never uses, denied to it and to anything it might embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        # Only features Chromium recognises: it logs a console error for every one it doesn't (ambient-light-sensor,
        # battery, bluetooth, document-domain and web-share, as of Chromium 156), on every page.
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation", "gyroscope",
        "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment", "picture-in-picture",
        "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
)  # fmt: skip
DATABASE_RETRY_AFTER_SECONDS = 10


def _depends_on_the_user(request: HttpRequest, response: HttpResponse) -> bool:
    """The session was read (sessions add ``Vary: Cookie``), a CSRF cookie was used, or the caller sent a token."""
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",")}
    return bool(vary & {"cookie", "authorization"}) or "HTTP_AUTHORIZATION" in request.META


class ResponseHeadersMiddleware:
    """Outermost, so it sees every response (static files and probes too) after sessions have added their Vary."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if _depends_on_the_user(request, response):
            # A shared cache must never keep one person's page for another, nor a browser keep it after sign-out.
            # Added to what the view said (public and max-age lose to private and no-store). A page with an ETag
            # (portal.caching) may be kept by the reader's browser, which asks again before every use (no-cache):
            # a 304 when nothing changed, the sign-in page once the session is gone.
            revalidate = response.has_header("ETag") and "no-cache" in response.get("Cache-Control", "")
            patch_cache_control(response, private=True, **({} if revalidate else {"no_store": True}))
            response.headers.pop("Expires", None)
            if "HTTP_AUTHORIZATION" in request.META:
                patch_vary_headers(response, ("Authorization",))
        return response


class ProbesMiddleware:
    """Before SecurityMiddleware: probes answer over plain HTTP, whatever the Host header (no ALLOWED_HOSTS check,
    no redirect to HTTPS), and never touch sessions."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        return probe(request) if probe else self.get_response(request)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


class UnstorableTextMiddleware:
    """Paths, query and form parameters with NUL or a lone surrogate are refused before any view, form or the
    database sees them (JSON bodies are checked where the API reads them)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = text_problem(request.path_info)  # %00 in a URL reaches <str:…> path parameters decoded
        if problem:
            return self._refuse(request, problem)
        for parameters in (request.GET, request.POST):
            for name, values in parameters.lists():
                problem = next(filter(None, map(text_problem, [name, *values])), None)
                if problem:
                    return self._refuse(request, problem)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, problem: str) -> HttpResponse:
        if _is_api(request):
            return JsonResponse({"errors": {"body": [problem]}}, status=400)
        return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")


def reader_time_zone(request: HttpRequest) -> str | None:
    """The zone the session carries (put there at sign-in); a session from before time zones reads the account's
    once and keeps it. No session cookie, no session read: a signed-out page stays cacheable (no ``Vary: Cookie``)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    session = request.session
    name = session.get(SESSION_KEY)
    if name is None and (user_id := session.get(USER_SESSION_KEY)):
        name = session[SESSION_KEY] = time_zone_setting(user_id).name
    return name if is_time_zone(name) else None


class LocalTimeMiddleware:
    """Every date and time a page shows is in the reader's time zone, and the reader's date says what is overdue or
    due (``timezone.localdate()``); signed out, or through the API with a token, UTC."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = reader_time_zone(request)
        if name:
            timezone.activate(ZoneInfo(name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, otherwise the styled page, rendered without context processors (they
    would read the session from the database that is down)."""
    if _is_api(request):
        response: HttpResponse = JsonResponse(
            {"errors": {"database": ["The database is unavailable; try again in a few seconds."]}}, status=503
        )
    else:
        context = {"request": request, "user": None, "messages": (), "is_curator": False}
        response = HttpResponse(loader.render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request Django refuses before any view (a Host header that isn't a host name, say). Under /api/
    it answers in the API's one error shape, as the OpenAPI document promises; elsewhere, the plain 400 page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"errors": {"request": ["Bad request: check the Host header and the request line."]}},
                            status=400)  # fmt: skip
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost database outside a view (a middleware saving the session on the way out) is a 503 as well;
    anything else is the plain 500 page, rendered without context (it must not fail in turn)."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    return HttpResponseServerError(loader.render_to_string("500.html"))


class DatabaseUnavailableMiddleware:
    """A lost database connection in a view is a 503 the client can retry, not a 500; the connection is closed at
    the end of the request (Django does that after an error), so the next request reconnects by itself."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # SQLite is a file, never "away": its OperationalErrors are bugs (a missing migration, say) and must show as
        # errors, not as "back in a moment".
        if isinstance(exception, OperationalError | InterfaceError) and connection.vendor != "sqlite":
            return database_unavailable(request)
        return None
