"""The architects' records: wizard drafts, projects, saved integrations with their ranking, checklist copies,
and personal API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Project(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "-updated_at"])]

    def __str__(self) -> str:
        return self.name


class ProjectChecklistEntry(models.Model):
    """A copy of one curated checklist task, taken when the project was created, so later curation doesn't
    change what a project committed to."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="checklist_entries")
    section_slug = models.SlugField()
    section_title = models.CharField(max_length=200)
    section_position = models.PositiveSmallIntegerField()
    slug = models.SlugField()
    title = models.CharField(max_length=300)
    guidance = models.TextField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["section_position", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "slug"], name="checklist_entry_unique_task")]

    def __str__(self) -> str:
        return self.title


class WizardDraft(models.Model):
    """The wizard's answers so far, saved at every step so nothing is lost between sessions."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wizard_drafts")
    answers = models.JSONField(default=dict, blank=True)
    step = models.PositiveSmallIntegerField(default=1)
    scenario = models.ForeignKey("patterns.Scenario", null=True, blank=True, on_delete=models.SET_NULL)
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, help_text="Add the result to this project."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"Draft {self.pk} of {self.owner}"


class Integration(models.Model):
    """One integration need with the ranking the team saw, frozen as a snapshot."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="integrations")
    name = models.CharField(max_length=200)
    requirements = models.JSONField()
    ranking = models.JSONField(help_text="The ranking as saved: options, reasons, cautions, exclusions.")
    catalog_version = models.CharField(max_length=80)
    top_pattern_slug = models.SlugField(blank=True)
    top_pattern_name = models.CharField(max_length=120, blank=True)
    ranked_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The draft this came from: unique, so submitting the same draft twice can't save two integrations.
    source_draft = models.OneToOneField(
        WizardDraft, null=True, blank=True, on_delete=models.SET_NULL, related_name="integration"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise a token in lists.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
