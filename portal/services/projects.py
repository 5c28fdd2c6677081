"""Projects: created with their own copy of the published checklist; settings changed by the team's owners."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from portal.models import Capability, Membership, Project, Team, can
from portal.services.checklist import checklist_copy
from portal.services.history import history_record, team_history_record
from portal.services.teams import team_personal


def _role(team: Team, user: User) -> str | None:
    return Membership.objects.filter(team=team, user=user).values_list("role", flat=True).first()


@transaction.atomic
def project_create(*, owner: User, name: str, description: str = "", team: Team | None = None) -> Project:
    """A project in ``team`` (default: the owner's personal team) with its own copy of the curated checklist."""
    if team is not None and not can(_role(team, owner), Capability.WRITE):
        raise ValidationError({"team": "You can add projects only to a team where you edit."})
    project = Project(
        owner=owner, team=team or team_personal(owner), name=name.strip(), description=description.strip()
    )
    project.full_clean()
    project.save()
    checklist_copy(project)
    history_record(project=project, actor=owner, action="project created", subject=project.name)
    return project


@transaction.atomic
def project_settings_update(*, project: Project, actor: User, required_approvals: int) -> Project:
    before = project.required_approvals
    project.required_approvals = required_approvals
    project.full_clean()
    project.save(update_fields=["required_approvals", "updated_at"])
    history_record(project=project, actor=actor, action="settings changed", subject="Approvals needed to accept",
                   before={"required_approvals": before}, after={"required_approvals": required_approvals})  # fmt: skip
    return project


@transaction.atomic
def project_move(*, project: Project, team: Team, actor: User) -> Project:
    """Move a project to another team: only an owner of both may. Access follows at once (membership is read through
    the team on every request); the move is in the project's history and in each team's, and both teams' revisions
    move, so their cached lists and pages are rendered anew."""
    # Teams' rows first, then the project's: the order a team change takes, so the two can't deadlock.
    list(Team.objects.select_for_update().filter(pk__in=(project.team_id, team.pk)).order_by("pk"))
    locked = Project.objects.select_for_update(of=("self",)).select_related("team").get(pk=project.pk)
    if locked.team_id != project.team_id:
        raise ValidationError({"team": "Someone moved the project meanwhile; look at it again."})
    source = locked.team
    if team.pk == source.pk:
        raise ValidationError({"team": f"The project is already in {source.name}."})
    not_owner = [t.name for t in (source, team) if not can(_role(t, actor), Capability.MANAGE)]
    if not_owner:
        raise ValidationError({"team": "Only an owner of both teams can move a project; you aren't an owner of "
                               f"{' or '.join(not_owner)}."})  # fmt: skip
    before, after = {"team": source.name}, {"team": team.name}
    locked.team = team
    locked.save(update_fields=["team", "updated_at"])
    history_record(project=locked, actor=actor, action="project moved", subject=f"{source.name} → {team.name}",
                   before=before, after=after)  # fmt: skip
    for side in (source, team):  # each team's other projects, and its revision
        others = side.projects.exclude(pk=locked.pk)
        team_history_record(side, actor, "project moved", f"{locked.name}: {source.name} → {team.name}",
                            before, after, projects=others)  # fmt: skip
    return locked
