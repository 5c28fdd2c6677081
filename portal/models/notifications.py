"""Notifications in the inbox and by e-mail, and what each person wants to receive."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from portal.models.projects import Project


class NotificationKind(models.TextChoices):
    REVIEW_REQUESTED = "review_requested", "A decision waits for my review"
    DECISION_ACCEPTED = "decision_accepted", "A decision I proposed or approved is accepted"
    DECISION_REJECTED = "decision_rejected", "A decision I proposed or approved is rejected"
    DECISION_SUPERSEDED = "decision_superseded", "A decision I proposed or approved is superseded"
    MENTIONED = "mentioned", "Someone mentions me (@username) in a comment"
    TASK_ASSIGNED = "task_assigned", "A checklist task is assigned to me"
    TASK_OVERDUE = "task_overdue", "A checklist task of mine is overdue"
    CATALOG_CHANGED = "catalog_changed", "A catalog update changes a first pick I saved or own, or its fit"


class Notification(models.Model):
    """Something a member should know about in one of their projects: in the inbox, by e-mail, or both."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=500, help_text="A path inside the portal.")
    # Reminders that must go out once only (an overdue task per due date) carry a key.
    key = models.CharField(max_length=120, blank=True)
    in_inbox = models.BooleanField(default=True)
    email_wanted = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~models.Q(key=""), name="notification_key_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}: {self.message}"


class NotificationPreference(models.Model):
    """A member's choice for one kind of notification; no row means both channels are on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    inbox = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} (inbox {self.inbox}, e-mail {self.email})"
