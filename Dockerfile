# The portal on gunicorn. Build: docker build -t d365-integration-portal .
# One image for every role: the web server (default command), the release step (`python manage.py release`, run once
# per deployment as a Compose service or a Kubernetes Job, never on every start), the task worker
# (`python manage.py db_worker`) and cron jobs (`clearsessions`).
FROM python:3.13-slim

ENV DEBUG=false \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000

WORKDIR /app
# Pango and a font for WeasyPrint (the PDF report), and the time zone database (each account's zone, checked and
# shown with Python's zoneinfo); nothing else from apt.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core tzdata \
 && rm -rf /var/lib/apt/lists/*
RUN python -m pip install --upgrade "pip>=25.1"
# Exact versions with their hashes (make lock); nothing else is resolved at build time.
COPY requirements-runtime.lock ./
RUN pip install --require-hashes --no-deps -r requirements-runtime.lock

COPY . .
# Static files are collected at build time with a throwaway key; the real SECRET_KEY comes at run time.
RUN DEBUG=false SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 \
    python manage.py collectstatic --no-input -v0 \
 && useradd --system --uid 10001 portal
USER 10001

EXPOSE 8000
# Liveness only (no database): a database outage must not mark every replica unhealthy. Readiness is /readyz.
# Plain HTTP with 127.0.0.1 as Host works under the TLS settings: the probes skip the HTTPS redirect and Host check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8000\")}/healthz', timeout=4).status != 200)"]
# Starts the server only: migrations and the catalog are the release step's job.
CMD ["python", "deploy/serve.py"]
