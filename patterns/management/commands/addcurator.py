from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from patterns.curators import curators_group


class Command(BaseCommand):
    help = "Make USERNAME a curator: staff, in the Curators group (edit and publish the catalog)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--remove", action="store_true", help="Take the curator role away instead.")

    def handle(self, *args: Any, username: str, remove: bool, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        group = curators_group()
        if remove:
            user.groups.remove(group)
            self.stdout.write(f"{username} is no longer a curator.")
            return
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(group)
        self.stdout.write(f"{username} is a curator now.")
