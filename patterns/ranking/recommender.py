"""Rank every active pattern of a catalog snapshot for one set of requirements.

Pure: no ORM, no request, no pattern named in code. Every preference comes from curated data: the fit level and
rationale of each pattern for each answer (for the case's scope: a fit may differ by scope), the weight of each
question, and each pattern's tie-break.

Score: for the answered questions, the weighted share of the best possible fit, from 0 to 100. A fit marked
"excluded" is a hard constraint: the pattern leaves the ranking and the rationale says why. The ranking then says
how far to trust its first option (``confidence``) and, when that isn't strong, which answers to change
(``relaxations``).
"""

from __future__ import annotations

import gc
from operator import attrgetter

from patterns.ranking.capacity import NEAR_LIMIT, OVER_LIMIT, OVER_LIMIT_PENALTY, CapacityRecord, assess
from patterns.ranking.confidence import STRONG, fit_level
from patterns.ranking.records import ExclusionRecord, FitVerdict, OptionRecord, RankingRecord, Reason
from patterns.ranking.relaxations import relaxations
from patterns.ranking.snapshot import CatalogSnapshot, CautionEntry
from patterns.requirements import QUESTIONS, QUESTIONS_BY_NAME, Requirements
from patterns.taxonomy import LEVEL_POINTS, FitLevel

EXCLUDED, NEUTRAL = FitLevel.EXCLUDED.value, FitLevel.NEUTRAL.value
MISSING_FIT = "No curated fit for this answer yet; counted as neutral."
# (question, answer) -> (question label, answer label): looked up once per reason, so precomputed.
LABELS = {(q.name, c.value): (q.label, c.label) for q in QUESTIONS for c in q.choices}
Answer = tuple[str, str]
_Vector = tuple[tuple[float, ...], frozenset[int]]  # every pattern's points for one answer, and those it rules out
POINTS = attrgetter("points")


def _reason_tables(snapshot: CatalogSnapshot, scope: str, weights: dict[str, int]) -> list[dict[Answer, Reason]]:
    """For each pattern, every answer's reason (fit, points, labels, why) as this scope reads it: built once per
    snapshot and scope, so a ranking only looks its answers up."""
    key = ("reasons", scope)
    tables: list[dict[Answer, Reason]] | None = snapshot.memo.get(key)
    if tables is None:
        tables = []
        for pattern in snapshot.patterns:
            fits = pattern.fits_for(scope)
            table = {}
            for (question, value), (question_label, value_label) in LABELS.items():
                fit = fits.get((question, value))
                level, rationale = (fit.level, fit.rationale) if fit else (NEUTRAL, MISSING_FIT)
                weight = weights.get(question, 0)
                points = 0.0 if level == EXCLUDED else weight * LEVEL_POINTS[level]
                table[question, value] = Reason(question, question_label, value, value_label, level, weight, points,
                                                rationale)  # fmt: skip
            tables.append(table)
        snapshot.memo[key] = tables
    return tables


def _answer_vectors(snapshot: CatalogSnapshot, scope: str, weights: dict[str, int]) -> dict[Answer, _Vector]:
    """For each answer, every pattern's points (in snapshot order) and the patterns it rules out: built once per
    snapshot and scope, so a ranking adds a few ready-made columns instead of visiting every pattern's table."""
    key = ("vectors", scope)
    vectors: dict[Answer, _Vector] | None = snapshot.memo.get(key)
    if vectors is None:
        tables = _reason_tables(snapshot, scope, weights)
        vectors = {
            answer: (
                tuple(table[answer].points for table in tables),
                frozenset(index for index, table in enumerate(tables) if table[answer].level == EXCLUDED),
            )
            for answer in LABELS
        }
        snapshot.memo[key] = vectors
        gc.freeze()  # the snapshot and its tables live as long as the process: keep the collector off them
    return vectors


def recommend(requirements: Requirements, snapshot: CatalogSnapshot, *, limit: int | None = None) -> RankingRecord:
    """Every pattern ranked; ``limit``: explain only the first ``limit`` options (the order and the verdict are the
    same whatever the limit)."""
    answers = requirements.answers()
    weights = {name: max(0, snapshot.weights.get(name, 0)) for name in QUESTIONS_BY_NAME}
    possible = sum(weights[question] for question in answers)
    items = list(answers.items())
    tables = _reason_tables(snapshot, requirements.scope, weights)
    vectors = _answer_vectors(snapshot, requirements.scope, weights)
    columns = [vectors[item] for item in items]
    ruled_out: set[int] = set().union(*(column[1] for column in columns)) if columns else set()
    totals = list(map(sum, zip(*(column[0] for column in columns), strict=True))) if columns else None
    patterns = snapshot.patterns
    scored: list[tuple[float, int, str, int]] = [
        (round(100.0 * totals[index] / possible, 1) if totals is not None and possible else 0.0,
         pattern.tie_break, pattern.name, index)
        for index, pattern in enumerate(patterns)
        if index not in ruled_out
    ]  # fmt: skip
    capacity = requirements.capacity
    checks = {
        index: assess(patterns[index].limits, capacity, requirements.scope, requirements.timing,
                      requirements.direction)
        for _, _, _, index in scored
    } if capacity is not None else {}  # fmt: skip

    # An option over a platform limit for these numbers gives up OVER_LIMIT_PENALTY points in the order (its score,
    # what the answers earn it, stays as it is).
    def order(item: tuple[float, int, str, int]) -> tuple[float, int, str]:
        over = item[3] in checks and checks[item[3]].verdict == OVER_LIMIT
        return (-(item[0] - OVER_LIMIT_PENALTY) if over else -item[0], item[1], item[2])

    scored.sort(key=order)
    shown = scored if limit is None else scored[: max(0, limit)]
    options = tuple(
        OptionRecord(
            pattern=patterns[index].slug,
            name=name,
            rank=position,
            score=score,
            # Strongest reasons first, so a reader sees why the pattern stands where it does.
            contributions=tuple(sorted((tables[index][item] for item in items), key=POINTS, reverse=True)),
            cautions=(
                *(caution for caution in patterns[index].cautions if caution.applies(answers)),
                *capacity_cautions(checks.get(index)),
            ),
            capacity=checks.get(index),
        )
        for position, (score, _, name, index) in enumerate(shown, start=1)
    )
    blockers: dict[int, list[Reason]] = {index: [] for index in ruled_out}
    for item, (_, out) in zip(items, columns, strict=True):
        for index in out:
            blockers[index].append(tables[index][item])
    excluded = [ExclusionRecord(patterns[i].slug, patterns[i].name, tuple(reasons)) for i, reasons in blockers.items()]
    excluded.sort(key=lambda exclusion: exclusion.name)
    top = options[0] if options else None
    verdict = FitVerdict.of(top)
    if verdict.level == STRONG or (top and fit_level(top.score, top.contributions) == STRONG):
        # Strong, or short only of the numbers: changing answers can't help with a platform limit.
        return RankingRecord(snapshot.version, options, tuple(excluded), verdict)
    field = list(zip(snapshot.patterns, tables, strict=True))
    # Numbers that say how much data there is aren't relaxed by calling the volume something else.
    keep = frozenset({"volume"}) if capacity is not None and capacity.records_per_day is not None else frozenset()
    found = relaxations(answers, field, verdict.level, keep=keep)
    if capacity is not None:  # a change of answers can't get a pattern past a limit the numbers already exceed
        by_slug = {pattern.slug: pattern for pattern in snapshot.patterns}
        found = tuple(
            r for r in found
            if assess(by_slug[r.pattern].limits, capacity, requirements.scope,
                      dict(r.changes).get("timing", requirements.timing) or None,
                      dict(r.changes).get("direction", requirements.direction) or None).verdict != OVER_LIMIT
        )  # fmt: skip
    return RankingRecord(snapshot.version, options, tuple(excluded), verdict, found)


def capacity_cautions(check: CapacityRecord | None) -> tuple[CautionEntry, ...]:
    """An estimate near or over a limit becomes a caution with its arithmetic and source."""
    if check is None:
        return ()
    return tuple(
        CautionEntry(
            f"capacity-{e.limit}",
            f"{'Over' if e.verdict == OVER_LIMIT else 'Near'} a limit: {e.name}",
            e.text[:1].upper() + e.text[1:],
            e.source,
        )
        for e in check.estimates
        if e.verdict in {OVER_LIMIT, NEAR_LIMIT}
    )
