"""Plain, immutable views of the curated catalog that the recommender reads.

Built from content in the content-file format (a published version's, or the draft's export) by
``snapshot_from_content``; the recommender sees nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FitEntry:
    level: str
    rationale: str


@dataclass(frozen=True)
class CautionEntry:
    slug: str
    title: str
    text: str
    source_url: str
    # question -> allowed values; the caution applies when every listed question is answered with one of them.
    conditions: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def applies(self, answers: Mapping[str, str]) -> bool:
        return all(answers.get(question) in values for question, values in self.conditions.items())


@dataclass(frozen=True)
class PatternEntry:
    slug: str
    name: str
    tie_break: int
    fits: Mapping[tuple[str, str], FitEntry]
    cautions: tuple[CautionEntry, ...] = ()


@dataclass(frozen=True)
class CatalogSnapshot:
    version: str
    weights: Mapping[str, int]
    patterns: tuple[PatternEntry, ...]


def snapshot_from_content(data: Mapping[str, Any], *, version: str | None = None) -> CatalogSnapshot:
    """The recommender's view of validated content (patterns marked "active": false are left out)."""
    cautions_by_pattern: dict[str, list[CautionEntry]] = {}
    for caution in data.get("cautions", []):
        entry = CautionEntry(
            slug=caution["slug"],
            title=caution["title"],
            text=caution["text"],
            source_url=caution["source_url"],
            conditions={q: frozenset(v) for q, v in caution.get("when", {}).items()},
        )
        for slug in caution["patterns"]:
            cautions_by_pattern.setdefault(slug, []).append(entry)
    patterns = tuple(
        PatternEntry(
            slug=pattern["slug"],
            name=pattern["name"],
            tie_break=pattern["tie_break"],
            fits={
                (question, value): FitEntry(fit["fit"], fit["why"])
                for question, answers in pattern["fits"].items()
                for value, fit in answers.items()
            },
            cautions=tuple(cautions_by_pattern.get(pattern["slug"], [])),
        )
        for pattern in data["patterns"]
        if pattern.get("active", True)
    )
    return CatalogSnapshot(version=version or data["version"], weights=dict(data["weights"]), patterns=patterns)
