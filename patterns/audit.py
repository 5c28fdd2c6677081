"""Audit of curation: every change to the catalog, by whom, when, with the fields before and after."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.db import models

from patterns.models import CurationEvent, Pattern


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted((_plain(v) for v in value), key=str)
    if isinstance(value, datetime.date | decimal.Decimal | models.Model):
        return str(value)
    return str(value)


def pattern_of(obj: models.Model) -> Pattern | None:
    if isinstance(obj, Pattern):
        return obj
    for attribute in ("pattern", "expected_pattern"):
        related = getattr(obj, attribute, None)
        if isinstance(related, Pattern):
            return related
    return None


def curation_record(*, actor: Any, obj: models.Model, action: str, changes: dict[str, Any] | None = None) -> None:
    pattern = pattern_of(obj)
    CurationEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        pattern=pattern if pattern is not None and pattern.pk else None,
        action=action,
        object_type=str(obj._meta.verbose_name),
        object_repr=str(obj)[:300],
        changes={name: [_plain(before), _plain(after)] for name, (before, after) in (changes or {}).items()},
    )


def form_changes(form: Any) -> dict[str, tuple[Any, Any]]:
    """What a bound, valid admin form changed: field -> (initial, cleaned)."""
    return {name: (form.initial.get(name), form.cleaned_data.get(name)) for name in form.changed_data}


def changed_keys(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Top-level keys that differ; fits are summarised rather than copied whole."""
    changes = {}
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            changes[key] = _fits_change(before.get(key), after.get(key)) if key == "fits" else (
                before.get(key), after.get(key))  # fmt: skip
    return changes


def _fits_change(before: Any, after: Any) -> tuple[str, str]:
    """Fits are many: each side names only the answers whose fit changed, with its level (the reasons are in the
    version's diff)."""

    def levels(fits: Any) -> dict[str, str]:
        return {f"{question}={value}": str(fit.get("fit", "")) + (" (by scope)" if fit.get("by_scope") else "")
                for question, answers in (fits or {}).items() for value, fit in answers.items()}  # fmt: skip

    old, new = levels(before), levels(after)
    changed = [key for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]
    if not changed:  # only a reason or a source changed
        return ("same levels, other reasons or sources", "same levels, other reasons or sources")
    shown = changed[:12]
    more = f" and {len(changed) - 12} more" if len(changed) > 12 else ""
    return ("; ".join(f"{key}: {old.get(key, 'none')}" for key in shown) + more,
            "; ".join(f"{key}: {new.get(key, 'none')}" for key in shown) + more)  # fmt: skip
