"""The form that saves a wizard's answers as a template of one of my teams (where I may edit)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from portal.forms import FocusOnErrorForm
from portal.models import Team


class TeamTemplateForm(FocusOnErrorForm):
    prefix = "template"  # the page's other form has a "name" too

    name = forms.CharField(label="Template name", max_length=120,
                           help_text="e.g. “Our Azure Integration Services standard”")  # fmt: skip
    team = forms.ChoiceField(label="For team", help_text="Its members can start a wizard from it.")

    def __init__(self, *args: Any, teams: list[Team], user_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["team"]).choices = [
            (str(team.pk), "My personal team" if team.personal_for_id == user_id else team.name) for team in teams
        ]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError("Name the template.")
        return name
