"""Plain, immutable views of the curated catalog that the recommender reads.

One selector builds a ``CatalogSnapshot`` from the database (``patterns.selectors``); the content checker builds
the same thing straight from the content file. The recommender sees nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# The fit scale. Points are the share of a question's weight that a level earns; EXCLUDED is a hard constraint.
STRONG, GOOD, NEUTRAL, WEAK, POOR, EXCLUDED = "strong", "good", "neutral", "weak", "poor", "excluded"
LEVEL_POINTS: Mapping[str, float] = {STRONG: 1.0, GOOD: 0.75, NEUTRAL: 0.5, WEAK: 0.25, POOR: 0.0}
LEVELS: tuple[str, ...] = (*LEVEL_POINTS, EXCLUDED)
LEVEL_LABELS: Mapping[str, str] = {
    STRONG: "Strong fit",
    GOOD: "Good fit",
    NEUTRAL: "Neutral",
    WEAK: "Weak fit",
    POOR: "Poor fit",
    EXCLUDED: "Ruled out",
}


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
