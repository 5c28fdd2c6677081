"""Team memberships that follow the organisation's directory (Microsoft Entra ID).

Staff map a group (its object id in the ID token's ``groups`` claim) or an app role (its value in ``roles``) to a
team and a role (``GroupMapping``). At each OpenID Connect sign-in, ``memberships_follow_directory`` brings the
person's memberships of mapped teams in line with the token, and records every change in the team's history with
the person's sign-in as the actor.

What a mapping covers, and so what the directory may change:

- a team that was never mapped: nothing, ever (its members are kept by hand);
- a team whose last mapping staff deleted: the memberships the directory made there (``DIRECTORY``, ``KEPT``) go at
  each person's next sign-in, as if their group had gone; the ones made by hand stay;
- in a mapped team, a membership the directory made (``MembershipSource.DIRECTORY``): its role follows the highest
  role the person's groups give there, and it goes when none does;
- in a mapped team, a membership made by hand: untouched while none of the person's groups is mapped to the team;
  once one is, the directory takes it over (its role follows from then on, and it goes with the group);
- never the team's last owner: a change that would leave the team without one is not made, the history says why,
  and the membership is marked ``KEPT`` (so the next sign-ins don't say it again) until another owner exists.

An app role, or a group named other than by its object id, is trusted from the mapping's tenant only: saved while a
single tenant could sign in, the mapping is given that tenant; one saved without (before that rule) still matches only
while exactly that one tenant is allowed, so allowing a second tenant, or e-mail domains instead, can't let another
tenant's administrators hand out the team.

When the token can't carry the person's groups (Entra's groups overage: ``_claim_names`` instead of ``groups``), teams
mapped by group are left exactly as they were and the result says so; app-role mappings still apply.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q

from portal.models import GroupMapping, Membership, MembershipSource, Role, Team
from portal.services.history import team_history_record
from portal.services.teams import owners_left

logger = logging.getLogger(__name__)

ROLE_ORDER: list[str] = [Role.VIEWER, Role.CONTRIBUTOR, Role.REVIEWER, Role.OWNER]  # of two mapped groups, the higher


def _strings(value: Any) -> frozenset[str]:
    return frozenset(str(item).strip() for item in value) if isinstance(value, list | tuple) else frozenset()


@dataclass(frozen=True)
class DirectoryClaims:
    """What an ID token says about a person's groups and app roles."""

    tenant: str
    groups: frozenset[str] | None  # None: the token couldn't carry them (groups overage)
    roles: frozenset[str]

    @classmethod
    def from_id_token(cls, claims: Mapping[str, Any]) -> DirectoryClaims:
        names = claims.get("_claim_names")
        overage = (isinstance(names, Mapping) and "groups" in names) or str(claims.get("hasgroups")).lower() == "true"
        groups = None if overage else frozenset(group.lower() for group in _strings(claims.get("groups")))
        return cls(tenant=str(claims.get("tid") or "").lower(), groups=groups, roles=_strings(claims.get("roles")))

    def grants(self, mapping: GroupMapping) -> bool:
        tenants = settings.OIDC_ALLOWED_TENANTS
        if mapping.tenant and mapping.tenant != self.tenant:
            return False
        if not mapping.tenant and mapping.assigned_by_any_tenant and (len(tenants) != 1 or tenants[0] != self.tenant):
            return False  # saved without one while a single tenant could sign in: trusted from that tenant only
        held = self.groups if mapping.claim == GroupMapping.Claim.GROUPS else self.roles
        return held is not None and mapping.value in held


@dataclass
class DirectorySync:
    changes: list[str] = field(default_factory=list)  # each change, as the team's history words it
    groups_unread: bool = False  # groups overage: teams mapped by group were left as they were


@transaction.atomic
def memberships_follow_directory(*, user: User, claims: DirectoryClaims) -> DirectorySync:
    """Bring ``user``'s memberships of mapped teams in line with their ID token's groups and app roles."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # one sign-in of a person at a time
    by_team: dict[int, list[GroupMapping]] = defaultdict(list)
    for mapping in GroupMapping.objects.select_related("team").filter(team__personal_for__isnull=True):
        by_team[mapping.team_id].append(mapping)
    # Their memberships of mapped teams, and the directory's own in teams no longer mapped (staff deleted the
    # mappings): those would otherwise never be looked at again, and keep the access the directory gave.
    made_by_the_directory = Q(
        source__in=[MembershipSource.DIRECTORY, MembershipSource.KEPT], team__personal_for__isnull=True
    )
    memberships = {
        membership.team_id: membership
        for membership in Membership.objects.select_for_update(of=("self",))
        .select_related("team")
        .filter(Q(team_id__in=by_team) | made_by_the_directory, user=user)
    }
    sync = DirectorySync()
    for mappings in by_team.values():
        if claims.groups is None and any(mapping.claim == GroupMapping.Claim.GROUPS for mapping in mappings):
            sync.groups_unread = True
            continue
        granting = [mapping for mapping in mappings if claims.grants(mapping)]
        change = _follow(mappings[0].team, user, memberships.get(mappings[0].team_id), granting)
        if change:
            sync.changes.append(change)
    for team_id, membership in memberships.items():
        if team_id not in by_team and (change := _follow(membership.team, user, membership, [], why=UNMAPPED)):
            sync.changes.append(change)
    return sync


def _names(mappings: Iterable[GroupMapping]) -> str:
    return " and ".join(sorted({mapping.name for mapping in mappings}))


NOT_GRANTED = "no group or app role of theirs is mapped to the team any more"
UNMAPPED = "the team no longer follows any Entra ID group or app role"


def _follow(team: Team, user: User, membership: Membership | None, granting: list[GroupMapping],
            why: str = NOT_GRANTED) -> str:  # fmt: skip
    """Make one team's membership what the granting mappings say (``why`` none does); the change in words, or ""."""
    username = user.get_username()
    if not granting:
        if membership is None or membership.source == MembershipSource.HAND:
            return ""  # never the directory's, or given by hand: not covered
        if _last_owner(team, membership):
            return _keep(team, user, membership, f"{why}, and nobody else owns the team")
        membership.delete()
        return _record(team, user, "member removed by the directory", f"{username} left the team at sign-in: {why}",
                       {"user": username, "role": membership.role}, None)  # fmt: skip
    role = max((mapping.role for mapping in granting), key=ROLE_ORDER.index)
    via = _names(mapping for mapping in granting if mapping.role == role)
    if membership is None:
        return _add(team, user, role, via)
    if membership.role == role:
        if membership.source == MembershipSource.DIRECTORY:
            return ""
        membership.source = MembershipSource.DIRECTORY
        membership.save(update_fields=["source"])
        subject = f"{username} as {role} follows {via} from this sign-in on"
        return _record(team, user, "membership follows the directory", subject, None,
                       {"user": username, "role": role, "via": via})  # fmt: skip
    if membership.role == Role.OWNER and _last_owner(team, membership):
        return _keep(team, user, membership, f"{via} makes them {role}, and nobody else owns the team")
    before = membership.role
    membership.role, membership.source = role, MembershipSource.DIRECTORY
    membership.full_clean()
    membership.save(update_fields=["role", "source"])
    return _record(team, user, "role changed by the directory", f"{username}: {before} → {role} at sign-in ({via})",
                   {"role": before}, {"role": role, "via": via})  # fmt: skip


def _add(team: Team, user: User, role: str, via: str) -> str:
    username = user.get_username()
    membership = Membership(team=team, user=user, role=role, source=MembershipSource.DIRECTORY)
    membership.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:  # an owner added them by hand this very moment: theirs stands until the next sign-in
        return ""
    return _record(team, user, "member added by the directory", f"{username} joined as {role} at sign-in ({via})",
                   None, {"user": username, "role": role, "via": via})  # fmt: skip


def _last_owner(team: Team, membership: Membership) -> bool:
    return membership.role == Role.OWNER and owners_left(team, membership) == 0


def _keep(team: Team, user: User, membership: Membership, why: str) -> str:
    """The team's last owner stays owner; said once (``KEPT``), not at every sign-in."""
    if membership.source == MembershipSource.KEPT:
        return ""
    membership.source = MembershipSource.KEPT
    membership.save(update_fields=["source"])
    username = user.get_username()
    subject = f"{username} stays owner as the team's last owner: {why}. Make someone else owner first"
    return _record(team, user, "last owner kept", subject, None, {"user": username, "role": Role.OWNER})


def _record(team: Team, user: User, action: str, subject: str, before: Any, after: Any) -> str:
    """In the team's history, with the person whose sign-in brought the change as its actor."""
    team_history_record(team, user, action, subject, before, after)
    logger.info("Directory sign-in of %s in team %s: %s", user.get_username(), team.pk, subject)
    return f"{team.name}: {subject}"
