#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # Commands run by hand default to development; the web server (portal/wsgi.py) defaults to production, and
    # production deployments set DEBUG=false for their commands too (see docker-compose.yml).
    os.environ.setdefault("DEBUG", "true")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:  # a setting that can't work: one sentence, not a traceback
        sys.exit(f"Configuration error: {error}")


if __name__ == "__main__":
    main()
