"""The curators' draft: the catalog rows they edit in the admin, exported in the content-file format (what
publishing freezes as a version and ``exportcatalog`` prints). ``patterns.loader`` fills the rows from the file."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from patterns.content import FORMAT
from patterns.models import (
    Caution,
    ChecklistSection,
    ContentLoad,
    Fit,
    Limit,
    Pattern,
    QuestionWeight,
    Rule,
    Scenario,
)
from patterns.policy_rows import policy_rows
from patterns.requirements import QUESTIONS

PATTERN_FIELDS = (
    "name",
    "family",
    "category",
    "summary",
    "description",
    "benefits",
    "drawbacks",
    "use_when",
    "interaction",
    "code_required",
    "tie_break",
)


def state_hash(state: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def fit_content(fit: Mapping[str, Any]) -> dict[str, Any]:
    """A fit in the content-file format: level and why, its source when it has one, and per-scope overrides only
    when there are any."""
    content: dict[str, Any] = {"fit": fit["fit"], "why": fit["why"]}
    if fit.get("source"):
        content["source"] = fit["source"]
    if fit.get("by_scope"):
        content["by_scope"] = {
            scope: {"fit": o["fit"], "why": o["why"], **({"source": o["source"]} if o.get("source") else {})}
            for scope, o in sorted(fit["by_scope"].items())
        }
    return content


def fits_content(rows: Iterable[Fit]) -> dict[str, dict[str, dict[str, Any]]]:
    """Fit rows (general ones and per-scope overrides) as the content file's question -> value -> fit."""
    fits: dict[str, dict[str, dict[str, Any]]] = {}
    overrides = []
    for fit in rows:
        if fit.scope:
            overrides.append(fit)
        else:
            entry = {"fit": fit.level, "why": fit.rationale}
            if fit.source_url:
                entry["source"] = fit.source_url
            fits.setdefault(fit.question, {})[fit.value] = entry
    for fit in sorted(overrides, key=lambda f: f.scope):
        general = fits.setdefault(fit.question, {}).get(fit.value)
        if general is not None:  # an override without its general fit has nothing to override
            override = {"fit": fit.level, "why": fit.rationale}
            if fit.source_url:
                override["source"] = fit.source_url
            general.setdefault("by_scope", {})[fit.scope] = override
    return fits


LIMIT_DEFAULTS: dict[str, Any] = {"window_minutes": None, "rows_per_request": 1, "read_rows_per_request": None,
                                  "batch_rows": None, "batch_label": "",
                                  "scales_with": "", "guidance": False, "instead": "", "scopes": [], "goals": [],
                                  "shared": "", "pool": "", "note": ""}  # fmt: skip


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def limit_content(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A limit in the content-file format, normalised (numbers, pattern order, defaults left out), so a row and a
    file entry for the same limit compare equal."""
    content: dict[str, Any] = {key: entry[key] for key in ("slug", "name", "kind", "unit", "source_url", "checked")}
    content["value"] = _number(entry["value"])
    content["patterns"] = sorted(entry["patterns"])
    for key, default in LIMIT_DEFAULTS.items():
        value = _number(entry.get(key, default))
        if value != default:
            content[key] = value
    return content


def limit_row_content(limit: Limit) -> dict[str, Any]:
    fields = ("slug", "name", "kind", "unit", "source_url", "value", *LIMIT_DEFAULTS)
    entry = {key: getattr(limit, key) for key in fields}
    entry["checked"] = limit.checked.isoformat() if hasattr(limit.checked, "isoformat") else limit.checked
    entry["patterns"] = [pattern.slug for pattern in limit.patterns.all()]
    return limit_content(entry)


RULE_OPTIONAL = ("when", "numbers", "points", "cap")


def rule_content(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A rule in the content-file format, normalised (pattern order, empty conditions left out, whole points as
    integers), so a row and a file entry for the same rule compare equal."""
    content: dict[str, Any] = {key: entry[key] for key in ("slug", "title", "text", "source_url", "checked", "effect")}
    content["patterns"] = sorted(entry["patterns"])
    for key in RULE_OPTIONAL:
        value = entry.get(key)
        if value not in (None, "", {}):
            content[key] = _number(value)
    return content


def rule_row_content(rule: Rule) -> dict[str, Any]:
    return rule_content({
        "slug": rule.slug, "title": rule.title, "text": rule.text, "source_url": rule.source_url,
        "checked": rule.checked.isoformat() if hasattr(rule.checked, "isoformat") else rule.checked,
        "effect": rule.effect, "patterns": [pattern.slug for pattern in rule.patterns.all()],
        "when": rule.conditions, "numbers": rule.numbers, "points": rule.points, "cap": rule.cap,
    })  # fmt: skip


def caution_body(caution: Caution) -> dict[str, Any]:
    """A caution's content (without its slug and patterns), as the content file holds it."""
    body: dict[str, Any] = {"title": caution.title, "text": caution.text, "source_url": caution.source_url}
    if caution.checked:
        body["checked"] = caution.checked.isoformat() if hasattr(caution.checked, "isoformat") else caution.checked
    if caution.conditions:
        body["when"] = caution.conditions
    return body


def catalog_export() -> dict[str, Any]:
    """The whole draft catalog in the content-file format (inactive patterns carry "active": false)."""
    latest = ContentLoad.objects.order_by("-loaded_at", "-id").values_list("version", flat=True).first()
    rows: dict[int, list[Fit]] = defaultdict(list)
    for fit in Fit.objects.order_by("question", "value", "scope"):
        rows[fit.pattern_id].append(fit)
    patterns = []
    for pattern in Pattern.objects.prefetch_related("links").order_by("family", "tie_break", "slug"):
        entry: dict[str, Any] = {"slug": pattern.slug, **{name: getattr(pattern, name) for name in PATTERN_FIELDS}}
        if not pattern.is_active:
            entry["active"] = False
        entry["learn_more"] = [{"title": link.title, "url": link.url} for link in pattern.links.all()]
        fits = fits_content(rows[pattern.pk])
        entry["fits"] = {q.name: fits.get(q.name, {}) for q in QUESTIONS}
        patterns.append(entry)
    known = {p["slug"] for p in patterns}  # every pattern, inactive ones included, so references stay valid
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for caution in Caution.objects.select_related("pattern").order_by("slug", "pattern__slug"):
        if caution.pattern.slug not in known:
            continue
        body = caution_body(caution)
        key = (caution.slug, state_hash(body))
        grouped.setdefault(key, {"slug": caution.slug, **body, "patterns": []})["patterns"].append(caution.pattern.slug)
    cautions = list(grouped.values())
    slugs = [c["slug"] for c in cautions]
    for entry in cautions:  # a shared caution edited on one pattern only becomes its own entry
        if slugs.count(entry["slug"]) > 1:
            entry["slug"] = f"{entry['slug']}--{entry['patterns'][0]}"
    scenarios = [
        {
            "slug": s.slug,
            "title": s.title,
            "description": s.description,
            "answers": s.answers,
            "expected": s.expected_pattern.slug,
            "alternatives": sorted(p.slug for p in s.alternatives.all() if p.slug in known),
            "rationale": s.rationale,
            **({"fit": s.expected_fit} if s.expected_fit else {}),
        }
        for s in Scenario.objects.select_related("expected_pattern").prefetch_related("alternatives").order_by("slug")
        if s.expected_pattern.slug in known
    ]
    checklist = [
        {
            "slug": section.slug,
            "title": section.title,
            "items": [
                {
                    "slug": item.slug,
                    "title": item.title,
                    "guidance": item.guidance,
                    **({"when": item.condition} if item.condition else {}),
                }
                for item in section.items.all()
            ],
        }
        for section in ChecklistSection.objects.prefetch_related("items")
    ]
    return {
        "format": FORMAT,
        "version": latest or "draft",
        "weights": {q.name: 0 for q in QUESTIONS} | dict(QuestionWeight.objects.values_list("question", "weight")),
        "patterns": patterns,
        "cautions": cautions,
        "scenarios": scenarios,
        "limits": [limit_row_content(limit) for limit in Limit.objects.prefetch_related("patterns").order_by("slug")],
        "rules": [rule_row_content(rule) for rule in Rule.objects.prefetch_related("patterns").order_by("slug")],
        "policies": policy_rows(),
        "checklist": checklist,
    }
