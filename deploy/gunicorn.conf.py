"""gunicorn settings for `make serve`, the image and the deployments: everything from the environment.

PORT (default 8000) and WEB_CONCURRENCY (sync workers; default: one per core, which beats threads for template pages
on these machines) as platforms set them; BIND overrides the address entirely (default 0.0.0.0:$PORT).
"""

import os

bind = [os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (a rolling update, `docker stop`), finish the requests in flight before exiting.
graceful_timeout = 25
keepalive = 5  # a little longer than nothing, so a reverse proxy can reuse connections
# A worker restarts now and then, so a slow leak can't grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
