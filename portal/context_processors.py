from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from portal.selectors.notifications import unread_count


def inbox(request: HttpRequest) -> dict[str, Any]:
    """The unread count in the navigation: one query, only on pages that render it for a signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    if hasattr(request, "unread_notifications"):  # counted already for the page's ETag (portal.caching)
        return {"unread_notifications": request.unread_notifications}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
