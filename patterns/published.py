"""The published catalog as architects see it: the pages and the JSON API read the latest published version (or the
draft before anything is published), never half-finished curation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from patterns.models import Category, Family, Interaction
from patterns.requirements import QUESTIONS_BY_NAME
from patterns.versions import cached_for_latest_version, catalog_export

FAMILY_LABELS = dict(Family.choices)
CATEGORY_LABELS = dict(Category.choices)
INTERACTION_LABELS = dict(Interaction.choices)
FAMILY_ORDER = {value: position for position, value in enumerate(Family.values)}


@dataclass
class CautionView:
    slug: str
    title: str
    text: str
    source_url: str
    conditions: dict[str, list[str]]


@dataclass
class ScenarioView:
    slug: str
    title: str
    description: str
    answers: dict[str, Any]
    expected: str
    expected_name: str
    alternatives: list[tuple[str, str]]
    rationale: str


@dataclass
class PatternView:
    slug: str
    name: str
    family: str
    category: str
    summary: str
    description: str
    benefits: str
    drawbacks: str
    use_when: str
    interaction: str
    code_required: bool
    tie_break: int
    links: list[dict[str, str]]
    fits: dict[str, dict[str, dict[str, str]]]
    cautions: list[CautionView] = field(default_factory=list)
    scenarios: list[ScenarioView] = field(default_factory=list)

    def get_family_display(self) -> str:
        return FAMILY_LABELS.get(self.family, self.family)

    def get_category_display(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)

    def get_interaction_display(self) -> str:
        return INTERACTION_LABELS.get(self.interaction, self.interaction)


@dataclass
class ChecklistItemView:
    slug: str
    title: str
    guidance: str
    condition: dict[str, Any]
    condition_text: str


@dataclass
class PublishedCatalog:
    version: str
    patterns: list[PatternView]
    by_slug: dict[str, PatternView]
    scenarios: list[ScenarioView]
    checklist: list[tuple[str, list[ChecklistItemView]]]


def condition_text(condition: dict[str, Any], names: dict[str, str]) -> str:
    """A conditional task's condition in words."""
    parts = []
    for question, values in (condition.get("answers") or {}).items():
        spec = QUESTIONS_BY_NAME[question]
        labels = " or ".join(spec.choice(v).label for v in values if v in spec.values)
        parts.append(f"{spec.label.lower()} is {labels}")
    if condition.get("patterns"):
        parts.append("an integration relies on " + " or ".join(names.get(s, s) for s in condition["patterns"]))
    return "Only when " + " and ".join(parts) if parts else ""


def build_catalog(content: dict[str, Any], version: str) -> PublishedCatalog:
    names = {p["slug"]: p["name"] for p in content["patterns"]}
    active = [p for p in content["patterns"] if p.get("active", True)]
    patterns = [
        PatternView(
            slug=p["slug"],
            name=p["name"],
            family=p["family"],
            category=p["category"],
            summary=p["summary"],
            description=p["description"],
            benefits=p["benefits"],
            drawbacks=p["drawbacks"],
            use_when=p["use_when"],
            interaction=p["interaction"],
            code_required=p["code_required"],
            tie_break=p["tie_break"],
            links=list(p["learn_more"]),
            fits=p["fits"],
        )
        for p in active
    ]
    patterns.sort(key=lambda p: (FAMILY_ORDER.get(p.family, 99), p.tie_break, p.name))
    by_slug = {p.slug: p for p in patterns}
    for caution in sorted(content.get("cautions", []), key=lambda c: c["title"]):
        view = CautionView(caution["slug"], caution["title"], caution["text"], caution["source_url"],
                           dict(caution.get("when", {})))  # fmt: skip
        for slug in caution["patterns"]:
            if slug in by_slug:
                by_slug[slug].cautions.append(view)
    scenarios = []
    for s in sorted(content.get("scenarios", []), key=lambda s: s["title"]):
        view = ScenarioView(
            slug=s["slug"],
            title=s["title"],
            description=s["description"],
            answers=s["answers"],
            expected=s["expected"],
            expected_name=names.get(s["expected"], s["expected"]),
            alternatives=[(a, names.get(a, a)) for a in s.get("alternatives", [])],
            rationale=s["rationale"],
        )
        scenarios.append(view)
        for slug in {s["expected"], *s.get("alternatives", [])}:
            if slug in by_slug:
                by_slug[slug].scenarios.append(view)
    checklist = [
        (
            section["title"],
            [
                ChecklistItemView(
                    i["slug"], i["title"], i["guidance"], i.get("when", {}), condition_text(i.get("when", {}), names)
                )
                for i in section["items"]
            ],
        )
        for section in content["checklist"]
    ]
    return PublishedCatalog(version, patterns, by_slug, scenarios, checklist)


def published_catalog() -> PublishedCatalog:
    """The latest published version (cached per version: one query), or the draft before anything is published."""
    catalog = cached_for_latest_version("catalog", build_catalog)
    return catalog if catalog is not None else build_catalog(catalog_export(), "draft")
