"""Rate limits for onboarding, counted in the database (every worker process sees the same count):

- sending invitations: per owner, and per address (nobody's mailbox is flooded, whoever sends);
- opening or accepting an invitation link: per client address (guessing links is pointless anyway: they're
  signed), and accepting per user;
- signing up from an invitation: per client address;
- a wrong current password when changing it: per user.

Sign-in itself is throttled by django-axes (portal/throttling.py), OpenID Connect refusals included.
"""

from __future__ import annotations

from datetime import timedelta
from math import ceil
from typing import NamedTuple

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from portal.models import RateLimitHit


class Limit(NamedTuple):
    attempts: int
    window: timedelta
    what: str  # "sending invitations", for the page that says to wait


INVITE_SEND_PER_USER = Limit(20, timedelta(hours=1), "sending invitations")
INVITE_SEND_PER_ADDRESS = Limit(5, timedelta(days=1), "sending invitations to this address")
INVITE_OPEN_PER_IP = Limit(30, timedelta(minutes=15), "opening invitation links")
INVITE_ACCEPT_PER_USER = Limit(10, timedelta(hours=1), "accepting invitations")
SIGN_UP_PER_IP = Limit(5, timedelta(hours=1), "creating accounts")
PASSWORD_CHECK_PER_USER = Limit(5, timedelta(minutes=15), "entering your current password")
FORGET_AFTER = timedelta(days=2)  # longer than the longest window


def rate_limit_exceeded(scope: str, key: str | int, limit: Limit, *, count: bool = True) -> int:
    """Seconds to wait when ``key`` has used up ``limit`` in ``scope``, else 0 (and the attempt is counted unless
    ``count`` is false: then only a failure is counted, with ``rate_limit_count``)."""
    now = timezone.now()
    recent = RateLimitHit.objects.filter(scope=scope, key=str(key)[:200], created_at__gt=now - limit.window)
    times = list(recent.order_by("-created_at").values_list("created_at", flat=True)[: limit.attempts])
    if len(times) >= limit.attempts:
        return max(ceil((times[-1] + limit.window - now).total_seconds()), 1)
    if count:
        rate_limit_count(scope, key)
    return 0


def rate_limit_count(scope: str, key: str | int) -> None:
    now = timezone.now()
    RateLimitHit.objects.filter(created_at__lt=now - FORGET_AFTER).delete()
    RateLimitHit.objects.create(scope=scope, key=str(key)[:200], created_at=now)


def too_many(request: HttpRequest, seconds: int, limit: Limit) -> HttpResponse:
    """429 with Retry-After, in the product's look, saying what to wait for and how long."""
    minutes = ceil(seconds / 60)
    context = {"what": limit.what, "retry_minutes": minutes, "retry_at": timezone.now() + timedelta(seconds=seconds)}
    response = render(request, "portal/too_many.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
