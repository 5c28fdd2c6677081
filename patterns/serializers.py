"""Plain-dict forms of a ranking: the rich snapshot saved on an integration, and the JSON API's answer."""

from __future__ import annotations

from typing import Any

from patterns.recommender import Contribution, Ranking
from patterns.requirements import QUESTIONS_BY_NAME
from patterns.snapshot import LEVEL_LABELS


def _answer_label(question: str, value: str) -> str:
    spec = QUESTIONS_BY_NAME[question]
    try:
        return spec.choice(value).label
    except KeyError:
        return value


def reason_text(contribution: Contribution) -> str:
    """One sentence a person reads: the question, the answer, the fit, and the curated why."""
    question = QUESTIONS_BY_NAME[contribution.question].label
    answer = _answer_label(contribution.question, contribution.value)
    return f"{question}: {answer} ({LEVEL_LABELS[contribution.level].lower()}). {contribution.rationale}"


def _contribution(contribution: Contribution) -> dict[str, Any]:
    return {
        "question": contribution.question,
        "question_label": QUESTIONS_BY_NAME[contribution.question].label,
        "value": contribution.value,
        "value_label": _answer_label(contribution.question, contribution.value),
        "level": contribution.level,
        "weight": contribution.weight,
        "points": contribution.points,
        "rationale": contribution.rationale,
    }


def ranking_snapshot(ranking: Ranking) -> dict[str, Any]:
    """Everything a saved decision needs to be read again later without the catalog."""
    return {
        "catalog_version": ranking.catalog_version,
        "options": [
            {
                "pattern": option.slug,
                "name": option.name,
                "rank": option.rank,
                "score": option.score,
                "contributions": [_contribution(c) for c in option.contributions],
                "cautions": [
                    {"slug": c.slug, "title": c.title, "text": c.text, "source_url": c.source_url}
                    for c in option.cautions
                ],
            }
            for option in ranking.options
        ],
        "excluded": [
            {"pattern": e.slug, "name": e.name, "contributions": [_contribution(c) for c in e.reasons]}
            for e in ranking.excluded
        ],
    }


def ranking_for_api(ranking: Ranking) -> dict[str, Any]:
    """The documented ``POST /api/v1/recommendations`` answer."""
    return {
        "catalog_version": ranking.catalog_version,
        "options": [
            {
                "pattern": option.slug,
                "name": option.name,
                "rank": option.rank,
                "score": option.score,
                "reasons": [reason_text(c) for c in option.contributions],
                "cautions": [f"{c.title}: {c.text} (source: {c.source_url})" for c in option.cautions],
            }
            for option in ranking.options
        ],
        "excluded": [
            {"pattern": e.slug, "name": e.name, "reasons": [reason_text(c) for c in e.reasons]}
            for e in ranking.excluded
        ],
    }
