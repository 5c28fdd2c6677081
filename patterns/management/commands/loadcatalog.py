from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from patterns.content import CONTENT_FILE, ContentError, read_content
from patterns.services import catalog_load


class Command(BaseCommand):
    help = (
        "Load the curated catalog from the content file. Idempotent; validates the whole file first and loads "
        "nothing if any entry is malformed; keeps rows that curators edited in the admin unless --overwrite."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(CONTENT_FILE), help="Content file (JSON).")
        parser.add_argument(
            "--overwrite", action="store_true", help="Replace rows edited in the admin with the file's content."
        )

    def handle(self, *args: Any, path: str, overwrite: bool, **options: Any) -> None:
        try:
            report = catalog_load(data=read_content(Path(path)), overwrite=overwrite)
        except ContentError as error:
            problems = "\n".join(f"  {line}" for line in error.errors)
            raise CommandError(f"{path} was not loaded; nothing changed. Fix these entries:\n{problems}") from None
        self.stdout.write(report.summary())
