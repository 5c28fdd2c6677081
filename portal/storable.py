"""Text the database can't store, and JSON too deep to walk, refused where input arrives (API bodies, form and
query parameters) rather than failing on save.

PostgreSQL text can't hold NUL, and UTF-8 can't encode a lone surrogate (JSON's ``"\\ud800"`` decodes to one):
either would be a 500 at the database. Walks are iterative, so a deeply nested body can't exhaust the stack.
"""

from __future__ import annotations

from typing import Any

# Our bodies nest four levels at most (project > integrations > item > requirements > capacity); leave room.
MAX_JSON_DEPTH = 16
NUL_MESSAGE = "Text may not contain NUL characters."
SURROGATE_MESSAGE = "Text may not contain lone surrogates (unpaired \\ud800-\\udfff escapes); send valid Unicode."
DEPTH_MESSAGE = f"The body may nest at most {MAX_JSON_DEPTH} levels of objects and lists."


def text_problem(text: str) -> str | None:
    """Why this string can't be stored, or None."""
    if "\x00" in text:
        return NUL_MESSAGE
    if any("\ud800" <= character <= "\udfff" for character in text):
        return SURROGATE_MESSAGE
    return None


def json_problem(data: Any) -> str | None:
    """Why this parsed JSON can't be accepted (too deep, or a key or string that can't be stored), or None."""
    pending: list[tuple[Any, int]] = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                return problem
        elif isinstance(value, dict | list):
            if depth >= MAX_JSON_DEPTH:
                return DEPTH_MESSAGE
            if isinstance(value, dict):
                pending.extend((key, depth) for key in value)
                pending.extend((item, depth + 1) for item in value.values())
            else:
                pending.extend((item, depth + 1) for item in value)
    return None
