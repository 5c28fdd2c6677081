from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from patterns.content import validate_content
from patterns.draft import catalog_export


class Command(BaseCommand):
    help = (
        "Write the whole catalog (patterns, fits, cautions, scenarios, checklist, weights) in the content-file "
        "format, so curation done in the admin can go through code review and loadcatalog round-trips it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="Write here instead of standard output.")
        parser.add_argument("--content-version", dest="content_version", help="The version label to write.")

    def handle(self, *args: Any, path: str | None, content_version: str | None, **options: Any) -> None:
        content = catalog_export()
        if content_version:
            content["version"] = content_version
        validate_content(content)
        text = json.dumps(content, indent=2, ensure_ascii=False) + "\n"
        if path:
            Path(path).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {len(content['patterns'])} patterns to {path}.")
        else:
            self.stdout.write(text, ending="")
