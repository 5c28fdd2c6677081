"""Invitations: an owner invites an address and can withdraw it; whoever opens the link signs in (or, with local
passwords on, creates an account) and joins the team with the invited role."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patterns.http import SignedInRequest
from portal.access import get_team_for_user
from portal.auth.oidc import oidc_enabled
from portal.auth.ratelimit import (
    INVITE_ACCEPT_PER_USER,
    INVITE_OPEN_PER_IP,
    INVITE_SEND_PER_ADDRESS,
    INVITE_SEND_PER_USER,
    SIGN_UP_PER_IP,
    rate_limit_exceeded,
    too_many,
)
from portal.forms import InvitationForm, SignUpForm
from portal.models import Capability, Invitation, Membership, Role, VerifiedEmail
from portal.services.accounts import account_create_local, email_is_verified, email_verified_add
from portal.services.invitations import (
    REFUSALS,
    InvitationState,
    NotTheInvitee,
    confirmation_matches,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_refusal_record,
    invitation_revoke,
    invitation_state,
    send_confirmation_email,
)
from portal.throttling import client_ip

NOT_VALID = "This invitation link isn't valid: it may have been copied incompletely. Open it again from the e-mail."


def _team_page(team_id: int) -> str:
    return f"{reverse('teams:detail', args=[team_id])}#invitations"


@login_required
@require_POST
def invitation_create_view(request: SignedInRequest, team_id: int) -> HttpResponse:
    team = get_team_for_user(request, team_id, capability=Capability.MANAGE)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect(_team_page(team.pk))
    email = form.cleaned_data["email"]
    for scope, key, limit in (("invite-send", request.user.pk, INVITE_SEND_PER_USER),
                              ("invite-address", email, INVITE_SEND_PER_ADDRESS)):  # fmt: skip
        if wait := rate_limit_exceeded(scope, key, limit):
            return too_many(request, wait, limit)
    invitation_create(team=team, email=email, role=form.cleaned_data["role"], actor=request.user)
    # The same answer whether or not the address (or anyone) has an account here.
    days = settings.INVITATION_MAX_AGE_DAYS
    messages.success(request, f"Invitation sent to {email}. The link works once, for {days} days.")
    return redirect(_team_page(team.pk))


@login_required
@require_POST
def invitation_revoke_view(request: SignedInRequest, team_id: int, invitation_id: int) -> HttpResponse:
    team = get_team_for_user(request, team_id, capability=Capability.MANAGE)
    invitation = get_object_or_404(Invitation, pk=invitation_id, team=team)
    try:
        invitation_revoke(invitation=invitation, actor=request.user)
        messages.success(request, f"Invitation of {invitation.email} withdrawn: its link no longer works.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_team_page(team.pk))


def _page(request: HttpRequest, invitation: Invitation | None, *, problem: str = "", form: SignUpForm | None = None,
          status: int = 200, not_yours: str = "") -> HttpResponse:  # fmt: skip
    user = request.user if request.user.is_authenticated else None
    context = {
        "invitation": invitation,
        "problem": problem,
        "not_yours": not_yours,
        # Whether this account may accept: it has shown the invited address is its own.
        "address_is_yours": bool(invitation and user and email_is_verified(user, invitation.email)),
        "role_label": Role(invitation.role).label if invitation else "",
        "already_member": bool(
            invitation
            and request.user.is_authenticated
            and Membership.objects.filter(team=invitation.team, user=request.user).exists()
        ),
        "sign_up_form": form or SignUpForm(),
        "local_passwords": settings.LOCAL_PASSWORDS_ENABLED,
        "oidc_enabled": oidc_enabled(),
        "provider_name": settings.OIDC_PROVIDER_NAME,
    }
    response = render(request, "portal/invitation.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _open_invitation(request: HttpRequest, token: str) -> tuple[Invitation | None, HttpResponse | None]:
    """The invitation a link names if it can still be accepted, else the page that says why not (or to wait)."""
    if wait := rate_limit_exceeded("invite-open", client_ip(request), INVITE_OPEN_PER_IP):
        return None, too_many(request, wait, INVITE_OPEN_PER_IP)
    invitation = invitation_from_token(token)
    if invitation is None:
        return None, _page(request, None, problem=NOT_VALID, status=404)
    state = invitation_state(invitation)
    if state != InvitationState.OPEN:
        return None, _page(request, invitation, problem=REFUSALS[state], status=410)
    return invitation, None


@require_GET
def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    invitation, refusal = _open_invitation(request, token)
    return refusal or _page(request, invitation)


@require_POST
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("invitations:open", args=[token]))
    if wait := rate_limit_exceeded("invite-accept", request.user.pk, INVITE_ACCEPT_PER_USER):
        return too_many(request, wait, INVITE_ACCEPT_PER_USER)
    invitation, refusal = _open_invitation(request, token)
    if refusal or invitation is None:
        return refusal or _page(request, None, problem=NOT_VALID, status=404)
    try:
        membership, joined = invitation_accept(invitation=invitation, user=request.user)
    except NotTheInvitee as error:  # a forwarded or leaked link: not for this account
        invitation_refusal_record(invitation=invitation, user=request.user)
        return _page(request, invitation, not_yours=" ".join(error.messages), status=403)
    except ValidationError as error:  # accepted, revoked or expired a moment ago
        return _page(request, invitation, problem=" ".join(error.messages), status=410)
    if joined:
        messages.success(request, f"Welcome to {invitation.team.name}: you joined as {membership.role}.")
    else:
        messages.info(request, f"You're already a member of {invitation.team.name} ({membership.role}).")
    return redirect("teams:detail", invitation.team_id)


@require_POST
def invitation_sign_up(request: HttpRequest, token: str) -> HttpResponse:
    """A local account for someone invited who has none; it joins the team at once. Only with local passwords on."""
    if request.user.is_authenticated or not settings.LOCAL_PASSWORDS_ENABLED:
        return redirect("invitations:open", token)
    if wait := rate_limit_exceeded("sign-up", client_ip(request), SIGN_UP_PER_IP):
        return too_many(request, wait, SIGN_UP_PER_IP)
    invitation, refusal = _open_invitation(request, token)
    if refusal or invitation is None:
        return refusal or _page(request, None, problem=NOT_VALID, status=404)
    form = SignUpForm(request.POST)
    if not form.is_valid():
        return _page(request, invitation, form=form, status=400)
    try:
        with transaction.atomic():  # no account without the membership it was made for
            user = account_create_local(
                username=form.cleaned_data["username"], email=invitation.email, password=form.cleaned_data["password1"]
            )
            # The link was mailed to this address: signing up through it shows the address is the account's.
            email_verified_add(user=user, email=invitation.email, how=VerifiedEmail.How.INVITATION)
            membership, _ = invitation_accept(invitation=invitation, user=user)
    except ValidationError as error:
        return _page(request, invitation, problem=" ".join(error.messages), status=410)
    login(request, user, backend="portal.auth.backends.LocalPasswordBackend")
    messages.success(
        request, f"Welcome, {user.get_username()}: you joined {invitation.team.name} as {membership.role}."
    )
    return redirect("teams:detail", invitation.team_id)


@login_required
@require_POST
def invitation_confirm_send(request: SignedInRequest, token: str) -> HttpResponse:
    """Mail the invited address a link that confirms it is this account's (one use: joining with it)."""
    if wait := rate_limit_exceeded("invite-confirm", request.user.pk, INVITE_ACCEPT_PER_USER):
        return too_many(request, wait, INVITE_ACCEPT_PER_USER)
    invitation, refusal = _open_invitation(request, token)
    if refusal or invitation is None:
        return refusal or _page(request, None, problem=NOT_VALID, status=404)
    send_confirmation_email.enqueue(invitation.pk, request.user.pk)
    messages.success(request, f"We sent a link to {invitation.email}. Open it within a day, signed in as "
                              f"{request.user.get_username()}, to confirm the address and join.")  # fmt: skip
    return redirect("invitations:open", token)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_confirm(request: SignedInRequest, token: str, code: str) -> HttpResponse:
    """The link mailed to the invited address: a page with one button (a mail scanner's GET changes nothing);
    posting it records the address as this account's and joins the team."""
    invitation, refusal = _open_invitation(request, token)
    if refusal or invitation is None:
        return refusal or _page(request, None, problem=NOT_VALID, status=404)
    if not confirmation_matches(code, invitation, request.user):
        problem = ("This confirmation link isn't valid for the account you're signed in with, or it is more than a "
                   "day old. Sign in with the account that asked for it, or ask for a new one.")  # fmt: skip
        return _page(request, invitation, problem=problem, status=403)
    if request.method == "GET":
        response = render(request, "portal/invitation_confirm.html", {"invitation": invitation})
        response["Cache-Control"] = "no-store"
        return response
    with transaction.atomic():
        email_verified_add(user=request.user, email=invitation.email, how=VerifiedEmail.How.CONFIRMATION)
        try:
            membership, joined = invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            return _page(request, invitation, problem=" ".join(error.messages), status=410)
    if joined:
        messages.success(request, f"Address confirmed. Welcome to {invitation.team.name}: you joined as "
                                  f"{membership.role}.")  # fmt: skip
    else:
        messages.info(request, f"Address confirmed. You're already a member of {invitation.team.name}.")
    return redirect("teams:detail", invitation.team_id)
