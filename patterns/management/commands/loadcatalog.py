from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from patterns.content import CONTENT_FILE, ContentError, read_content
from patterns.loader import catalog_load
from patterns.publishing import draft_differs_from_published, latest_version_number, version_publish


class Command(BaseCommand):
    help = (
        "Load the curated catalog from the content file into the draft. On a database with nothing published yet the "
        "draft is published as the first version, so a new install works; after that publishing is the curators' "
        "decision (the publish page, `publishcatalog`, or --publish here). Idempotent; validates the whole file first "
        "and loads nothing if any entry is malformed; keeps rows that curators edited in the admin unless --overwrite."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(CONTENT_FILE), help="Content file (JSON).")
        parser.add_argument(
            "--overwrite", action="store_true", help="Replace rows edited in the admin with the file's content."
        )
        when = parser.add_mutually_exclusive_group()
        when.add_argument(
            "--publish", action="store_true", help="Also publish the draft when it differs from the published version."
        )
        when.add_argument("--no-publish", action="store_true", help="Load into the draft only, even the first time.")
        parser.add_argument("--note", default="", help="The change note of the published version.")
        parser.add_argument(
            "--override-reason", default="", help="Publish even if a curated scenario no longer ranks first."
        )

    def handle(self, *args: Any, path: str, overwrite: bool, publish: bool, no_publish: bool, **options: Any) -> None:
        try:
            data = read_content(Path(path))
            report = catalog_load(data=data, overwrite=overwrite)
        except ContentError as error:
            problems = "\n".join(f"  {line}" for line in error.errors)
            raise CommandError(f"{path} was not loaded; nothing changed. Fix these entries:\n{problems}") from None
        self.stdout.write(report.summary())
        first = latest_version_number() is None
        if no_publish or not (first or publish) or not draft_differs_from_published():
            self.stdout.write("Published catalog unchanged." if first or publish or no_publish else
                              "Published catalog unchanged: the draft waits for a curator to publish it.")  # fmt: skip
            return
        try:
            version = version_publish(
                actor=None,
                note=options["note"] or f"Loaded content {report.version} with loadcatalog.",
                override_reason=options["override_reason"],
            )
        except ValidationError as error:
            raise CommandError(
                "Loaded into the draft but not published: " + " ".join(error.messages)
                + " Use --override-reason to publish anyway."
            ) from None  # fmt: skip
        self.stdout.write(f"Published catalog version {version.label}.")
