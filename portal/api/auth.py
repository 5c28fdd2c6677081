"""Who calls a project endpoint: a personal token (``Authorization: Bearer dip_…``) or the browser session, whose
writes then need the CSRF token. A token that is sent but not valid (unknown, revoked or expired) is refused even
when a session exists."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from ninja.security.base import AuthBase

from portal.api.errors import ApiError
from portal.models import ApiToken
from portal.services.tokens import hash_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)  # last_used_at is written at most this often


class BearerToken(AuthBase):
    openapi_type = "http"
    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if not header:
            return None  # no token: the session may still sign the call in
        scheme, _, secret = header.partition(" ")
        token = None
        if scheme.lower() == "bearer" and secret.strip():
            token = (
                ApiToken.objects.select_related("user")
                .filter(token_hash=hash_token(secret.strip()), revoked_at__isnull=True, user__is_active=True)
                .first()
            )
        if token is None:
            raise ApiError({"authorization": ["Invalid or revoked token."]}, 401)
        now = timezone.now()
        if token.expires_at is not None and token.expires_at <= now:
            expired = (
                f"This token expired on {token.expires_at:%Y-%m-%d %H:%M} UTC; create a new one on your account page."
            )
            raise ApiError({"authorization": [expired]}, 401)
        if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user


class BrowserSession(AuthBase):
    openapi_type = "apiKey"
    openapi_in = "cookie"
    openapi_name = "sessionid"

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS:
            check = CsrfViewMiddleware(lambda _: HttpResponse())
            if check.process_view(request, lambda _: HttpResponse(), (), {}) is not None:
                raise ApiError({"csrf": ["CSRF check failed; session requests need the CSRF token."]}, 403)
        return request.user


PROJECT_AUTH = [BearerToken(), BrowserSession()]
