"""gunicorn settings for `make serve`, the image and the deployments: everything from the environment.

PORT (default 8000) and WEB_CONCURRENCY (sync workers; default: one per core, which beats threads for template pages
on these machines) as platforms set them; BIND overrides the address entirely (default 0.0.0.0:$PORT).
"""

import os
import sys


def whole(name: str, default: int) -> int:
    """A setting that must be a whole number from 1: a wrong one stops gunicorn with one sentence."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        sys.exit(f"Configuration error: {name}={raw!r} must be a whole number from 1.")
    return int(raw)


bind = [os.environ.get("BIND") or f"0.0.0.0:{whole('PORT', 8000)}"]
workers = whole("WEB_CONCURRENCY", os.cpu_count() or 2)
worker_class = "sync"
timeout = whole("GUNICORN_TIMEOUT", 30)
# On SIGTERM (a rolling update, `docker stop`), finish the requests in flight before exiting.
graceful_timeout = 25
keepalive = 5  # a little longer than nothing, so a reverse proxy can reuse connections
# A worker restarts now and then, so a slow leak can't grow without bound.
max_requests = 2000
max_requests_jitter = 200
# The portal logs every request itself (JSON with the request and user ids), so gunicorn's access log is off and
# its own messages (workers starting, timeouts) use the same JSON lines unless LOG_FORMAT=text.
# No control socket: replicas on one host would share its path, and the image's user has no home to put it in.
control_socket_disable = True
accesslog = None
errorlog = "-"
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "portal.observability.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
    }
