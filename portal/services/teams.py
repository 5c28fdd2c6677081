"""Teams and their members. A team always keeps at least one owner."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from portal.models import Membership, Role, Team
from portal.services.history import team_history_record


def team_personal(user: User) -> Team:
    team = Team.objects.filter(personal_for=user).first()
    if team is None:
        team = Team.objects.create(name=f"{user.get_username()}'s team", personal_for=user)
        Membership.objects.create(team=team, user=user, role=Role.OWNER)
    return team


@transaction.atomic
def team_create(*, name: str, owner: User) -> Team:
    team = Team(name=name.strip())
    team.full_clean()
    team.save()
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    return team


@transaction.atomic
def membership_add(*, team: Team, user: User, role: str, actor: User) -> Membership:
    """Add an account the caller already holds (people join through invitations: nothing here looks a username up,
    so no page can tell whether one exists)."""
    username = user.get_username()
    if Membership.objects.filter(team=team, user=user).exists():
        raise ValidationError({"username": f"{username} is already a member."})
    membership = Membership(team=team, user=user, role=role)
    membership.full_clean()
    membership.save()
    team_history_record(
        team, actor, "member added", f"{username} joined as {role}", None, {"user": username, "role": role}
    )
    return membership


def owners_left(team: Team, excluding: Membership) -> int:
    """Owners other than ``excluding``; the team row is locked first, so two owners demoting each other at the same
    moment can't both succeed."""
    Team.objects.select_for_update().filter(pk=team.pk).first()
    return team.memberships.filter(role=Role.OWNER).exclude(pk=excluding.pk).count()


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor: User) -> Membership:
    membership = Membership.objects.select_for_update(of=("self",)).select_related("team", "user").get(pk=membership.pk)
    before = membership.role
    if before == Role.OWNER and role != Role.OWNER and owners_left(membership.team, membership) == 0:
        raise ValidationError({"role": "A team always keeps at least one owner: make someone else owner first."})
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    team_history_record(
        membership.team,
        actor,
        "role changed",
        f"{membership.user.get_username()}: {before} → {role}",
        {"role": before},
        {"role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    membership = Membership.objects.select_for_update(of=("self",)).select_related("team", "user").get(pk=membership.pk)
    if membership.role == Role.OWNER and owners_left(membership.team, membership) == 0:
        raise ValidationError({"role": "A team always keeps at least one owner: the last owner can't be removed."})
    username = membership.user.get_username()
    membership.delete()
    team_history_record(
        membership.team,
        actor,
        "member removed",
        f"{username} left the team",
        {"user": username, "role": membership.role},
        None,
    )
