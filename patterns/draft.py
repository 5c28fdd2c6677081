"""The curators' draft: the catalog rows edited in the admin. ``catalog_load`` fills them from the content file;
``catalog_export`` writes them back in the same format (what publishing freezes and exportcatalog prints).

The rule for admin edits: every curated row remembers the hash of the state the loader last wrote. On the next load
a row whose current state still has that hash is updated from the file; a row whose state differs (a curator edited
it in the admin, or created it there) is kept as it is and reported, unless ``overwrite=True`` (``--overwrite``).
Rows that the file doesn't mention are never deleted. Patterns are a unit with their fits and links.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction

from patterns.audit import curation_record
from patterns.content import FORMAT, validate_content
from patterns.models import (
    Caution,
    ChecklistItem,
    ChecklistSection,
    ContentLoad,
    Fit,
    Pattern,
    PatternLink,
    QuestionWeight,
    Scenario,
)
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


@dataclass
class LoadReport:
    version: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept_edits: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"Catalog content {self.version}: {len(self.created)} created, {len(self.updated)} updated, "
            f"{self.unchanged} unchanged, {len(self.kept_edits)} admin edits kept."
        ]
        lines += [f"  kept admin edit: {name} (loadcatalog --overwrite replaces it)" for name in self.kept_edits]
        lines += [f"  removed: {name}" for name in self.removed]
        return "\n".join(lines)


# The state of each kind of row, computed the same way from a row and from a file entry.


def pattern_state_from_row(pattern: Pattern) -> dict[str, Any]:
    state: dict[str, Any] = {name: getattr(pattern, name) for name in PATTERN_FIELDS}
    state["learn_more"] = [{"title": link.title, "url": link.url} for link in pattern.links.all()]
    fits: dict[str, dict[str, dict[str, str]]] = {}
    for fit in pattern.fits.all():
        fits.setdefault(fit.question, {})[fit.value] = {"fit": fit.level, "why": fit.rationale}
    state["fits"] = fits
    return state


def pattern_state_from_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    state = {name: entry[name] for name in PATTERN_FIELDS}
    state["learn_more"] = [{"title": link["title"], "url": link["url"]} for link in entry["learn_more"]]
    state["fits"] = {
        question: {value: {"fit": fit["fit"], "why": fit["why"]} for value, fit in answers.items()}
        for question, answers in entry["fits"].items()
    }
    return state


def caution_state_from_row(caution: Caution) -> dict[str, Any]:
    return {
        "title": caution.title,
        "text": caution.text,
        "source_url": caution.source_url,
        "when": caution.conditions,
    }


def caution_state_from_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "title": entry["title"],
        "text": entry["text"],
        "source_url": entry["source_url"],
        "when": dict(entry.get("when", {})),
    }


def scenario_state_from_row(scenario: Scenario) -> dict[str, Any]:
    return {
        "title": scenario.title,
        "description": scenario.description,
        "answers": scenario.answers,
        "expected": scenario.expected_pattern.slug,
        "alternatives": sorted(pattern.slug for pattern in scenario.alternatives.all()),
        "rationale": scenario.rationale,
    }


def scenario_state_from_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "title": entry["title"],
        "description": entry["description"],
        "answers": dict(entry["answers"]),
        "expected": entry["expected"],
        "alternatives": sorted(entry.get("alternatives", [])),
        "rationale": entry["rationale"],
    }


def item_state(section: str, title: str, guidance: str, position: int, condition: dict[str, Any]) -> dict[str, Any]:
    state: dict[str, Any] = {"section": section, "title": title, "guidance": guidance, "position": position}
    if condition:  # absent when empty, so rows loaded before conditions existed keep their hash
        state["condition"] = condition
    return state


def _reconcile(
    *,
    report: LoadReport,
    label: str,
    row: Any,
    row_state: Callable[[Any], dict[str, Any]],
    new_state: dict[str, Any],
    write: Callable[[Any], Any],
    overwrite: bool,
    actor: Any = None,
) -> None:
    """Create, update, keep or skip one row by the admin-edit rule above; ``write(row_or_None)`` saves new_state
    and returns the row."""
    new_hash = state_hash(new_state)
    if row is None:
        row = write(None)
        report.created.append(label)
        curation_record(actor=actor, obj=row, action="loaded")
    else:
        row_state_before = row_state(row)
        current_hash = state_hash(row_state_before)
        if current_hash == new_hash:
            report.unchanged += 1
            if row.content_hash == new_hash:
                return
        elif current_hash != row.content_hash and not overwrite:
            report.kept_edits.append(label)
            return
        else:
            row = write(row)
            report.updated.append(label)
            changes = _changed_keys(row_state_before, new_state)
            curation_record(actor=actor, obj=row, action="reloaded", changes=changes)
    type(row).objects.filter(pk=row.pk).update(content_hash=new_hash)


def _changed_keys(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Top-level keys that differ; fits are summarised rather than copied whole."""
    changes = {}
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            changes[key] = ("(fits)", "(fits)") if key == "fits" else (before.get(key), after.get(key))
    return changes


def _prune(*, data: Mapping[str, Any], actor: Any, report: LoadReport) -> None:
    """Delete the rows the content doesn't mention (a rollback makes the draft match a version exactly)."""
    scenario_slugs = {s["slug"] for s in data.get("scenarios", [])}
    caution_keys = {(slug, c["slug"]) for c in data.get("cautions", []) for slug in c["patterns"]}
    item_slugs = {i["slug"] for section in data["checklist"] for i in section["items"]}
    section_slugs = {section["slug"] for section in data["checklist"]}
    pattern_slugs = {p["slug"] for p in data["patterns"]}
    doomed: list[Any] = [
        *Scenario.objects.exclude(slug__in=scenario_slugs),
        *(c for c in Caution.objects.select_related("pattern") if (c.pattern.slug, c.slug) not in caution_keys),
        *ChecklistItem.objects.exclude(slug__in=item_slugs),
        *ChecklistSection.objects.exclude(slug__in=section_slugs),
        *Pattern.objects.exclude(slug__in=pattern_slugs),
    ]
    for row in doomed:
        curation_record(actor=actor, obj=row, action="removed")
        report.removed.append(f"{row._meta.verbose_name} {row}")
        row.delete()


def _write_pattern(entry: Mapping[str, Any], row: Pattern | None) -> Pattern:
    pattern = row or Pattern(slug=entry["slug"], is_active=entry.get("active", True))
    for name in PATTERN_FIELDS:
        setattr(pattern, name, entry[name])
    pattern.full_clean()
    pattern.save()
    pattern.links.all().delete()
    pattern.fits.all().delete()
    links = [
        PatternLink(pattern=pattern, title=link["title"], url=link["url"], position=position)
        for position, link in enumerate(entry["learn_more"])
    ]
    fits = [
        Fit(pattern=pattern, question=question, value=value, level=fit["fit"], rationale=fit["why"])
        for question, answers in entry["fits"].items()
        for value, fit in answers.items()
    ]
    # Uniqueness is already checked by validate_content and enforced by the database's constraints.
    for child in (*links, *fits):
        child.full_clean(validate_unique=False, validate_constraints=False)
    PatternLink.objects.bulk_create(links)
    Fit.objects.bulk_create(fits)
    return pattern


@transaction.atomic
def catalog_load(
    *, data: Mapping[str, Any], overwrite: bool = False, actor: Any = None, prune: bool = False
) -> LoadReport:
    """Validate the whole content first (ContentError, nothing written), then reconcile every row in one
    transaction."""
    validate_content(data)
    report = LoadReport(version=data["version"])

    weights = {row.question: row for row in QuestionWeight.objects.all()}
    for question, weight in data["weights"].items():

        def write_weight(row: QuestionWeight | None, question: str = question, weight: int = weight) -> QuestionWeight:
            row = row or QuestionWeight(question=question)
            row.weight = weight
            row.full_clean(validate_unique=False)
            row.save()
            return row

        _reconcile(
            report=report,
            label=f"weight {question}",
            row=weights.get(question),
            row_state=lambda row: {"weight": row.weight},
            new_state={"weight": weight},
            write=write_weight,
            overwrite=overwrite,
            actor=actor,
        )

    existing = {p.slug: p for p in Pattern.objects.prefetch_related("links", "fits")}
    for entry in data["patterns"]:
        _reconcile(
            report=report,
            label=f"pattern {entry['slug']}",
            row=existing.get(entry["slug"]),
            row_state=pattern_state_from_row,
            new_state=pattern_state_from_entry(entry),
            write=partial(_write_pattern, entry),
            overwrite=overwrite,
            actor=actor,
        )
    patterns = {p.slug: p for p in Pattern.objects.all()}

    cautions = {(c.pattern.slug, c.slug): c for c in Caution.objects.select_related("pattern")}
    for entry in data.get("cautions", []):
        for slug in entry["patterns"]:

            def write_caution(row: Caution | None, entry: Mapping[str, Any] = entry, slug: str = slug) -> Caution:
                row = row or Caution(pattern=patterns[slug], slug=entry["slug"])
                row.title, row.text, row.source_url = entry["title"], entry["text"], entry["source_url"]
                row.conditions = dict(entry.get("when", {}))
                row.full_clean(validate_unique=False, validate_constraints=False)
                row.save()
                return row

            _reconcile(
                report=report,
                label=f"caution {entry['slug']} on {slug}",
                row=cautions.get((slug, entry["slug"])),
                row_state=caution_state_from_row,
                new_state=caution_state_from_entry(entry),
                write=write_caution,
                overwrite=overwrite,
                actor=actor,
            )

    scenarios = {
        s.slug: s for s in Scenario.objects.select_related("expected_pattern").prefetch_related("alternatives")
    }
    for entry in data.get("scenarios", []):

        def write_scenario(row: Scenario | None, entry: Mapping[str, Any] = entry) -> Scenario:
            row = row or Scenario(slug=entry["slug"])
            row.title, row.description, row.rationale = entry["title"], entry["description"], entry["rationale"]
            row.answers = dict(entry["answers"])
            row.expected_pattern = patterns[entry["expected"]]
            row.full_clean(validate_unique=False)
            row.save()
            row.alternatives.set([patterns[slug] for slug in entry.get("alternatives", [])])
            return row

        _reconcile(
            report=report,
            label=f"scenario {entry['slug']}",
            row=scenarios.get(entry["slug"]),
            row_state=scenario_state_from_row,
            new_state=scenario_state_from_entry(entry),
            write=write_scenario,
            overwrite=overwrite,
            actor=actor,
        )

    sections = {s.slug: s for s in ChecklistSection.objects.all()}
    items = {i.slug: i for i in ChecklistItem.objects.select_related("section")}
    for section_position, section_entry in enumerate(data["checklist"]):

        def write_section(
            row: ChecklistSection | None, entry: Mapping[str, Any] = section_entry, position: int = section_position
        ) -> ChecklistSection:
            row = row or ChecklistSection(slug=entry["slug"])
            row.title, row.position = entry["title"], position
            row.full_clean(validate_unique=False)
            row.save()
            return row

        _reconcile(
            report=report,
            label=f"checklist section {section_entry['slug']}",
            row=sections.get(section_entry["slug"]),
            row_state=lambda row: {"title": row.title, "position": row.position},
            new_state={"title": section_entry["title"], "position": section_position},
            write=write_section,
            overwrite=overwrite,
            actor=actor,
        )
        section = ChecklistSection.objects.get(slug=section_entry["slug"])
        for item_position, item_entry in enumerate(section_entry["items"]):

            def write_item(
                row: ChecklistItem | None,
                entry: Mapping[str, Any] = item_entry,
                position: int = item_position,
                section: ChecklistSection = section,
            ) -> ChecklistItem:
                row = row or ChecklistItem(slug=entry["slug"])
                row.section, row.title, row.guidance, row.position = (
                    section,
                    entry["title"],
                    entry["guidance"],
                    position,
                )
                row.condition = dict(entry.get("when", {}))
                row.full_clean(validate_unique=False)
                row.save()
                return row

            _reconcile(
                report=report,
                label=f"checklist item {item_entry['slug']}",
                row=items.get(item_entry["slug"]),
                row_state=lambda row: item_state(
                    row.section.slug, row.title, row.guidance, row.position, row.condition
                ),
                new_state=item_state(
                    section_entry["slug"],
                    item_entry["title"],
                    item_entry["guidance"],
                    item_position,
                    dict(item_entry.get("when", {})),
                ),
                write=write_item,
                overwrite=overwrite,
                actor=actor,
            )

    if prune:
        _prune(data=data, actor=actor, report=report)
    ContentLoad.objects.create(version=report.version, summary=report.summary())
    return report


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
