"""Hand-made catalog snapshots for the pure recommender tests."""

from __future__ import annotations

from dataclasses import replace

from patterns.ranking.snapshot import CatalogSnapshot, FitEntry, PatternEntry
from patterns.requirements import QUESTIONS

WEIGHTS = {question.name: 2 for question in QUESTIONS}


def pattern(slug: str, tie_break: int = 10, **levels: str) -> PatternEntry:
    """A pattern that is neutral everywhere except the given ``question__value=level`` fits."""
    fits = {(q.name, v): FitEntry("neutral", f"{slug} is neutral on {v}") for q in QUESTIONS for v in q.values}
    for key, level in levels.items():
        question, value = key.split("__")
        fits[(question, value)] = FitEntry(level, f"{slug}: {question}={value} is {level}")
    return PatternEntry(slug=slug, name=slug.title(), tie_break=tie_break, fits=fits)


def with_scope(entry: PatternEntry, scope: str, **levels: str) -> PatternEntry:
    """The pattern with more ``question__value=level`` fits that hold only in ``scope``."""
    table = dict(entry.fits)
    for key, level in levels.items():
        question, value = key.split("__")
        table[(question, value)] = FitEntry(level, f"{entry.slug} in {scope}: {question}={value} is {level}")
    return replace(entry, scoped_fits={**entry.scoped_fits, scope: table})


def snapshot(*patterns: PatternEntry, weights: dict[str, int] | None = None) -> CatalogSnapshot:
    return CatalogSnapshot(version="test", weights=weights or WEIGHTS, patterns=patterns)
