"""Values a page reads only if it renders them: a part served from the cache (``{% byrevision %}``) never asks."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.utils.functional import SimpleLazyObject


def lazy[T](factory: Callable[[], T]) -> T:
    """``factory()``, called the first time the value is used (then kept), typed as the value itself."""
    return cast(T, SimpleLazyObject(factory))
