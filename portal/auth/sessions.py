"""Every sign-in, however it happens (the sign-in page, Microsoft, the admin's page, an invitation's sign-up), is
remembered as a session its owner can see and end on the account page, and carries the account's time zone.
Connected in ``PortalConfig.ready``."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest

from portal.selectors.accounts import time_zone_setting
from portal.services.accounts import PASSWORD_METHOD, session_record
from portal.throttling import client_ip
from portal.time_zones import OFFER_SESSION_KEY, SESSION_KEY


def _address(request: HttpRequest) -> str | None:
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None


def sign_in_method(user: User) -> str:
    backend = getattr(user, "backend", "") or ""
    return settings.OIDC_PROVIDER_NAME if backend.endswith("OidcBackend") else PASSWORD_METHOD


def remember_session(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    session_record(
        user=user,
        session_key=request.session.session_key,
        method=sign_in_method(user),
        user_agent=request.headers.get("User-Agent", ""),
        ip_address=_address(request),
    )


def remember_time_zone(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """The account's time zone into the new session, where every page reads it (no query per request); until the
    account has chosen one, its pages offer the browser's."""
    if request is None or not hasattr(request, "session"):
        return
    setting = time_zone_setting(user.pk)
    request.session[SESSION_KEY] = setting.name
    if setting.chosen:
        request.session.pop(OFFER_SESSION_KEY, None)
    else:
        request.session[OFFER_SESSION_KEY] = True
