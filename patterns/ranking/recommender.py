"""Rank every active pattern of a catalog snapshot for one set of requirements.

Pure: no ORM, no request, no pattern named in code. Every preference comes from curated data: the fit level and
rationale of each pattern for each answer, the weight of each question, and each pattern's tie-break.

Score: for the answered questions, the weighted share of the best possible fit, from 0 to 100. A fit marked
"excluded" is a hard constraint: the pattern leaves the ranking and the rationale says why.
"""

from __future__ import annotations

from patterns.ranking.records import ExclusionRecord, OptionRecord, RankingRecord, Reason
from patterns.ranking.snapshot import CatalogSnapshot, PatternEntry
from patterns.requirements import QUESTIONS, QUESTIONS_BY_NAME, Requirements
from patterns.taxonomy import LEVEL_POINTS, FitLevel

EXCLUDED, NEUTRAL = FitLevel.EXCLUDED.value, FitLevel.NEUTRAL.value
MISSING_FIT = "No curated fit for this answer yet; counted as neutral."
# (question, answer) -> (question label, answer label): looked up once per reason, so precomputed.
LABELS = {(q.name, c.value): (q.label, c.label) for q in QUESTIONS for c in q.choices}


def _reasons(pattern: PatternEntry, answers: dict[str, str], weights: dict[str, int]) -> list[Reason]:
    result = []
    for question, value in answers.items():
        fit = pattern.fits.get((question, value))
        level, rationale = (fit.level, fit.rationale) if fit else (NEUTRAL, MISSING_FIT)
        weight = weights.get(question, 0)
        points = 0.0 if level == EXCLUDED else weight * LEVEL_POINTS[level]
        question_label, value_label = LABELS.get((question, value), (question, value))
        result.append(Reason(question, question_label, value, value_label, level, weight, points, rationale))
    return result


def recommend(requirements: Requirements, snapshot: CatalogSnapshot) -> RankingRecord:
    answers = requirements.answers()
    weights = {name: max(0, snapshot.weights.get(name, 0)) for name in QUESTIONS_BY_NAME}
    possible = sum(weights[question] for question in answers)
    scored: list[tuple[float, int, str, PatternEntry, list[Reason]]] = []
    excluded: list[ExclusionRecord] = []
    for pattern in snapshot.patterns:
        reasons = _reasons(pattern, answers, weights)
        blockers = tuple(r for r in reasons if r.level == EXCLUDED)
        if blockers:
            excluded.append(ExclusionRecord(pattern.slug, pattern.name, blockers))
            continue
        score = 100.0 * sum(r.points for r in reasons) / possible if possible else 0.0
        scored.append((round(score, 1), pattern.tie_break, pattern.name, pattern, reasons))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    options = tuple(
        OptionRecord(
            pattern=pattern.slug,
            name=pattern.name,
            rank=position,
            score=score,
            # Strongest reasons first, so a reader sees why the pattern stands where it does.
            contributions=tuple(sorted(reasons, key=lambda r: -r.points)),
            cautions=tuple(caution for caution in pattern.cautions if caution.applies(answers)),
        )
        for position, (score, _, _, pattern, reasons) in enumerate(scored, start=1)
    )
    excluded.sort(key=lambda exclusion: exclusion.name)
    return RankingRecord(snapshot.version, options, tuple(excluded))
