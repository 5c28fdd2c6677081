"""Policies between the content file and the draft: the content-file shape of a policy (normalised, so a row and a
file entry for the same policy compare equal), a row read back in that shape, and the loader's write of one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patterns.models import Pattern, Policy, PolicyEffect


def policy_content(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A policy in the content-file format: effects in pattern order, an empty "when" and source left out."""
    content: dict[str, Any] = {key: entry[key] for key in ("slug", "title", "text")}
    content["effects"] = dict(sorted(entry["effects"].items()))
    if entry.get("when"):
        content["when"] = dict(entry["when"])
    if entry.get("source_url"):
        content["source_url"] = entry["source_url"]
    return content


def policy_row_content(policy: Policy) -> dict[str, Any]:
    """A draft row in the content-file format (its effects prefetched with their patterns, for many rows)."""
    return policy_content({
        "slug": policy.slug, "title": policy.title, "text": policy.text, "source_url": policy.source_url,
        "when": policy.conditions, "effects": {row.pattern.slug: row.effect for row in policy.effects.all()},
    })  # fmt: skip


def policy_rows() -> list[dict[str, Any]]:
    """Every draft policy in the content-file format, by slug."""
    return [policy_row_content(p) for p in Policy.objects.prefetch_related("effects__pattern").order_by("slug")]


def policy_write(entry: Mapping[str, Any], patterns: Mapping[str, Pattern], row: Policy | None) -> Policy:
    """Save one content-file policy as a draft row (new, or ``row`` replaced), its effects with it."""
    row = row or Policy(slug=entry["slug"])
    row.title, row.text, row.source_url = entry["title"], entry["text"], entry.get("source_url", "")
    row.conditions = dict(entry.get("when", {}))
    row.full_clean(validate_unique=False)
    row.save()
    row.effects.all().delete()
    effects = [PolicyEffect(policy=row, pattern=patterns[slug], effect=said) for slug, said in entry["effects"].items()]
    for effect_row in effects:
        effect_row.full_clean(validate_unique=False, validate_constraints=False)
    PolicyEffect.objects.bulk_create(effects)
    return row
