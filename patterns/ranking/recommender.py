"""Rank every active pattern of a catalog snapshot for one set of requirements.

Pure: no ORM, no request, no pattern named in code. Every preference comes from curated data: the fit level and
rationale of each pattern for each answer, the weight of each question, and each pattern's tie-break.

Score: for the answered questions, the weighted share of the best possible fit, from 0 to 100. A fit marked
"excluded" is a hard constraint: the pattern leaves the ranking and the rationale says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from patterns.ranking.snapshot import CatalogSnapshot, CautionEntry, PatternEntry
from patterns.requirements import QUESTIONS_BY_NAME, Requirements
from patterns.taxonomy import LEVEL_POINTS, FitLevel

EXCLUDED, NEUTRAL = FitLevel.EXCLUDED.value, FitLevel.NEUTRAL.value


class Contribution(NamedTuple):  # a NamedTuple: made 22 times per answer, so it must be cheap
    question: str
    value: str
    level: str
    weight: int
    points: float  # weight * level share: what this answer added to the score's numerator
    rationale: str


@dataclass(frozen=True)
class RankedOption:
    slug: str
    name: str
    rank: int
    score: float
    contributions: tuple[Contribution, ...]
    cautions: tuple[CautionEntry, ...]


@dataclass(frozen=True)
class Exclusion:
    slug: str
    name: str
    reasons: tuple[Contribution, ...]


@dataclass(frozen=True)
class Ranking:
    catalog_version: str
    options: tuple[RankedOption, ...]
    excluded: tuple[Exclusion, ...]


MISSING_FIT = "No curated fit for this answer yet; counted as neutral."


def _contributions(pattern: PatternEntry, answers: dict[str, str], weights: dict[str, int]) -> list[Contribution]:
    result = []
    for question, value in answers.items():
        fit = pattern.fits.get((question, value))
        level, rationale = (fit.level, fit.rationale) if fit else (NEUTRAL, MISSING_FIT)
        weight = weights.get(question, 0)
        points = 0.0 if level == EXCLUDED else weight * LEVEL_POINTS[level]
        result.append(Contribution(question, value, level, weight, points, rationale))
    return result


def recommend(requirements: Requirements, snapshot: CatalogSnapshot) -> Ranking:
    answers = requirements.answers()
    weights = {name: max(0, snapshot.weights.get(name, 0)) for name in QUESTIONS_BY_NAME}
    possible = sum(weights[question] for question in answers)
    scored: list[tuple[float, int, str, PatternEntry, list[Contribution]]] = []
    excluded: list[Exclusion] = []
    for pattern in snapshot.patterns:
        contributions = _contributions(pattern, answers, weights)
        blockers = tuple(c for c in contributions if c.level == EXCLUDED)
        if blockers:
            excluded.append(Exclusion(pattern.slug, pattern.name, blockers))
            continue
        score = 100.0 * sum(c.points for c in contributions) / possible if possible else 0.0
        scored.append((round(score, 1), pattern.tie_break, pattern.name, pattern, contributions))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    options = tuple(
        RankedOption(
            slug=pattern.slug,
            name=pattern.name,
            rank=position,
            score=score,
            # Strongest reasons first, so a reader sees why the pattern stands where it does.
            contributions=tuple(sorted(contributions, key=lambda c: -c.points)),
            cautions=tuple(caution for caution in pattern.cautions if caution.applies(answers)),
        )
        for position, (score, _, _, pattern, contributions) in enumerate(scored, start=1)
    )
    excluded.sort(key=lambda exclusion: exclusion.name)
    return Ranking(snapshot.version, options, tuple(excluded))
