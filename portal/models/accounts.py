"""A person's own settings that are about no one kind of notification: the time zone they read dates and times in."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from portal.time_zones import DEFAULT_TIME_ZONE, validate_time_zone


class AccountPreference(models.Model):
    """No row means UTC, never chosen (each sign-in then offers the browser's zone)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="account_preference"
    )
    time_zone = models.CharField(
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text="An IANA name, such as Australia/Sydney: dates and times show in it, and reminders come at 06:00 "
        "in it.",
    )
    time_zone_chosen_at = models.DateTimeField(
        null=True, blank=True, help_text="When they chose it (keeping UTC counts); until then sign-in offers one."
    )

    def __str__(self) -> str:
        return f"{self.user}: {self.time_zone}"
