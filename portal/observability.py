"""Logs a platform can index: one JSON object a line with the time, level, request id and user id.

``RequestLogMiddleware`` gives every request an id (the proxy's X-Request-ID when it sent a sane one, else a new
one), returns it in X-Request-ID, and logs one access line per request. ``RequestContextFilter`` puts the id and
the signed-in user's id on every record logged while the request runs, and ``JsonFormatter`` writes the line. The
user id is read only when authentication already loaded the user: logging never queries the database.

Nothing here imports models: logging is configured before Django's apps are ready.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

_current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
access_log = logging.getLogger("portal.access")
# Attributes every LogRecord has; anything else was passed in ``extra`` and goes into the JSON as it is.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "_cached_user", None)  # set by AuthenticationMiddleware once something asked
    return user.pk if user is not None and user.is_authenticated else None


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = _current_request.get()
        if not hasattr(record, "request_id"):
            record.request_id = getattr(request, "request_id", None)
        if not hasattr(record, "user_id"):
            record.user_id = _user_id(request) if request is not None else None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
        }
        entry.update({key: value for key, value in vars(record).items() if key not in _STANDARD and key not in entry})
        entry.pop("request", None)  # Django's request loggers attach the request object itself
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


# Secrets that travel in a path (a tracker's hook address) never reach the log.
SECRET_IN_PATH = re.compile(r"^(/hooks/work-items/\d+/)[^/]+")


def logged_path(path: str) -> str:
    return SECRET_IN_PATH.sub(r"\1[secret]", path)


class RequestLogMiddleware:
    """Early in the list: the id exists before anything else logs, and the access line has the final status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _current_request.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            access_log.info(
                "%s %s %s",
                request.method,
                logged_path(request.path),
                response.status_code,
                extra={
                    "method": request.method,
                    "path": logged_path(request.path),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _current_request.reset(token)
