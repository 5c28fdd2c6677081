"""Sign-in throttling behind proxies (django-axes, configured in settings):

- ``client_ip``: the real client's address. With TRUSTED_PROXY_COUNT = N, the last N X-Forwarded-For entries were
  written by our own proxies, so the entry N from the right is the client; anything further left is what the client
  claimed and is ignored. With 0 (no proxy) the header is ignored entirely: anyone could write it.
- ``SignInThrottle``: a username fails AXES_FAILURE_LIMIT times from one address, or one address fails
  AXES_ADDRESS_FAILURE_LIMIT times across any usernames (password spraying), and that address waits out the cool-off.
- ``lockout_response``: 429 with Retry-After and the time to try again, in words.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from math import ceil
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def _address(raw: str) -> str | None:
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if not trusted:
        return remote
    entries = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if not entries:
        return remote
    # Fewer entries than proxies: the request skipped the outer ones, and every entry is still a proxy's.
    return _address(entries[max(len(entries) - trusted, 0)]) or remote


class SignInThrottle(AxesDatabaseHandler):
    """AXES_LOCKOUT_PARAMETERS is [["username", "ip_address"], "ip_address"]: the first count is per username and
    address, the second per address. axes compares one number with one limit, so the address's count is expressed
    in units of the username limit: it reaches the limit exactly when the address reaches its own."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        per_username, per_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit, address_limit = settings.AXES_FAILURE_LIMIT, settings.AXES_ADDRESS_FAILURE_LIMIT
        return max(per_username, per_address * limit // address_limit)

    def last_failure(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> datetime | None:
        times = [
            attempts.aggregate(last=Max("attempt_time"))["last"]
            for attempts in self.get_user_attempts(request, credentials)
        ]
        return max((t for t in times if t is not None), default=None)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    cool_off: timedelta = get_cool_off(request) or timedelta(0)
    if not hasattr(request, "axes_attempt_time"):
        request.axes_attempt_time = timezone.now()  # type: ignore[attr-defined]
    last = SignInThrottle().last_failure(request, credentials) or timezone.now()
    retry_at = last + cool_off
    seconds = max(ceil((retry_at - timezone.now()).total_seconds()), 1)
    context = {"retry_at": retry_at, "retry_minutes": ceil(seconds / 60)}
    response = render(request, "registration/lockout.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
