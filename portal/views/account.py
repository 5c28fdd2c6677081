"""Signing in, and the account page: who I am and how I sign in, my password (local accounts), my time zone, where
I'm signed in (each session can be ended), and personal API tokens with their expiry and last use."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patterns.http import SignedInRequest
from portal.access import get_token_for_user
from portal.auth.oidc import oidc_enabled
from portal.auth.ratelimit import PASSWORD_CHECK_PER_USER, rate_limit_count, rate_limit_exceeded, too_many
from portal.auth.sessions import remember_session
from portal.forms import ApiTokenForm
from portal.models import UserSession
from portal.selectors.accounts import time_zone_setting
from portal.services.accounts import account_time_zone_set, session_revoke, sessions_revoke_others
from portal.services.tokens import DEFAULT_LIFETIME_DAYS, api_token_create, api_token_revoke
from portal.time_zones import OFFER_SESSION_KEY, SESSION_KEY, TimeZoneForm, time_zone_menu

PASSWORDS_OFF = "Signing in with a password is turned off here: use your organisation's account."


def sign_in_options() -> dict[str, Any]:
    return {
        "local_passwords": settings.LOCAL_PASSWORDS_ENABLED,
        "oidc_enabled": oidc_enabled(),
        "provider_name": settings.OIDC_PROVIDER_NAME,
    }


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Django's sign-in page (throttled by django-axes), with "Sign in with Microsoft" when it is set up; a POST is
    refused when local passwords are off (the backend refuses them too, on the admin's page as well)."""
    options = sign_in_options()
    if request.method == "POST" and not options["local_passwords"]:
        return render(request, "registration/login.html", {**options, "refused": PASSWORDS_OFF}, status=403)
    view = LoginView.as_view(redirect_authenticated_user=True, extra_context=options)
    return cast(HttpResponse, view(request))


DEVICES = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Chromium/", "Chromium"),
           ("Safari/", "Safari"), ("curl/", "curl"))  # fmt: skip
SYSTEMS = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
           ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))  # fmt: skip


def device_label(user_agent: str) -> str:
    """ "Firefox on Windows" from a User-Agent header, for people to recognise their own sessions."""
    browser = next((name for marker, name in DEVICES if marker in user_agent), "")
    system = next((name for marker, name in SYSTEMS if marker in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"


def _sessions(request: SignedInRequest) -> list[UserSession]:
    sessions = list(UserSession.objects.filter(user=request.user, session__expire_date__gt=timezone.now()))
    for session in sessions:
        session.device = device_label(session.user_agent)  # type: ignore[attr-defined]
        session.is_current = session.session_id == request.session.session_key  # type: ignore[attr-defined]
    return sessions


def _profile(
    request: SignedInRequest,
    form: ApiTokenForm,
    new_secret: str = "",
    status: int = 200,
    time_zone_form: TimeZoneForm | None = None,
) -> HttpResponse:
    user = request.user
    zone = time_zone_setting(user.pk)
    context = {
        "time_zone": zone,
        "time_zone_form": time_zone_form or TimeZoneForm(initial={"time_zone": zone.name}),
        "time_zone_menu": time_zone_menu(timezone.now(), zone.name),
        "form": form,
        "tokens": user.api_tokens.all(),
        "new_secret": new_secret,
        "now": timezone.now(),
        "sessions": _sessions(request),
        "identities": user.oidc_identities.all(),
        "can_change_password": settings.LOCAL_PASSWORDS_ENABLED and user.has_usable_password(),
        "provider_name": settings.OIDC_PROVIDER_NAME,
    }
    response = render(request, "portal/profile.html", context, status=status)
    response["Cache-Control"] = "no-store"  # a new token's secret is on this page once
    return response


@login_required
@require_GET
def profile(request: SignedInRequest) -> HttpResponse:
    return _profile(request, ApiTokenForm())


@login_required
@require_POST
def token_create(request: SignedInRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _profile(request, form, status=400)
    _, secret = api_token_create(
        user=request.user,
        name=form.cleaned_data["name"],
        lifetime_days=form.cleaned_data["lifetime_days"] or DEFAULT_LIFETIME_DAYS,
    )
    # Rendered, not redirected: the secret is shown this once and never stored in the session.
    return _profile(request, ApiTokenForm(), new_secret=secret)


@login_required
@require_POST
def time_zone_view(request: SignedInRequest) -> HttpResponse:
    """The zone from the account page's menu, or the browser's as offered after sign-in (then back to that page)."""
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        return _profile(request, ApiTokenForm(), status=400, time_zone_form=form)
    preference = account_time_zone_set(user=request.user, time_zone=form.cleaned_data["time_zone"])
    request.session[SESSION_KEY] = preference.time_zone  # this request's copy is the one saved last
    request.session.pop(OFFER_SESSION_KEY, None)
    messages.success(request, f"Dates and times show in {preference.time_zone} now, and reminders come at 06:00 "
                     "there.")  # fmt: skip
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("account:profile")


@login_required
@require_POST
def token_revoke(request: SignedInRequest, token_id: int) -> HttpResponse:
    token = api_token_revoke(token=get_token_for_user(request, token_id))
    messages.success(request, f"Token “{token.name}” revoked; it no longer works.")
    return redirect("account:profile")


@login_required
@require_POST
def session_end(request: SignedInRequest, session_key: str) -> HttpResponse:
    session = get_object_or_404(UserSession, pk=session_key, user=request.user)
    current = session.session_id == request.session.session_key
    session_revoke(session=session)
    if current:
        return redirect("login")
    messages.success(request, "That session is signed out.")
    return redirect("account:profile")


@login_required
@require_POST
def sessions_end_others(request: SignedInRequest) -> HttpResponse:
    ended = sessions_revoke_others(user=request.user, current_key=request.session.session_key)
    messages.success(request, f"Signed out of {ended} other session{'s' if ended != 1 else ''}.")
    return redirect("account:profile")


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: SignedInRequest) -> HttpResponse:
    """Local accounts only. Every other session of the account is signed out by the change (Django ties sessions
    to the password); this one stays signed in. Wrong current passwords are rate-limited."""
    if not (settings.LOCAL_PASSWORDS_ENABLED and request.user.has_usable_password()):
        raise Http404("This account signs in with its organisation's account, not a password.")
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST":
        if wait := rate_limit_exceeded("password-check", request.user.pk, PASSWORD_CHECK_PER_USER, count=False):
            return too_many(request, wait, PASSWORD_CHECK_PER_USER)
        if form.is_valid():
            form.save()
            update_session_auth_hash(request, form.user)  # a new session key: remember it as this session
            remember_session(sender=None, request=request, user=request.user)
            sessions_revoke_others(user=request.user, current_key=request.session.session_key)
            messages.success(request, "Password changed. Your other sessions are signed out.")
            return redirect("account:profile")
        if "old_password" in form.errors:
            rate_limit_count("password-check", request.user.pk)
    status = 400 if form.errors else 200
    return render(request, "portal/password_change.html", {"form": form}, status=status)
