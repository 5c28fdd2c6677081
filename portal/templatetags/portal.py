from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Mapping[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key)


@register.filter
def subtract(value: float, other: float) -> float:
    return float(value) - float(other)


@register.filter
def strong_reasons(contributions: Iterable[Any]) -> list[Any]:
    """The answers that speak most for an option (strong or good fits), at most four."""

    def level(c: Any) -> str:
        return c["level"] if isinstance(c, Mapping) else c.level

    return [c for c in contributions if level(c) in {"strong", "good"}][:4]
