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
