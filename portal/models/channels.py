"""A team's chat channels (Microsoft Teams, Slack) and work trackers (Azure Boards, Jira): where its work is posted."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from portal.models.teams import Team


class ChannelKind(models.TextChoices):
    TEAMS = "teams", "Microsoft Teams (incoming webhook or Workflows)"
    SLACK = "slack", "Slack (incoming webhook)"


class ChannelEvent(models.TextChoices):
    DECISION_PROPOSED = "decision_proposed", "A decision is proposed or changed"
    DECISION_ACCEPTED = "decision_accepted", "A decision is accepted"
    DECISION_REJECTED = "decision_rejected", "A decision is rejected"
    DECISION_SUPERSEDED = "decision_superseded", "A decision is superseded"
    CATALOG_CHANGED = "catalog_changed", "A catalog update changes a saved first pick or its fit"
    OVERDUE_DIGEST = "overdue_digest", "Each morning, the team's overdue tasks"


class TeamChannel(models.Model):
    """One webhook of a team. The address is a secret (whoever has it can post): kept encrypted
    (``portal.secrets_box``), never shown again after it is saved, only its host."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(max_length=10, choices=ChannelKind.choices)
    address_encrypted = models.TextField(help_text="The webhook address, encrypted with a key derived from SECRET_KEY.")
    host = models.CharField(max_length=255, help_text="The address's host, to tell channels apart.")
    events = models.JSONField(default=list, help_text="The ChannelEvent values posted here.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, help_text="Why the latest post failed, for the owners.")
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.host} for {self.team}"

    @property
    def failing(self) -> bool:
        return bool(self.last_error_at and (self.last_sent_at is None or self.last_error_at > self.last_sent_at))


class OverdueDigestDay(models.Model):
    """A day whose morning digest of overdue tasks went to the teams' channels: written in the transaction that
    queues the posts, by the first reminder run at or after 06:00 UTC, so a late worker still posts the day's digest
    and no run posts it twice."""

    day = models.DateField(unique=True)
    posted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"The overdue digest of {self.day:%Y-%m-%d}"


class TrackerKind(models.TextChoices):
    AZURE_BOARDS = "azure-boards", "Azure Boards (Azure DevOps)"
    JIRA = "jira", "Jira Cloud"


class TeamTracker(models.Model):
    """Where a team tracks its work: an Azure DevOps organisation and project, or a Jira Cloud site and project. The
    token is kept encrypted (``portal.secrets_box``) and never shown again; the tracker tells the portal about
    changes at a hook address that carries ``hook_secret`` (shown to the owners, who paste it into the tracker)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="trackers")
    kind = models.CharField(max_length=20, choices=TrackerKind.choices)
    site = models.URLField(help_text="https://dev.azure.com/<organisation> or https://<site>.atlassian.net")
    project_key = models.CharField(
        max_length=100, help_text="The Azure DevOps project's name, or the Jira project key."
    )
    user = models.CharField(max_length=200, blank=True, help_text="Jira: the e-mail address the API token belongs to.")
    token_encrypted = models.TextField()
    hook_secret = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "kind"], name="tracker_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.project_key} for {self.team}"
