from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Development only: when no user exists yet, create the superuser 'admin' with a generated password and "
        "print it once. Refuses to run with DEBUG off."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # Development means DEBUG on *and* the built-in development key: a real SECRET_KEY means a real deployment.
        if not settings.DEBUG or settings.SECRET_KEY != settings.DEVELOPMENT_SECRET_KEY:
            raise CommandError(
                "ensuredevadmin only runs in development (DEBUG=true, no SECRET_KEY set); use createsuperuser instead."
            )
        users = get_user_model().objects
        if users.exists():
            self.stdout.write("Users exist already; no development account created.")
            return
        password = secrets.token_urlsafe(12)
        users.create_superuser("admin", "admin@localhost", password)
        banner = "=" * 64
        self.stdout.write(
            f"{banner}\nDevelopment sign-in created (shown only this once):\n"
            f"  user: admin\n  password: {password}\n"
            f"Change it in the admin, or run `make createsuperuser` for your own.\n{banner}"
        )
