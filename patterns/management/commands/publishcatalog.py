from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from patterns.publishing import draft_differs_from_published, version_publish


class Command(BaseCommand):
    help = (
        "Publish the draft as the next catalog version, with the publish page's rule: refused when a curated scenario "
        "no longer ranks its expected pattern first (or lost its expected confidence), unless --override-reason says "
        "why. Nothing happens when the draft equals the published version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--note", required=True, help="What changed and why (the version's change note).")
        parser.add_argument(
            "--override-reason", default="", help="Publish even though scenarios regress; recorded with the version."
        )

    def handle(self, *args: Any, note: str, override_reason: str, **options: Any) -> None:
        if not draft_differs_from_published():
            self.stdout.write("The draft is what is published already; nothing to publish.")
            return
        try:
            version = version_publish(actor=None, note=note, override_reason=override_reason)
        except ValidationError as error:
            raise CommandError("Not published: " + " ".join(error.messages)) from None
        self.stdout.write(f"Published catalog version {version.label}.")
