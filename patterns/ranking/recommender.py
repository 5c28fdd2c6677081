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


def recommend(requirements: Requirements, snapshot: CatalogSnapshot) -> RankingRecord:
    answers = requirements.answers()
    weights = {name: max(0, snapshot.weights.get(name, 0)) for name in QUESTIONS_BY_NAME}
    possible = sum(weights[question] for question in answers)
    items = list(answers.items())
    tables = _reason_tables(snapshot, requirements.scope, weights)
    scored: list[tuple[float, int, str, int, list[Reason]]] = []
    excluded: list[ExclusionRecord] = []
    for index, pattern in enumerate(snapshot.patterns):
        table = tables[index]
        reasons = [table[item] for item in items]
        blockers = tuple(r for r in reasons if r.level == EXCLUDED)
        if blockers:
            excluded.append(ExclusionRecord(pattern.slug, pattern.name, blockers))
            continue
        score = 100.0 * sum(r.points for r in reasons) / possible if possible else 0.0
        scored.append((round(score, 1), pattern.tie_break, pattern.name, index, reasons))
    capacity = requirements.capacity
    checks = {
        index: assess(snapshot.patterns[index].limits, capacity, requirements.scope, requirements.timing,
                      requirements.direction)
        for _, _, _, index, _ in scored
    } if capacity is not None else {}  # fmt: skip

    # An option over a platform limit for these numbers gives up OVER_LIMIT_PENALTY points in the order (its score,
    # what the answers earn it, stays as it is).
    def order(item: tuple[float, int, str, int, list[Reason]]) -> tuple[float, int, str]:
        over = item[3] in checks and checks[item[3]].verdict == OVER_LIMIT
        return (-(item[0] - OVER_LIMIT_PENALTY) if over else -item[0], item[1], item[2])

    scored.sort(key=order)
    options = tuple(
        OptionRecord(
            pattern=snapshot.patterns[index].slug,
            name=name,
            rank=position,
            score=score,
            # Strongest reasons first, so a reader sees why the pattern stands where it does.
            contributions=tuple(sorted(reasons, key=_by_points)),
            cautions=(
                *(caution for caution in snapshot.patterns[index].cautions if caution.applies(answers)),
                *capacity_cautions(checks.get(index)),
            ),
            capacity=checks.get(index),
        )
        for position, (score, _, name, index, reasons) in enumerate(scored, start=1)
    )
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


def _by_points(reason: Reason) -> float:
    return -reason.points
