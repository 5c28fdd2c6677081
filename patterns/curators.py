"""Curators: the group whose members edit and publish the catalog. Nobody else reaches the admin or curation pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

CURATORS_GROUP = "Curators"
CURATED_MODELS = (
    "pattern", "patternlink", "fit", "questionweight", "caution", "scenario", "checklistsection", "checklistitem",
    "limit", "rule", "policy", "policyeffect",
)  # fmt: skip
READ_ONLY_MODELS = ("catalogversion", "curationevent", "contentload")


def curators_group() -> Any:
    """The Curators group with every catalog permission (made by a migration; restored here if it went missing)."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    group, created = Group.objects.get_or_create(name=CURATORS_GROUP)
    if created or not group.permissions.exists():
        permissions = Permission.objects.filter(content_type__app_label="patterns").filter(
            Q(content_type__model__in=CURATED_MODELS)
            | Q(codename__in=[f"view_{model}" for model in READ_ONLY_MODELS])
            | Q(codename="publish_catalog")
        )
        group.permissions.add(*permissions)
    return group


def is_curator(user: Any) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=CURATORS_GROUP).exists()


def curator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_curator(request.user):
            raise PermissionDenied("Curation is for the Curators group.")
        return view(request, *args, **kwargs)

    return wrapper
