"""The web server's command (the image's CMD, Compose, Kubernetes, `make serve`): checks what gunicorn itself reads
from the environment before it starts, so a wrong value stops it with one sentence rather than gunicorn's traceback,
then becomes gunicorn with deploy/gunicorn.conf.py. Arguments are passed on (e.g. --bind)."""

import os
import sys
from pathlib import Path

WHOLE_NUMBERS = ("WEB_CONCURRENCY", "PORT", "GUNICORN_TIMEOUT")  # read by gunicorn and deploy/gunicorn.conf.py


def problems() -> list[str]:
    found = []
    for name in WHOLE_NUMBERS:
        raw = (os.environ.get(name) or "").strip()
        if raw and not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            found.append(f"Configuration error: {name}={raw!r} must be a whole number from 1.")
    return found


def settings_problem() -> str | None:
    """The portal's settings read once here, as every worker will read them: one that can't work stops the server
    with its sentence before any worker starts (workers that each fail to load make gunicorn halt, and when two fail at
    once it prints a traceback of its own)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        if not settings.DEBUG and not settings.ALLOWED_HOSTS:
            raise ImproperlyConfigured(settings.NO_HOSTS)
    except ImproperlyConfigured as error:
        return f"Configuration error: {error}"
    return None


if __name__ == "__main__":
    if errors := problems():
        sys.exit("\n".join(errors))
    if problem := settings_problem():
        sys.exit(problem)
    command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", *sys.argv[1:], "portal.wsgi"]
    os.execv(sys.executable, command)  # noqa: S606 - our own interpreter and fixed arguments
