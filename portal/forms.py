from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from patterns.forms import long_text
from portal.models import (
    ChannelEvent,
    ChannelKind,
    DecisionStatus,
    Environment,
    EnvironmentKind,
    NotificationKind,
    Project,
    Role,
    TaskStatus,
    Team,
    TrackerKind,
)
from portal.selectors.projects import writable_projects
from portal.selectors.teams import team_menu
from portal.services.tokens import DEFAULT_LIFETIME_DAYS, LIFETIME_CHOICES_DAYS

NEW_PROJECT = "new"


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has one, else above the form."""
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
    focus_first_error(form)


def form_problems(form: forms.BaseForm) -> str:
    """A refused form's errors in one line, for a message on the page it returns to."""
    return " ".join(str(problem) for errors in form.errors.values() for problem in errors)


def focus_first_error(form: forms.BaseForm) -> None:
    """The first field with an error gets focus when the page loads (or htmx swaps it in), so an error below the fold
    is where the reader lands and what a screen reader reads first."""
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["autofocus"] = True
            return


class FocusOnErrorForm(forms.Form):
    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and self.errors:
            focus_first_error(self)


def team_field(user: User, label: str = "Team") -> forms.ChoiceField:
    """The teams ``user`` may add a project to (their personal team once), the one they last worked in chosen."""
    menu = team_menu(user)
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=menu.choices,
        initial=menu.initial,
        help_text="Its members see the project; an owner of both teams can move it later.",
    )


def chosen_team(key: str) -> Team | None:
    """The team a ``team_field`` answer names (None: the personal team); the choices were the user's own."""
    return Team.objects.filter(pk=int(key)).first() if key else None


class ProjectForm(forms.ModelForm):
    """A new project, in one of the teams the user may write to (or their personal team)."""

    class Meta:
        model = Project
        fields = ("name", "description")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"] = team_field(user)

    def chosen_team(self) -> Team | None:
        return chosen_team(self.cleaned_data.get("team") or "")


class MoveProjectForm(forms.Form):
    """Where an owner moves a project: another team they own."""

    team = forms.ChoiceField(label="Move to team")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["team"]).choices = choices


class EnvironmentForm(FocusOnErrorForm):
    """An environment of the project: its name (unique in the project), kind and whether it is production."""

    name = forms.CharField(max_length=100, label="Name", help_text="As the team calls it, such as “FO production”.")
    kind = forms.ChoiceField(choices=EnvironmentKind.choices, label="Kind")
    production = forms.BooleanField(required=False, label="Production")

    def __init__(self, *args: Any, project: Project, current: Environment | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project, self.current = project, current

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError("Give the environment a name.")
        taken = self.project.environments.filter(name__iexact=name)
        if self.current is not None:
            taken = taken.exclude(pk=self.current.pk)
        if taken.exists():
            raise ValidationError(f"The project already has an environment called {name}.")
        return name


class PlacementForm(forms.Form):
    """Where an integration runs: one of its project's environments (or none), and the account it runs as."""

    environment = forms.ModelChoiceField(
        queryset=Environment.objects.none(), required=False, empty_label="No environment", label="Runs in"
    )
    identity = forms.CharField(
        max_length=100, required=False, label="Runs as",
        help_text="The account it signs in with, such as an application user: integrations that share one share "
        "its service protection budget.",
    )  # fmt: skip

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["environment"]).queryset = project.environments.all()


class SaveIntegrationForm(FocusOnErrorForm):
    """Where to save a wizard result: an existing project of the user's, or a new one."""

    name = forms.CharField(label="Integration name", max_length=200, help_text="e.g. “Web shop sales orders”")
    project = forms.ChoiceField(label="Save in project")
    new_project_name = forms.CharField(label="New project name", max_length=200, required=False)
    new_project_team = forms.ChoiceField(label="In team", required=False)
    source_system = forms.CharField(label="From system (optional)", max_length=100, required=False,
                                    help_text="Where the data or call starts, e.g. “Web shop” or “F&O production”; "
                                              "the project's landscape draws it.")  # fmt: skip
    target_system = forms.CharField(label="To system (optional)", max_length=100, required=False,
                                    help_text="Where it arrives, e.g. “Dataverse”.")  # fmt: skip
    environment = forms.CharField(label="Runs in environment (optional)", max_length=100, required=False,
                                  help_text="One of the project's environments, by name: its shared limits count "
                                            "this integration.")  # fmt: skip
    identity = forms.CharField(label="Runs as account (optional)", max_length=100, required=False,
                               help_text="The application user it signs in with.")  # fmt: skip

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_project_team"] = team_field(owner, "New project's team")
        self.projects = {str(p.pk): p for p in writable_projects(owner)}
        cast(forms.ChoiceField, self.fields["project"]).choices = [
            (NEW_PROJECT, "A new project…"),
            *((pk, f"{project.name} ({project.team.name})") for pk, project in self.projects.items()),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("project") == NEW_PROJECT and not (data.get("new_project_name") or "").strip():
            self.add_error("new_project_name", "Name the new project, or choose an existing one.")
        self.placed_in: Environment | None = None
        named = " ".join((data.get("environment") or "").split())
        project = self.projects.get(data.get("project") or "")
        if named and project is None:
            self.add_error("environment", "A new project has no environments yet: add them on its Environments page.")
        elif named and project is not None:
            self.placed_in = project.environments.filter(name__iexact=named).first()
            if self.placed_in is None:
                known = ", ".join(project.environments.values_list("name", flat=True)) or "none yet"
                self.add_error("environment", f"{project.name} has no environment called {named} (it has: {known}).")
        return data

    def chosen_project(self) -> Project | None:
        return self.projects.get(self.cleaned_data["project"])

    def chosen_environment(self) -> Environment | None:
        return self.placed_in

    def chosen_team(self) -> Team | None:
        return chosen_team(self.cleaned_data.get("new_project_team") or "")


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=100, help_text="What will use it, e.g. “CI pipeline”.")
    lifetime_days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(days, f"{days} days") for days in LIFETIME_CHOICES_DAYS],
        initial=DEFAULT_LIFETIME_DAYS,
        required=False,  # a client that doesn't choose gets the default (never "no expiry")
        empty_value=None,
    )


class QuickSelect(forms.Select):
    """A select of plain (value, label) choices written here rather than by Django's widget templates, which render a
    template per option: a ranking's thirty options cost a millisecond that way. The markup is the same."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{escape(v)}"{" selected" if str(v) in chosen else ""}>{escape(label)}</option>'
            for v, label in self.choices
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)),
                           mark_safe(options))  # noqa: S308 - values and labels escaped above  # fmt: skip


class DecisionForm(FocusOnErrorForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)  # 0: the editor saw no decision yet
    chosen_pattern_slug = forms.ChoiceField(label="Chosen pattern", widget=QuickSelect)
    rationale = long_text("Rationale")
    consequences = long_text("Consequences", rows=2, required=False)
    justification = long_text(
        "Why not the top-ranked option",
        rows=2,
        required=False,
        help_text="Required when you choose something other than the first option.",
    )

    def __init__(self, *args: Any, options: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["chosen_pattern_slug"]).choices = [
            (o["pattern"], f"{o['rank']}. {o['name']} ({o['score']:.0f})") for o in options
        ]


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment (Markdown)", widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)


class ChecklistEntryForm(FocusOnErrorForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=TaskStatus.choices)
    not_applicable_reason = forms.CharField(label="Reason it doesn't apply", required=False, max_length=300)
    assignee = forms.ChoiceField(label="Owner", required=False)
    due_date = forms.DateField(label="Due", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    notes = long_text("Notes", rows=2, required=False)
    evidence_url = forms.URLField(label="Evidence link", required=False, max_length=500, assume_scheme="https")

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(user.pk): user for user in members}
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [
            ("", "Nobody yet"),
            *((pk, u.get_username()) for pk, u in self.members.items()),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == TaskStatus.NOT_APPLICABLE and not (data.get("not_applicable_reason") or "").strip():
            self.add_error("not_applicable_reason", "Say why this task doesn't apply.")
        return data

    def chosen_assignee(self) -> Any:
        return self.members.get(self.cleaned_data.get("assignee") or "")


class TeamForm(FocusOnErrorForm):
    name = forms.CharField(label="Team name", max_length=200)


ROLE_SHORT_CHOICES = [(role.value, role.value.capitalize()) for role in Role]


class ChannelForm(forms.Form):
    """A chat webhook for a team: where it is, and which events it hears."""

    kind = forms.ChoiceField(label="Where", choices=ChannelKind.choices)
    address = forms.CharField(
        label="Webhook address",
        max_length=1000,
        widget=forms.PasswordInput(render_value=False),
        help_text="https only; kept encrypted and never shown again (only its host).",
    )
    events = forms.MultipleChoiceField(label="Post when", choices=ChannelEvent.choices,
                                       initial=[e for e in ChannelEvent.values if e != ChannelEvent.OVERDUE_DIGEST],
                                       widget=forms.CheckboxSelectMultiple)  # fmt: skip


class TrackerForm(forms.Form):
    """Where a team tracks work: the tracker, its site and project, and a token (never shown again)."""

    kind = forms.ChoiceField(label="Tracker", choices=TrackerKind.choices)
    site = forms.URLField(
        label="Site",
        max_length=200,
        assume_scheme="https",
        help_text="https://dev.azure.com/your-organisation, or https://your-site.atlassian.net",
    )
    project_key = forms.CharField(label="Project", max_length=100, help_text="Azure DevOps: its name; Jira: its key.")
    user = forms.CharField(label="Jira account e-mail", max_length=200, required=False,
                           help_text="Jira only: the account the API token belongs to.")  # fmt: skip
    token = forms.CharField(
        label="Token",
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
        help_text="Azure DevOps: a personal access token with Work Items (read and write); Jira: an API token. Kept "
        "encrypted, never shown again.",
    )


class InvitationForm(FocusOnErrorForm):
    email = forms.EmailField(label="E-mail address", max_length=254)
    role = forms.ChoiceField(label="Role", choices=ROLE_SHORT_CHOICES, initial=Role.CONTRIBUTOR)

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class SignUpForm(UserCreationForm):
    """A local account made by someone holding an invitation; the address is the invitation's."""

    class Meta(UserCreationForm.Meta):
        fields = ("username",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The page offers signing in first; jumping into this form would skip past that.
        self.fields["username"].widget.attrs.pop("autofocus", None)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class MilestoneForm(forms.Form):
    name = forms.CharField(label="Milestone name", max_length=200)


class SettingsForm(forms.Form):
    required_approvals = forms.IntegerField(label="Approvals needed to accept a decision", min_value=0, max_value=10)


class DecisionLogForm(forms.Form):
    """The decision log's search and filters (a GET form: the URL is the search, shareable and bookmarkable)."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    status = forms.ChoiceField(label="Status", required=False)
    team = forms.TypedChoiceField(label="Team", required=False, coerce=int, empty_value=None)
    since = forms.DateField(label="Changed from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="to", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, teams: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", "Any status"), *DecisionStatus.choices]
        cast(forms.ChoiceField, self.fields["team"]).choices = [("", "All my teams"), *((t.pk, t.name) for t in teams)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date comes before the start date.")
        return data


class NotificationPreferencesForm(forms.Form):
    """Two tick boxes per kind of notification: in the inbox, by e-mail."""

    def __init__(self, *args: Any, current: dict[str, tuple[bool, bool]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in NotificationKind.choices:
            inbox, email = current.get(kind, (True, True))
            self.fields[f"{kind}__inbox"] = forms.BooleanField(label=f"{label}: inbox", required=False, initial=inbox)
            self.fields[f"{kind}__email"] = forms.BooleanField(label=f"{label}: e-mail", required=False, initial=email)

    def rows(self) -> list[tuple[str, Any, Any]]:
        return [(label, self[f"{kind}__inbox"], self[f"{kind}__email"]) for kind, label in NotificationKind.choices]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        return {
            kind: (self.cleaned_data[f"{kind}__inbox"], self.cleaned_data[f"{kind}__email"])
            for kind in NotificationKind.values
        }
