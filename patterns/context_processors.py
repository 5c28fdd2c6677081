from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from patterns.curators import is_curator


def curation(request: HttpRequest) -> dict[str, Any]:
    """Whether to show curation links; evaluated only when a template asks."""
    if hasattr(request, "is_curator"):  # asked already for the page's ETag (portal.caching)
        return {"is_curator": request.is_curator}
    return {"is_curator": SimpleLazyObject(lambda: is_curator(request.user))}
