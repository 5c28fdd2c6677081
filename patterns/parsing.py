"""Small, strict parsers for values that come from URLs and form posts."""

from __future__ import annotations


def whole_number(raw: object, default: int = -1) -> int:
    """A non-negative ASCII integer, or ``default`` for anything else ("", "abc", "²", "-3", None)."""
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 19:
        return int(raw)
    return default
