from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from portal.models import Team
from portal.services.portability import ProjectImportError, project_import


def _team(slug: str) -> Team:
    """The team whose name slugifies to ``slug`` (``integration-team`` for "Integration team"), or its id."""
    teams = [team for team in Team.objects.all() if slugify(team.name) == slug or str(team.pk) == slug]
    if not teams:
        raise CommandError(f"No team {slug!r}: give the slug of its name (e.g. integration-team) or its id.")
    if len(teams) > 1:
        choices = ", ".join(f"{team.pk} ({team.name})" for team in teams)
        raise CommandError(f"{len(teams)} teams are called {slug!r}; give one's id instead: {choices}.")
    return teams[0]


class Command(BaseCommand):
    help = (
        "Restore a project from its JSON export (/projects/<id>/export/json or GET /api/v1/projects/<id>) into a "
        "team: integrations with their saved rankings, decisions, approvals, comments, the checklist, milestones "
        "and history, attributed to the same usernames (which must exist here)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The exported JSON file.")
        parser.add_argument("--team", required=True, help="The team's slug (its name, slugified) or id.")

    def handle(self, *args: Any, file: str, team: str, **options: Any) -> None:
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Can't read {file}: {error}") from None
        try:
            project = project_import(data=data, team=_team(team))
        except ProjectImportError as error:
            raise CommandError(f"{file} was not imported; nothing changed. {error}") from None
        self.stdout.write(
            f"Imported project {project.name!r} as #{project.pk} into team {project.team.name!r}: "
            f"{project.integrations.count()} integrations, {project.checklist_entries.count()} checklist tasks, "
            f"{project.milestones.count()} milestones, {project.history.count()} history entries."
        )
