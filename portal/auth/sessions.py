"""Every sign-in, however it happens (the sign-in page, Microsoft, the admin's page, an invitation's sign-up), is
remembered as a session its owner can see and end on the account page. Connected in ``PortalConfig.ready``."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest

from portal.services.accounts import PASSWORD_METHOD, session_record
from portal.throttling import client_ip


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
