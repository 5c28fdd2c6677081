"""Decisions on integrations, with their approvals, and the discussion."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from portal.models.projects import Integration


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"
    DEPRECATED = "deprecated", "Deprecated"


class Decision(models.Model):
    """The team's decision on one integration, in the spirit of an architecture decision record."""

    integration = models.OneToOneField(Integration, on_delete=models.CASCADE, related_name="decision")
    status = models.CharField(max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.PROPOSED)
    chosen_pattern_slug = models.SlugField()
    chosen_pattern_name = models.CharField(max_length=120)
    justification = models.TextField(blank=True, help_text="Required when the chosen pattern isn't the top-ranked one.")
    rationale = models.TextField()
    consequences = models.TextField(blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Who moved it to its current status and when (accepting and rejecting also set decided_by/decided_at).
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(blank=True, help_text="Why it was rejected (required then).")
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; approvals count per version.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.chosen_pattern_name}"

    @property
    def is_proposed(self) -> bool:
        return self.status == DecisionStatus.PROPOSED

    @property
    def is_accepted(self) -> bool:
        return self.status == DecisionStatus.ACCEPTED

    @property
    def is_history(self) -> bool:
        """Superseded or deprecated: kept as a record, never edited again."""
        return self.status in {DecisionStatus.SUPERSEDED, DecisionStatus.DEPRECATED}


class Approval(models.Model):
    """A reviewer's approval of one version of a decision; a changed decision needs fresh approvals."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="approvals")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    decision_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "reviewer", "decision_version"], name="approval_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} approved version {self.decision_version}"


class Comment(models.Model):
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(help_text="Markdown.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.integration}"
