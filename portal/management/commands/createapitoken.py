from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.services.tokens import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it (only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="Command-line token", help="A label for the token.")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        token, secret = api_token_create(user=user, name=name)
        self.stderr.write(f"Token “{token.name}” for {username}; it is shown only now:")
        self.stdout.write(secret)
