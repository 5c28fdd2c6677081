"""Reads of the catalog shared by pages, the API and the recommender."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from patterns.models import Caution, ContentLoad, Fit, Pattern, QuestionWeight
from patterns.requirements import QUESTIONS
from patterns.snapshot import CatalogSnapshot, CautionEntry, FitEntry, PatternEntry

QUESTION_ORDER = {question.name: position for position, question in enumerate(QUESTIONS)}


@dataclass(frozen=True)
class CatalogFilters:
    family: str = ""
    category: str = ""
    interaction: str = ""
    query: str = ""

    @property
    def active(self) -> bool:
        return any((self.family, self.category, self.interaction, self.query))


def catalog_snapshot() -> CatalogSnapshot:
    """The recommender's view of the active catalog, built in four queries whatever its size."""
    weights = dict(QuestionWeight.objects.values_list("question", "weight"))
    cautions_by_pattern: dict[int, list[CautionEntry]] = {}
    for caution in Caution.objects.filter(pattern__is_active=True).order_by("pattern_id", "title", "id"):
        cautions_by_pattern.setdefault(caution.pattern_id, []).append(
            CautionEntry(
                slug=caution.slug,
                title=caution.title,
                text=caution.text,
                source_url=caution.source_url,
                conditions={question: frozenset(values) for question, values in caution.conditions.items()},
            )
        )
    fits_by_pattern: dict[int, dict[tuple[str, str], FitEntry]] = {}
    for pattern_id, question, value, level, rationale in Fit.objects.filter(pattern__is_active=True).values_list(
        "pattern_id", "question", "value", "level", "rationale"
    ):
        fits_by_pattern.setdefault(pattern_id, {})[(question, value)] = FitEntry(level, rationale)
    patterns = tuple(
        PatternEntry(
            slug=slug,
            name=name,
            tie_break=tie_break,
            fits=fits_by_pattern.get(pk, {}),
            cautions=tuple(cautions_by_pattern.get(pk, [])),
        )
        for pk, slug, name, tie_break in Pattern.objects.filter(is_active=True)
        .order_by("slug")
        .values_list("pk", "slug", "name", "tie_break")
    )
    return CatalogSnapshot(version=_version(weights, patterns), weights=weights, patterns=patterns)


def _version(weights: dict[str, int], patterns: tuple[PatternEntry, ...]) -> str:
    """The loaded content version plus a hash of what the recommender actually reads, so admin edits show."""
    canonical = {
        "weights": weights,
        "patterns": [
            [
                p.slug,
                p.name,
                p.tie_break,
                sorted([q, v, f.level, f.rationale] for (q, v), f in p.fits.items()),
                [
                    [c.slug, c.title, c.text, c.source_url, sorted((q, sorted(v)) for q, v in c.conditions.items())]
                    for c in p.cautions
                ],
            ]
            for p in patterns
        ],
    }
    digest = hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()[:10]
    latest = ContentLoad.objects.order_by("-loaded_at", "-id").values_list("version", flat=True).first()
    return f"{latest or 'unversioned'}+{digest}"
