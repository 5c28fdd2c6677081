"""What would change a partial or missing fit: the ranking again with one answer changed or dropped (two where
one isn't enough), keeping the answers that define the need (the systems and the goal).

Pure and quick: the ranking's arithmetic is linear in the answers, so each what-if adjusts every pattern's running
total by the changed answers only instead of ranking from scratch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from patterns.ranking.confidence import (
    LEVEL_ORDER,
    NONE_BELOW,
    PARTIAL,
    STRONG,
    STRONG_FROM,
    falls_short,
    level_for,
)
from patterns.ranking.records import Reason, Relaxation
from patterns.ranking.snapshot import PatternEntry
from patterns.requirements import QUESTIONS_BY_NAME, answer_label
from patterns.taxonomy import LEVEL_POINTS, FitLevel

EXCLUDED = FitLevel.EXCLUDED.value
MAX_RELAXATIONS = 5
MAX_CHANGES = 2
GOOD_SHARE = LEVEL_POINTS[FitLevel.GOOD.value]
NO_PREFERENCE = ""

Change = tuple[str, str]  # (question, vocabulary value or "" for no preference)
Answer = tuple[str, str]  # (question, vocabulary value)


class _Standing(NamedTuple):
    """One pattern's part of the ranking for the current answers: its reasons table, points, and the questions whose
    answers rule it out (a what-if brings it back only by changing all of those)."""

    pattern: PatternEntry
    reasons: Mapping[Answer, Reason]
    total: float
    blocked_by: frozenset[str]


class _Field:
    def __init__(self, answers: Mapping[str, str], tables: Sequence[tuple[PatternEntry, Mapping[Answer, Reason]]]):
        self.answers = answers
        items = list(answers.items())
        any_table = tables[0][1] if tables else {}
        self.weights = {q: any_table[q, v].weight if (q, v) in any_table else 0 for q, v in items}
        self.possible = sum(self.weights.values())
        self.standings: list[_Standing] = []
        # Standings by the questions that rule them out: a what-if looks only at those it can bring back.
        self.by_blockers: dict[frozenset[str], list[_Standing]] = {}
        for pattern, reasons in tables:
            total = 0.0
            blockers = []
            for item in items:
                reason = reasons[item]
                if reason.level == EXCLUDED:
                    blockers.append(item[0])
                total += reason.points
            standing = _Standing(pattern, reasons, total, frozenset(blockers))
            self.standings.append(standing)
            if len(blockers) <= MAX_CHANGES:
                self.by_blockers.setdefault(standing.blocked_by, []).append(standing)

    def eligible(self, questions: Sequence[str]) -> list[_Standing]:
        """The standings not ruled out by an answer these changes keep."""
        groups = [frozenset(), *(frozenset({q}) for q in questions)]
        if len(questions) == 2:
            groups.append(frozenset(questions))
        return [standing for group in groups for standing in self.by_blockers.get(group, ())]

    def best_case(self, question: str) -> float:
        """The highest score any change to this one answer could give (its best fit, or dropping it), to skip
        changes that can't reach a better level."""
        current, weight = self.answers[question], self.weights[question]
        best_rest = max(
            (s.total - s.reasons[question, current].points for s in self.eligible([question])), default=None
        )
        if best_rest is None:
            return 0.0
        with_best = (best_rest + weight) / self.possible
        dropped = best_rest / (self.possible - weight) if self.possible > weight else 0.0
        return 100.0 * max(with_best, dropped)

    def score_of(self, standing: _Standing, changes: Sequence[Change]) -> float:
        """One pattern's score with these answers changed (0 when a change rules it out)."""
        total, reasons = standing.total, standing.reasons
        possible = self.possible - sum(self.weights[q] for q, v in changes if v == NO_PREFERENCE)
        for question, value in changes:
            total -= reasons[question, self.answers[question]].points
            if value != NO_PREFERENCE:
                if reasons[question, value].level == EXCLUDED:
                    return 0.0
                total += reasons[question, value].points
        return 100.0 * total / possible if possible > 0 else 0.0

    def rank(self, changes: Sequence[Change], floor: float) -> tuple[_Standing, float, str] | None:
        """The first pattern, its score and confidence level with these answers changed; None when all are ruled out
        or the first scores under ``floor`` (too low to be a better level, so its level isn't worked out)."""
        answers = self.answers
        possible = self.possible - sum(self.weights[q] for q, v in changes if v == NO_PREFERENCE)
        if possible <= 0:
            return None
        scored = []
        for standing in self.eligible([q for q, _ in changes]):
            total, reasons = standing.total, standing.reasons
            for question, value in changes:
                total -= reasons[question, answers[question]].points
                if value != NO_PREFERENCE:
                    new = reasons[question, value]
                    if new.level == EXCLUDED:
                        break
                    total += new.points
            else:
                scored.append((total, standing))
        if not scored:
            return None
        # The ranking compares scores rounded to 0.1 and breaks ties by the curated tie-break, then the name.
        score = round(100.0 * max(total for total, _ in scored) / possible, 1)
        if score < floor:
            return None
        near = (s for t, s in scored if round(100.0 * t / possible, 1) == score)
        winner = min(near, key=lambda s: (s.pattern.tie_break, s.pattern.name))
        # The winner's shortfalls with the changed answers (the goal is never changed).
        changed = dict(changes)
        short, goal_short = 0, False
        for question, value in answers.items():
            value = changed.get(question, value)
            if value != NO_PREFERENCE and falls_short(reason := winner.reasons[question, value]):
                short += 1
                goal_short = goal_short or reason.question == "goal"
        return winner, score, level_for(score, short, goal_short)


def _phrase(changes: Sequence[Change]) -> str:
    parts = []
    for question, value in changes:
        label = QUESTIONS_BY_NAME[question].label if question in QUESTIONS_BY_NAME else question
        if value == NO_PREFERENCE:
            parts.append(f"without an answer to “{label}”")
        else:
            parts.append(f"with “{label}” set to {answer_label(question, value)}")
    text = " and ".join(parts)
    return text[:1].upper() + text[1:]


def relaxations(
    answers: Mapping[str, str], tables: Sequence[tuple[PatternEntry, Mapping[Answer, Reason]]], level: str
) -> tuple[Relaxation, ...]:
    """At most five answer changes that give a better level than ``level``, best first, one per resulting pattern.
    ``tables``: each pattern with its reason for every answer, as the case's scope reads it."""
    field = _Field(answers, tables)
    relaxable = [q for q in answers if q in QUESTIONS_BY_NAME and not QUESTIONS_BY_NAME[q].required]
    relaxable_set = frozenset(relaxable)
    # The lowest score that could be a better level than today's (strong needs STRONG_FROM, partial NONE_BELOW).
    floor = STRONG_FROM if level == PARTIAL else NONE_BELOW
    found: dict[str, tuple[tuple[int, int, float], tuple[Change, ...], PatternEntry, float, str]] = {}

    def consider(changes: tuple[Change, ...]) -> None:
        result = field.rank(changes, floor)
        if result is None:
            return
        standing, score, new_level = result
        if LEVEL_ORDER[new_level] >= LEVEL_ORDER[level]:
            return
        key = (LEVEL_ORDER[new_level], len(changes), -score)
        slug = standing.pattern.slug
        if slug not in found or key < found[slug][0]:
            found[slug] = (key, changes, standing.pattern, score, new_level)

    for question in relaxable:
        if field.best_case(question) < floor - 0.05:  # scores are compared rounded to 0.1
            continue
        for value in (*QUESTIONS_BY_NAME[question].values, NO_PREFERENCE):
            if value != answers[question]:
                consider(((question, value),))
    if not any(entry[0][0] == LEVEL_ORDER[STRONG] for entry in found.values()):
        # Two changes, aimed: for each pattern, its two weakest relaxable answers moved to what suits it best.
        tried: set[tuple[Change, ...]] = set()
        for standing in field.standings:
            if len(standing.blocked_by) > MAX_CHANGES or not standing.blocked_by <= relaxable_set:
                continue  # ruled out by the systems, the goal or too many answers: two changes can't bring it back
            gaps = sorted(
                (LEVEL_POINTS.get(standing.reasons[q, answers[q]].level, -1.0), -field.weights[q], q) for q in relaxable
            )
            pair = [q for share, _, q in gaps[:2] if share < GOOD_SHARE]
            if len(pair) == 2:
                changes = tuple((q, _best_value(standing, q)) for q in sorted(pair, key=relaxable.index))
                if changes not in tried and field.score_of(standing, changes) >= floor - 0.05:
                    tried.add(changes)
                    consider(changes)
    ranked = sorted(found.values(), key=lambda item: (item[0], item[2].slug))[:MAX_RELAXATIONS]
    return tuple(_relaxation(changes, pattern, score, new_level) for _, changes, pattern, score, new_level in ranked)


def _relaxation(changes: tuple[Change, ...], pattern: PatternEntry, score: float, level: str) -> Relaxation:
    verb = "fits" if level == STRONG else "comes closest"
    summary = f"{_phrase(changes)}, {pattern.name} {verb} ({score:.0f}/100)."
    return Relaxation(changes, pattern.slug, pattern.name, score, level, summary)


def _best_value(standing: _Standing, question: str) -> str:
    """The answer to ``question`` this pattern fits best, or no preference when none of them fits it well."""

    def share(value: str) -> float:
        return LEVEL_POINTS.get(standing.reasons[question, value].level, -1.0)

    best = max(QUESTIONS_BY_NAME[question].values, key=share)
    return best if share(best) >= GOOD_SHARE else NO_PREFERENCE
