"""Published catalog versions (immutable), the curation audit, and the record of each content load."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from patterns.models.curated import Pattern


class CatalogVersion(models.Model):
    """A published, immutable version of the whole catalog. Architects' rankings use the latest one."""

    number = models.PositiveIntegerField(unique=True)
    note = models.TextField(help_text="What changed and why.")
    content = models.JSONField(help_text="The whole catalog in the content-file format.")
    content_hash = models.CharField(max_length=64)
    regression = models.JSONField(default=list, blank=True, help_text="The scenario regression seen when publishing.")
    override_reason = models.TextField(blank=True, help_text="Why it was published although a scenario broke.")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        permissions = [("publish_catalog", "Can publish and roll back catalog versions")]

    def __str__(self) -> str:
        return f"v{self.number}"

    @property
    def label(self) -> str:
        return f"v{self.number}"


class CurationEvent(models.Model):
    """Audit: one change to the curated catalog, by whom and when, with the fields before and after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pattern = models.ForeignKey(
        Pattern, null=True, blank=True, on_delete=models.SET_NULL, related_name="curation_events"
    )
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=60)
    object_repr = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True, help_text="field: [before, after]")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_repr}"


class ContentLoad(models.Model):
    """One run of loadcatalog: which content version it read and what it did."""

    version = models.CharField(max_length=40)
    loaded_at = models.DateTimeField(auto_now_add=True)
    summary = models.TextField()

    class Meta:
        ordering = ["-loaded_at", "-id"]
        get_latest_by = "loaded_at"

    def __str__(self) -> str:
        return f"{self.version} at {self.loaded_at:%Y-%m-%d %H:%M}"
