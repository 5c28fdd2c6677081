"""The reader's inbox."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from portal.models import (
    Notification,
)


def inbox(user: Any) -> QuerySet[Notification]:
    """My notifications about projects of teams I am still in."""
    return (
        Notification.objects.filter(recipient=user, in_inbox=True, project__team__memberships__user=user)
        .select_related("project", "actor")
        .order_by("-created_at", "-id")
    )


def unread_count(user: Any) -> int:
    return inbox(user).filter(read_at__isnull=True).count()
