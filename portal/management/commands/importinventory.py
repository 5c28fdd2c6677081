"""manage.py importinventory FILE --project ID [--as USERNAME] [--dry-run]: an integration inventory (CSV or XLSX)
into a project, all or nothing (portal.services.inventory)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.models import Project
from portal.services.inventory import InventoryError, inventory_import, parse_inventory, read_table


class Command(BaseCommand):
    help = "Import an integration inventory (CSV or XLSX) into a project; every problem is listed by line and column."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--project", type=int, required=True, help="the project's id")
        parser.add_argument("--as", dest="username", help="who the history names (default: the project's owner)")
        parser.add_argument("--dry-run", action="store_true", help="check and rank every row, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(pk=options["project"]).select_related("owner").first()
        if project is None:
            raise CommandError(f"No project {options['project']}.")
        actor = project.owner
        if options["username"]:
            named = get_user_model().objects.filter(username=options["username"]).first()
            if named is None:
                raise CommandError(f"No user {options['username']!r}.")
            actor = named
        path: Path = options["file"]
        try:
            rows = parse_inventory(read_table(path.name, path.read_bytes()), project.environments.all())
            report = inventory_import(project=project, actor=actor, rows=rows, dry_run=options["dry_run"])
        except OSError as error:
            raise CommandError(f"Can't read {path}: {error.strerror}.") from None
        except InventoryError as error:
            raise CommandError("Nothing imported:\n" + "\n".join(f"  {p}" for p in error.problems)) from None
        for row in report.rows:
            self.stdout.write(f"line {row['line']}: {row['action']} {row['name']} → {row['top']} ({row['fit']} fit)"
                              + (f", {row['capacity']}" if row["capacity"] else ""))  # fmt: skip
        if report.dry_run:
            self.stdout.write(f"Dry run: {len(report.rows)} rows checked, nothing written.")
        else:
            self.stdout.write(f"Imported into {project.name}: {report.created} added, {report.updated} updated.")
