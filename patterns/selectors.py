"""Reads of the catalog shared by pages, the API and the recommender."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db.models import Case, Prefetch, Q, QuerySet, When
from django.shortcuts import get_object_or_404

from patterns.models import Caution, ChecklistSection, ContentLoad, Family, Fit, Pattern, QuestionWeight, Scenario
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


def pattern_list(*, filters: CatalogFilters) -> QuerySet[Pattern]:
    patterns = Pattern.objects.filter(is_active=True)
    if filters.family:
        patterns = patterns.filter(family=filters.family)
    if filters.category:
        patterns = patterns.filter(category=filters.category)
    if filters.interaction:
        # A pattern that can work both ways belongs to either filter.
        patterns = patterns.filter(interaction__in=[filters.interaction, "both"])
    for word in filters.query.split():
        patterns = patterns.filter(
            Q(name__icontains=word)
            | Q(summary__icontains=word)
            | Q(description__icontains=word)
            | Q(use_when__icontains=word)
            | Q(slug__icontains=word)
        )
    family_order = Case(*(When(family=value, then=position) for position, value in enumerate(Family.values)))
    return patterns.only("slug", "name", "family", "category", "summary", "interaction", "code_required").order_by(
        family_order, "tie_break", "name"
    )


def pattern_for_page(slug: str) -> Pattern:
    """One active pattern with everything its page shows, in a fixed number of queries."""
    return get_object_or_404(
        Pattern.objects.prefetch_related(
            "links",
            "cautions",
            Prefetch("fits", queryset=Fit.objects.order_by("question", "value")),
            Prefetch(
                "expected_in",
                queryset=Scenario.objects.select_related("expected_pattern").prefetch_related("alternatives"),
            ),
            Prefetch(
                "alternative_in",
                queryset=Scenario.objects.select_related("expected_pattern").prefetch_related("alternatives"),
            ),
        ),
        slug=slug,
        is_active=True,
    )


def patterns_for_compare(slugs: list[str]) -> list[Pattern]:
    """The active patterns named, in the order asked, with their links and cautions."""
    found = {
        pattern.slug: pattern
        for pattern in Pattern.objects.filter(slug__in=slugs, is_active=True).prefetch_related("links", "cautions")
    }
    return [found[slug] for slug in slugs if slug in found]


def checklist_sections() -> QuerySet[ChecklistSection]:
    return ChecklistSection.objects.prefetch_related("items")


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


def latest_content_load() -> ContentLoad | None:
    return ContentLoad.objects.order_by("-loaded_at", "-id").first()
