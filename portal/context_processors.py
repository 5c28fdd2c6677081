from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from portal.selectors.notifications import unread_count
from portal.time_zones import OFFER_SESSION_KEY


def inbox(request: HttpRequest) -> dict[str, Any]:
    """The unread count in the navigation: one query, only on pages that render it for a signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    if hasattr(request, "unread_notifications"):  # counted already for the page's ETag (portal.caching)
        return {"unread_notifications": request.unread_notifications}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}


def local_time(request: HttpRequest) -> dict[str, Any]:
    """The zone the page's dates and times are in, and whether to offer the browser's (from sign-in until the account
    has chosen one; read from the session, no query)."""
    has_session = hasattr(request, "session") and settings.SESSION_COOKIE_NAME in request.COOKIES
    return {
        "time_zone_name": timezone.get_current_timezone_name(),
        "time_zone_offer": bool(has_session and request.session.get(OFFER_SESSION_KEY)),
    }
