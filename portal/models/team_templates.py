"""Team templates: wizard answers a team gives again and again, saved under a name."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from patterns.requirements import Requirements, RequirementsError
from portal.models.teams import Team


class TeamTemplate(models.Model):
    """A team's standard answers ("our Azure Integration Services standard"): a new wizard can start from them, every
    answer still its own to change. The answers are the vocabulary's (``patterns.requirements``), checked like a
    finished draft's; the optional numbers stay out (each integration has its own)."""

    summary: str  # its goal, systems and number of answers in words, set by portal.selectors.team_templates

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="wizard_templates")
    name = models.CharField(max_length=120)
    answers = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", Lower("name"), "id"]
        constraints = [
            models.UniqueConstraint(
                models.F("team"),
                Lower("name"),
                name="team_template_unique_name",
                violation_error_message="The team has a template of that name already: choose another name.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.team})"

    def clean(self) -> None:
        if "capacity" in (self.answers if isinstance(self.answers, dict) else {}):
            raise ValidationError({"answers": "A template keeps answers only, not numbers."})
        try:
            Requirements.from_mapping(self.answers)
        except RequirementsError as error:
            raise ValidationError(
                {"answers": [f"{name}: {' '.join(messages)}" for name, messages in error.errors.items()]}
            ) from error
