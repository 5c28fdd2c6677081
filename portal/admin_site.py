from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from patterns.curators import is_curator


class CurationAdminSite(admin.AdminSite):
    """The admin is for curators (and superusers) only: being staff is not enough."""

    site_header = "Integration decision portal: curation"
    site_title = "Integration portal admin"
    index_title = "Curate the catalog"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff and is_curator(request.user))
