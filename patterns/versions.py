"""Catalog versions: the database rows are the curators' draft; publishing freezes the whole draft, in the
content-file format, as an immutable numbered CatalogVersion. Architects' rankings use the latest published one.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from patterns.content import FORMAT, ContentError, snapshot_from_content, validate_content
from patterns.models import (
    CatalogVersion,
    Caution,
    ChecklistSection,
    ContentLoad,
    CurationEvent,
    Fit,
    Pattern,
    QuestionWeight,
    Scenario,
)
from patterns.recommender import recommend
from patterns.requirements import QUESTIONS, Requirements
from patterns.services import PATTERN_FIELDS, catalog_load, state_hash
from patterns.snapshot import CatalogSnapshot

# The draft, exported


def catalog_export() -> dict[str, Any]:
    """The whole draft catalog in the content-file format (inactive patterns carry "active": false)."""
    latest = ContentLoad.objects.order_by("-loaded_at", "-id").values_list("version", flat=True).first()
    fits: dict[int, dict[str, dict[str, dict[str, str]]]] = defaultdict(dict)
    for fit in Fit.objects.order_by("question", "value"):
        fits[fit.pattern_id].setdefault(fit.question, {})[fit.value] = {"fit": fit.level, "why": fit.rationale}
    patterns = []
    for pattern in Pattern.objects.prefetch_related("links").order_by("family", "tie_break", "slug"):
        entry: dict[str, Any] = {"slug": pattern.slug, **{name: getattr(pattern, name) for name in PATTERN_FIELDS}}
        if not pattern.is_active:
            entry["active"] = False
        entry["learn_more"] = [{"title": link.title, "url": link.url} for link in pattern.links.all()]
        entry["fits"] = {q.name: fits[pattern.pk].get(q.name, {}) for q in QUESTIONS}
        patterns.append(entry)
    known = {p["slug"] for p in patterns}  # every pattern, inactive ones included, so references stay valid
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for caution in Caution.objects.select_related("pattern").order_by("slug", "pattern__slug"):
        if caution.pattern.slug not in known:
            continue
        body = {"title": caution.title, "text": caution.text, "source_url": caution.source_url}
        if caution.conditions:
            body["when"] = caution.conditions
        key = (caution.slug, state_hash(body))
        grouped.setdefault(key, {"slug": caution.slug, **body, "patterns": []})["patterns"].append(caution.pattern.slug)
    cautions = list(grouped.values())
    slugs = [c["slug"] for c in cautions]
    for caution in cautions:  # a shared caution edited on one pattern only becomes its own entry
        if slugs.count(caution["slug"]) > 1:
            caution["slug"] = f"{caution['slug']}--{caution['patterns'][0]}"
    scenarios = [
        {
            "slug": s.slug,
            "title": s.title,
            "description": s.description,
            "answers": s.answers,
            "expected": s.expected_pattern.slug,
            "alternatives": sorted(p.slug for p in s.alternatives.all() if p.slug in known),
            "rationale": s.rationale,
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
        "checklist": checklist,
    }


def content_fingerprint(content: dict[str, Any]) -> str:
    """A hash of what a version says, ignoring its version label."""
    return state_hash({key: value for key, value in content.items() if key != "version"})


# Published versions


_cache_lock = threading.Lock()
_cache: dict[str, tuple[Any, Any]] = {}  # view name -> (the latest version's (id, number, hash), the view)


def latest_version_number() -> int | None:
    return CatalogVersion.objects.aggregate(latest=Max("number"))["latest"]


def cached_for_latest_version[T](name: str, build: Callable[[dict[str, Any], str], T]) -> T | None:
    """``build(content, label)`` of the latest published version, kept per process until a newer version appears
    (versions are immutable, so one query checks the cache). None when nothing has been published yet."""
    latest = CatalogVersion.objects.order_by("-number").values_list("pk", "number", "content_hash").first()
    if latest is None:
        return None
    with _cache_lock:
        key, view = _cache.get(name, (None, None))
        if key == latest:
            return view
    content = CatalogVersion.objects.values_list("content", flat=True).get(pk=latest[0])
    view = build(content, f"v{latest[1]}")
    with _cache_lock:
        _cache[name] = (latest, view)
    return view


def published_snapshot() -> CatalogSnapshot:
    """The recommender's view of the latest published version, or of the draft before anything is published."""
    from patterns.selectors import catalog_snapshot

    snapshot = cached_for_latest_version("snapshot", _labelled_snapshot)
    return snapshot if snapshot is not None else catalog_snapshot()


def _labelled_snapshot(content: dict[str, Any], label: str) -> CatalogSnapshot:
    snapshot = snapshot_from_content(content)
    return CatalogSnapshot(version=label, weights=snapshot.weights, patterns=snapshot.patterns)


def published_content() -> tuple[int | None, dict[str, Any] | None]:
    version = CatalogVersion.objects.order_by("-number").only("number", "content").first()
    return (version.number, version.content) if version else (None, None)


# Scenario regression


def scenario_regression(draft: dict[str, Any], published: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every scenario of the draft ranked with the draft and with the published version."""
    draft_snapshot = snapshot_from_content(draft)
    published_snapshot_ = snapshot_from_content(published) if published else None
    rows = []
    for scenario in draft["scenarios"]:
        requirements = Requirements.from_mapping(scenario["answers"])
        new = [o.slug for o in recommend(requirements, draft_snapshot).options[:3]]
        old = [o.slug for o in recommend(requirements, published_snapshot_).options[:3]] if published_snapshot_ else new
        rows.append(
            {
                "scenario": scenario["slug"],
                "title": scenario["title"],
                "expected": scenario["expected"],
                "published_top": old,
                "draft_top": new,
                "first_changed": old[:1] != new[:1],
                "top_three_changed": old != new,
                "broken": not new or new[0] != scenario["expected"],
            }
        )
    return rows


@transaction.atomic
def version_publish(*, actor: AbstractBaseUser | None, note: str, override_reason: str = "") -> Any:
    """Publish the draft as the next version. Refused when a scenario's expected pattern is no longer first,
    unless an override reason is given (it is recorded with the version)."""
    if not note.strip():
        raise ValidationError({"note": "Say what changed and why."})
    draft = catalog_export()
    try:
        validate_content(draft)
    except ContentError as error:
        raise ValidationError({"note": ["The draft isn't consistent yet:", *error.errors]}) from None
    _, published = published_content()
    regression = scenario_regression(draft, published)
    broken = [row["scenario"] for row in regression if row["broken"]]
    if broken and not override_reason.strip():
        raise ValidationError(
            {"override_reason": f"These scenarios no longer rank their expected pattern first: {', '.join(broken)}. "
             "Fix the fits, or give a reason to publish anyway."}
        )  # fmt: skip
    return _create_version(actor=actor, note=note, content=draft, regression=regression,
                           override_reason=override_reason.strip() if broken else "")  # fmt: skip


def _create_version(
    *, actor: Any, note: str, content: dict[str, Any], regression: list[Any], override_reason: str
) -> Any:
    number = (latest_version_number() or 0) + 1
    try:
        with transaction.atomic():
            version = CatalogVersion.objects.create(
                number=number,
                note=note.strip(),
                content={**content, "version": f"v{number}"},
                content_hash=content_fingerprint(content),
                regression=regression,
                override_reason=override_reason,
                published_by=actor,
            )
    except IntegrityError:
        raise ValidationError(
            {"note": "Someone published at the same moment; look at the new version and retry."}
        ) from None
    CurationEvent.objects.create(actor=actor, action="published", object_type="catalog version",
                                 object_repr=f"v{number}", changes={"note": [None, note.strip()]})  # fmt: skip
    return version


@transaction.atomic
def version_rollback(*, version: Any, actor: AbstractBaseUser | None) -> Any:
    """Publish an earlier version's content as a new version, and make the draft match it."""
    content = dict(version.content)
    catalog_load(data=content, overwrite=True, actor=actor, prune=True)
    inactive = [p["slug"] for p in content["patterns"] if not p.get("active", True)]
    Pattern.objects.filter(slug__in=inactive).update(is_active=False)
    Pattern.objects.filter(slug__in=[p["slug"] for p in content["patterns"]]).exclude(slug__in=inactive).update(
        is_active=True
    )
    regression = scenario_regression(content, published_content()[1])
    return _create_version(
        actor=actor, note=f"Rollback to v{version.number}.", content=content, regression=regression, override_reason=""
    )


def draft_differs_from_published() -> bool:
    _, published = published_content()
    return published is None or content_fingerprint(catalog_export()) != content_fingerprint(published)


# Differences between two versions


def catalog_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Per pattern: text, fits, cautions and scenarios that differ; plus weights and checklist."""
    old_patterns = {p["slug"]: p for p in old["patterns"]}
    new_patterns = {p["slug"]: p for p in new["patterns"]}
    patterns = []
    for slug in sorted(set(old_patterns) | set(new_patterns)):
        a, b = old_patterns.get(slug), new_patterns.get(slug)
        entry: dict[str, Any] = {"slug": slug, "name": (b or a)["name"], "status": "changed", "text": [], "fits": [],
                                 "cautions": [], "scenarios": []}  # fmt: skip
        if a is None or b is None:
            entry["status"] = "added" if a is None else "removed"
            patterns.append(entry)
            continue
        for field in (*PATTERN_FIELDS, "learn_more"):
            if a.get(field) != b.get(field):
                entry["text"].append({"field": field, "before": a.get(field), "after": b.get(field)})
        for question in QUESTIONS:
            for value in question.values:
                fa = a["fits"].get(question.name, {}).get(value)
                fb = b["fits"].get(question.name, {}).get(value)
                if fa != fb:
                    entry["fits"].append({"question": question.name, "value": value, "before": fa, "after": fb})
        entry["cautions"] = _keyed_changes(_cautions_of(old, slug), _cautions_of(new, slug))
        entry["scenarios"] = _keyed_changes(_scenarios_of(old, slug), _scenarios_of(new, slug))
        if any(entry[key] for key in ("text", "fits", "cautions", "scenarios")):
            patterns.append(entry)
    weights = [
        {"question": q, "before": old["weights"].get(q), "after": new["weights"].get(q)}
        for q in sorted(set(old["weights"]) | set(new["weights"]))
        if old["weights"].get(q) != new["weights"].get(q)
    ]
    old_items = {i["slug"]: i for s in old["checklist"] for i in s["items"]}
    new_items = {i["slug"]: i for s in new["checklist"] for i in s["items"]}
    checklist = _keyed_changes(old_items, new_items)
    return {"patterns": patterns, "weights": weights, "checklist": checklist}


def _cautions_of(content: dict[str, Any], slug: str) -> dict[str, Any]:
    return {
        c["slug"]: {k: v for k, v in c.items() if k != "patterns"} for c in content["cautions"] if slug in c["patterns"]
    }


def _scenarios_of(content: dict[str, Any], slug: str) -> dict[str, Any]:
    return {s["slug"]: s for s in content["scenarios"] if s["expected"] == slug}


def _keyed_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    changes = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a != b:
            status = "added" if a is None else "removed" if b is None else "changed"
            fields = sorted(k for k in set(a or {}) | set(b or {}) if (a or {}).get(k) != (b or {}).get(k))
            changes.append({"key": key, "status": status, "fields": fields, "before": a, "after": b})
    return changes
