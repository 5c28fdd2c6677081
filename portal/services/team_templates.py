"""Team templates: a team's standard wizard answers under a name, saved from a wizard by the team's editors and
removed by them from the team page. The team page lists them, so each change counts in the team's revision (its
ETag and cached fragments move with it)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from portal.models import Team, TeamTemplate

NAME_TAKEN = "The team has a template of that name already: choose another name."


def team_template_create(*, team: Team, name: str, answers: dict[str, Any], actor: User) -> TeamTemplate:
    """Save ``answers`` (a wizard draft's: checked against the vocabulary; the optional numbers left out, as each
    integration has its own) as the team's template ``name``, unique in the team whatever its case."""
    name = " ".join(name.split())
    template = TeamTemplate(team=team, name=name, created_by=actor,
                            answers={key: value for key, value in answers.items() if key != "capacity"})  # fmt: skip
    if TeamTemplate.objects.filter(team=team, name__iexact=name).exists():
        raise ValidationError({"name": NAME_TAKEN})
    template.full_clean(validate_constraints=False)  # checked above, and by the database below
    try:
        with transaction.atomic():
            template.save()
            Team.objects.filter(pk=team.pk).update(revision=F("revision") + 1)
    except IntegrityError as error:  # the same name saved a moment ago by someone else
        raise ValidationError({"name": NAME_TAKEN}) from error
    return template


@transaction.atomic
def team_template_remove(*, template: TeamTemplate) -> None:
    """Drafts started from it keep their answers: they were copied."""
    TeamTemplate.objects.filter(pk=template.pk).delete()
    Team.objects.filter(pk=template.team_id).update(revision=F("revision") + 1)
