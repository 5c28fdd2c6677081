"""Reads of team templates: those of one team (its page), and those of every team of mine (the wizard's start)."""

from __future__ import annotations

from typing import Any

from patterns.requirements import answer_label
from portal.models import Team, TeamTemplate


def _summarised(templates: list[TeamTemplate]) -> list[TeamTemplate]:
    """Each titled by what it is for and between which systems, and how many answers it fills in."""
    for template in templates:
        answers = template.answers
        count = len(answers)
        words = [answer_label(name, answers[name]) for name in ("goal", "scope") if name in answers]
        template.summary = " · ".join([*words, f"{count} answer{'s' if count != 1 else ''}"])
    return templates


def team_templates(team: Team) -> list[TeamTemplate]:
    return _summarised(list(TeamTemplate.objects.filter(team=team).select_related("created_by")))


def templates_of_my_teams(user: Any) -> list[TeamTemplate]:
    """Every template of the teams ``user`` is a member of, by team and name."""
    templates = TeamTemplate.objects.filter(team__memberships__user=user).select_related("team")
    return _summarised(list(templates.order_by("team__name", "team_id", "name", "id")))
