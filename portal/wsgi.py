"""WSGI entry point (gunicorn portal.wsgi). A setting that can't work stops the server with its one sentence (exit
code 4: gunicorn's "the app failed to load", so it stops rather than restarting workers forever); so does a server
without ALLOWED_HOSTS in production, which would answer every request with a 400 and say why only in its logs."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
try:
    application = get_wsgi_application()
    from django.conf import settings

    if not settings.DEBUG and not settings.ALLOWED_HOSTS:
        raise ImproperlyConfigured(settings.NO_HOSTS)
except ImproperlyConfigured as error:
    sys.stderr.write(f"Configuration error: {error}\n")
    sys.exit(4)
