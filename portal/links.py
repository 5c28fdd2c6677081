"""Links that leave the portal (mails, chat posts, trackers, exports): the page's path on the public address."""

from __future__ import annotations

from django.conf import settings


def public_url(path: str) -> str:
    """``path`` (from reverse()) as the address people open: PORTAL_BASE_URL in front."""
    return f"{settings.PORTAL_BASE_URL}{path}"
