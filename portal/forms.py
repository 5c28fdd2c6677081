from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser

from portal.models import Project

NEW_PROJECT = "new"


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ("name", "description")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class SaveIntegrationForm(forms.Form):
    """Where to save a wizard result: an existing project of the user's, or a new one."""

    name = forms.CharField(label="Integration name", max_length=200, help_text="e.g. “Web shop sales orders”")
    project = forms.ChoiceField(label="Save in project")
    new_project_name = forms.CharField(label="New project name", max_length=200, required=False)

    def __init__(self, *args: Any, owner: AbstractBaseUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.projects = {str(p.pk): p for p in Project.objects.filter(owner=owner).only("pk", "name")}
        self.fields["project"].choices = [
            (NEW_PROJECT, "A new project…"),
            *((pk, project.name) for pk, project in self.projects.items()),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("project") == NEW_PROJECT and not (data.get("new_project_name") or "").strip():
            self.add_error("new_project_name", "Name the new project, or choose an existing one.")
        return data

    def chosen_project(self) -> Project | None:
        return self.projects.get(self.cleaned_data["project"])


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=100, help_text="What will use it, e.g. “CI pipeline”.")
