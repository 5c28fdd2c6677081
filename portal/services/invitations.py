"""Invitations: a team's owner invites an e-mail address with a role; whoever opens the e-mailed link and signs in
(with a password or their organisation's account) joins with that role.

The link carries a token signed with Django's signing (TimestampSigner, its own salt) naming the invitation and its
random nonce, so a link can't be guessed or edited, and works only for the row it was made for. The database keeps
what a signature can't: a link works once (accepting claims the row in one conditional update), until its
expiry, and not after the owner revoked it. Inviting says the same whatever the address: nothing tells the owner
whether it (or any username) has an account here.

An invitation is for its address, not for whoever holds the link (links get forwarded): only an account that has
shown the address is its own accepts it (``portal.models.VerifiedEmail``: the sign-in provider vouched for it, the
account signed up through the link, or it opened a confirmation link mailed there from the invitation page). Any
other account is refused, and the refusal is in the team's history.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.db.models.functions import Now
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from portal.links import public_url
from portal.mail import deliver, message
from portal.models import Invitation, Membership, Role, Team
from portal.services.accounts import email_is_verified
from portal.services.history import team_history_record

SALT = "portal.invitation"
logger = logging.getLogger(__name__)


class InvitationState:
    OPEN = "open"
    EXPIRED = "expired"
    ACCEPTED = "accepted"
    REVOKED = "revoked"


def invitation_state(invitation: Invitation) -> str:
    if invitation.accepted_at is not None:
        return InvitationState.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationState.REVOKED
    if invitation.expires_at <= timezone.now():
        return InvitationState.EXPIRED
    return InvitationState.OPEN


def invitation_token(invitation: Invitation) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"i": invitation.pk, "n": invitation.nonce})


def invitation_link(invitation: Invitation) -> str:
    return public_url(reverse("invitations:open", args=[invitation_token(invitation)]))


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link names, if its signature holds (whatever the invitation's state now), else None."""
    max_age = timedelta(days=settings.INVITATION_MAX_AGE_DAYS + 1)  # the row's expires_at is the exact limit
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=max_age)
    except signing.BadSignature:  # tampered, made with another key, or long expired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not isinstance(data.get("n"), str):
        return None
    return Invitation.objects.select_related("team", "invited_by").filter(pk=data["i"], nonce=data["n"]).first()


def invitations_pending(team: Team) -> QuerySet[Invitation]:
    """Invitations nobody has accepted or revoked yet (expired ones too, so the owner sees them lapse)."""
    return (
        Invitation.objects.filter(team=team, accepted_at__isnull=True, revoked_at__isnull=True)
        .annotate(is_expired=ExpressionWrapper(Q(expires_at__lte=Now()), output_field=BooleanField()))
        .select_related("invited_by")
        .order_by("-created_at", "-id")
    )


@transaction.atomic
def invitation_create(*, team: Team, email: str, role: str, actor: User) -> Invitation:
    """Invite ``email`` to ``team`` with ``role`` and mail the link. Inviting an address again replaces its open
    invitation (the old link stops working), so the newest e-mail is always the one that works."""
    email = email.strip().lower()
    now = timezone.now()
    Team.objects.select_for_update().filter(pk=team.pk).first()  # two owners inviting one address at once
    replaced = Invitation.objects.filter(team=team, email=email, accepted_at__isnull=True, revoked_at__isnull=True)
    replaced.update(revoked_at=now)
    invitation = Invitation(
        team=team,
        email=email,
        role=role,
        nonce=secrets.token_urlsafe(16),
        invited_by=actor,
        expires_at=now + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    team_history_record(
        team, actor, "invitation sent", f"{email} invited as {role}", None, {"email": email, "role": role}
    )
    # Queued in this transaction, like notifications: committed together with the row, or not at all.
    send_invitation_email.enqueue(invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("team").get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation was already accepted: remove the member instead.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        team_history_record(
            invitation.team,
            actor,
            "invitation revoked",
            f"invitation of {invitation.email} revoked",
            {"email": invitation.email, "role": invitation.role},
            None,
        )
    return invitation


class NotTheInvitee(ValidationError):
    """The signed-in account hasn't shown the invited address is its own."""


CONFIRM_SALT = "portal.invitation.confirm"
CONFIRM_MAX_AGE = timedelta(days=1)


def confirmation_code(invitation: Invitation, user: User) -> str:
    """What a confirmation link carries: this invitation, this account, this address (the link mailed there)."""
    payload = {"i": invitation.pk, "u": user.pk, "e": invitation.email}
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(payload)


def confirmation_matches(code: str, invitation: Invitation, user: User) -> bool:
    try:
        data = signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(code, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:  # tampered, another key, or more than a day old
        return False
    return data == {"i": invitation.pk, "u": user.pk, "e": invitation.email}


def invitation_refusal_record(*, invitation: Invitation, user: User) -> None:
    """An account that isn't the invitee's tried the link: the owners see it in the team's history."""
    username = user.get_username()
    logger.warning("Invitation %s of team %s refused to account %s: not its verified address.", invitation.pk,
                   invitation.team_id, user.pk)  # fmt: skip
    subject = f"{username} opened the invitation of {invitation.email}, an address the account hasn't shown is its own"
    team_history_record(invitation.team, user, "invitation refused", subject, None,
                        {"email": invitation.email, "user": username})  # fmt: skip


@task()
def send_confirmation_email(invitation_id: int, user_id: int, attempt: int = 1) -> bool:
    """Mail the invited address a link that confirms it belongs to this account, and joins the team with it."""
    invitation = Invitation.objects.select_related("team").filter(pk=invitation_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if invitation is None or user is None or invitation_state(invitation) != InvitationState.OPEN:
        return False
    code = confirmation_code(invitation, user)
    link = public_url(reverse("invitations:confirm", args=[invitation_token(invitation), code]))
    context = {"team": _one_line(invitation.team.name), "username": user.get_username(), "link": link}
    return deliver(message("invitation_confirm", context, [invitation.email]), retry=send_confirmation_email,
                   attempt=attempt, invitation_id=invitation_id, user_id=user_id)  # fmt: skip


REFUSALS = {
    InvitationState.ACCEPTED: "This invitation has already been used. Ask the team's owner for a new one if needed.",
    InvitationState.REVOKED: "This invitation was withdrawn by the team's owner.",
    InvitationState.EXPIRED: "This invitation has expired. Ask the team's owner to invite you again.",
}


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> tuple[Membership, bool]:
    """Join the team with the invited role; returns the membership and whether it is new. A member who accepts
    keeps their current role (an invitation never demotes anyone, nor promotes them behind the owners' backs)."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("team", "invited_by").get(pk=invitation.pk)
    )
    state = invitation_state(invitation)
    if state != InvitationState.OPEN:
        raise ValidationError(REFUSALS[state])
    if not email_is_verified(user, invitation.email):
        raise NotTheInvitee(
            f"This invitation is for {invitation.email}, and the account you're signed in with ({user.get_username()}) "
            "hasn't shown that address is its own. Confirm it with the link we can mail there, or sign in with the "
            "account of that address."
        )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    team, username = invitation.team, user.get_username()
    existing = Membership.objects.filter(team=team, user=user).first()
    if existing is not None:
        team_history_record(
            team,
            user,
            "invitation accepted",
            f"{username}, already a member, accepted an invitation",
            None,
            {"user": username, "role": existing.role},
        )
        return existing, False
    membership = Membership(team=team, user=user, role=invitation.role)
    membership.full_clean()
    membership.save()
    inviter = invitation.invited_by.get_username() if invitation.invited_by else "a former member"
    team_history_record(
        team,
        user,
        "member added",
        f"{username} joined as {invitation.role} (invited by {inviter})",
        None,
        {"user": username, "role": invitation.role, "email": invitation.email},
    )
    return membership, True


def _one_line(text: str) -> str:
    return " ".join(text.split())


@task()
def send_invitation_email(invitation_id: int, attempt: int = 1) -> bool:
    """Mail the link of an invitation that is still open (revoking it before the worker runs sends nothing)."""
    invitation = (
        Invitation.objects.select_related("team", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None or invitation_state(invitation) != InvitationState.OPEN:
        return False
    inviter = "An owner"
    if invitation.invited_by is not None:
        inviter = invitation.invited_by.get_full_name() or invitation.invited_by.get_username()
    context = {"inviter": _one_line(inviter), "team": _one_line(invitation.team.name), "email": invitation.email,
               "role": Role(invitation.role).label, "link": invitation_link(invitation),
               "expires_at": invitation.expires_at}  # fmt: skip
    return deliver(message("invitation", context, [invitation.email]), retry=send_invitation_email, attempt=attempt,
                   invitation_id=invitation_id)  # fmt: skip
