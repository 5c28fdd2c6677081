# The portal on gunicorn. Build: docker build -t d365-integration-portal .
FROM python:3.13-slim

ENV DEBUG=false \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN python -m pip install --upgrade "pip>=25.1"
COPY pyproject.toml ./
RUN pip install --group runtime

COPY . .
# Static files are collected at build time with a throwaway key; the real SECRET_KEY comes at run time.
RUN DEBUG=false SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 \
    python manage.py collectstatic --no-input \
 && useradd --system --uid 10001 portal
USER portal

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["sh", "-c", "python manage.py migrate --no-input && python manage.py loadcatalog && exec gunicorn portal.wsgi --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-2} --access-logfile -"]
