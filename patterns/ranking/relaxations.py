"""What would change a partial or missing fit: the ranking again with one answer changed or dropped, and with two
changed where no single change of preferences gives a strong fit, keeping the answers that define the need (the
systems and the goal).

Preferences change first. An answer that is a fact of the situation (where Dynamics 365 runs, the direction, what
starts it, what the team runs: ``Question.fact``) is never dropped, and a change to one comes after every change of
preferences, marked as a change of facts.

Every change of one answer and every change of two is considered; none is skipped unless an upper bound on the
score it could give is below the score a better level needs. Quick and pure: the ranking's arithmetic is linear in
the answers, so each what-if adjusts every pattern's running total by the changed answers only instead of ranking
from scratch, and bounds rule out most pairs before they are ranked. Curated rules (points, exclusions, caps) are
worked out again only where a change touches their conditions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations, product
from typing import NamedTuple

from patterns.ranking.alternatives import Relaxation
from patterns.ranking.confidence import (
    LEVEL_ORDER,
    NONE_BELOW,
    PARTIAL,
    STRONG,
    STRONG_FROM,
    falls_short,
    level_for,
)
from patterns.ranking.records import Reason
from patterns.ranking.snapshot import PatternEntry, RuleEntry
from patterns.requirements import QUESTIONS_BY_NAME, answer_label
from patterns.taxonomy import FitLevel

EXCLUDED = FitLevel.EXCLUDED.value
MAX_RELAXATIONS = 5
MAX_CHANGES = 2
NO_PREFERENCE = ""
ROUNDING = 0.05  # scores are compared rounded to 0.1, so a bound this far under the floor may still reach it

Change = tuple[str, str]  # (question, vocabulary value or "" for no preference)
_Result = tuple["_Standing", float, str] | None
Answer = tuple[str, str]  # (question, vocabulary value)


class _Standing(NamedTuple):
    """One pattern's part of the ranking for the current answers: its reasons table, points, and the questions whose
    answers rule it out (a what-if brings it back only by changing all of those)."""

    pattern: PatternEntry
    reasons: Mapping[Answer, Reason]
    total: float
    blocked_by: frozenset[str]
    short_on: frozenset[str]  # the answers it falls short on (confidence.falls_short)


class _RuleState(NamedTuple):
    """What the curated rules do for one set of answers: points per pattern, patterns ruled out, and the worst fit
    level each pattern is capped at."""

    points: Mapping[str, float]
    out: frozenset[str]
    caps: Mapping[str, str]


def _rule_state(rules: Sequence[RuleEntry], answers: Mapping[str, str], numbers: Mapping[str, float]) -> _RuleState:
    points: dict[str, float] = {}
    out: set[str] = set()
    caps: dict[str, str] = {}
    for rule in rules:
        if not rule.holds(answers, numbers):
            continue
        for slug in rule.patterns:
            if rule.effect == "exclude":
                out.add(slug)
                continue
            if rule.cap and LEVEL_ORDER.get(rule.cap, 0) > LEVEL_ORDER[caps.get(slug, STRONG)]:
                caps[slug] = rule.cap
            if rule.points:
                points[slug] = points.get(slug, 0.0) + rule.points
    return _RuleState(points, frozenset(out), caps)


NO_RULES = _RuleState({}, frozenset(), {})


class _Field:
    def __init__(
        self,
        answers: Mapping[str, str],
        tables: Sequence[tuple[PatternEntry, Mapping[Answer, Reason]]],
        rules: Sequence[RuleEntry] = (),
        numbers: Mapping[str, float] | None = None,
    ):
        self.answers = answers
        self.rules = tuple(rules)
        self.numbers = numbers or {}
        # The most points rules could ever add to a pattern: what a bound must allow for.
        self.rule_bonus: dict[str, float] = {}
        for rule in self.rules:
            if rule.effect == "points" and rule.points > 0:
                for slug in rule.patterns:
                    self.rule_bonus[slug] = self.rule_bonus.get(slug, 0.0) + rule.points
        items = list(answers.items())
        any_table = tables[0][1] if tables else {}
        self.weights = {q: any_table[q, v].weight if (q, v) in any_table else 0 for q, v in items}
        self.possible = sum(self.weights.values())
        # Standings by the questions that rule them out: a what-if looks only at those it can bring back.
        self.by_blockers: dict[frozenset[str], list[_Standing]] = {}
        self._tops: dict[tuple[str, str], float | None] = {}
        for pattern, reasons in tables:
            total = 0.0
            blockers, short = [], []
            for item in items:
                reason = reasons[item]
                if reason.level == EXCLUDED:
                    blockers.append(item[0])
                elif falls_short(reason):
                    short.append(item[0])
                total += reason.points
            if len(blockers) <= MAX_CHANGES:
                standing = _Standing(pattern, reasons, total, frozenset(blockers), frozenset(short))
                self.by_blockers.setdefault(standing.blocked_by, []).append(standing)

    def eligible(self, questions: Sequence[str]) -> list[_Standing]:
        """The standings not ruled out by an answer these changes keep."""
        groups = [frozenset(), *(frozenset({q}) for q in questions)]
        if len(questions) == 2:
            groups.append(frozenset(questions))
        return [standing for group in groups for standing in self.by_blockers.get(group, ())]

    def _rest(self, standing: _Standing, questions: Sequence[str]) -> float:
        """The standing's points without these answers."""
        return standing.total - sum(standing.reasons[q, self.answers[q]].points for q in questions)

    def _best_points(self, standing: _Standing, question: str) -> float | None:
        """The most points any answer to ``question`` earns this pattern (None: every answer rules it out)."""
        key = (standing.pattern.slug, question)
        if key not in self._tops:
            points = [
                standing.reasons[question, value].points
                for value in QUESTIONS_BY_NAME[question].values
                if standing.reasons[question, value].level != EXCLUDED
            ]
            self._tops[key] = max(points) if points else None
        return self._tops[key]

    def bound(self, questions: Sequence[str], target: str) -> float:
        """An upper bound on the score of a first option at ``target`` level or better that any change to these one
        or two answers (other values, or no preference) could give: for each pattern still in play that could reach
        that level (a strong fit falls short on no answer; no better fit than none falls short on the goal, which is
        never changed), each question at its best-fitting value or dropped."""
        possible, best = self.possible, 0.0
        first, second = questions[0], questions[1] if len(questions) == 2 else None
        w1 = self.weights[first]
        w2 = self.weights[second] if second else 0
        changed = frozenset(questions)
        for standing in self.eligible(questions):
            if (standing.short_on - changed) if target == STRONG else ("goal" in standing.short_on):
                continue
            bonus = self.rule_bonus.get(standing.pattern.slug, 0.0) / 100.0
            best = max(best, bonus) if bonus else best
            rest = self._rest(standing, questions)
            top1 = self._best_points(standing, first)
            top2 = self._best_points(standing, second) if second else 0.0
            if possible > w1 + w2:
                best = max(best, rest / (possible - w1 - w2) + bonus)  # both dropped
            if top1 is not None and possible > w2:
                best = max(best, (rest + top1) / (possible - w2) + bonus)  # the first at its best, the second dropped
            if second and top2 is not None:
                best = max(best, (rest + top2) / (possible - w1) + bonus if possible > w1 else 0.0)
                if top1 is not None:
                    best = max(best, (rest + top1 + top2) / possible + bonus)
        return 100.0 * best

    def rank(self, questions: Sequence[str], combos: Sequence[tuple[str, ...]], floor: float) -> list[_Result]:
        """For each combination of values for these questions ("" = no preference), the first pattern, its score and
        level; None where all are ruled out or the first scores under ``floor`` (too low to be a better level, so
        its level isn't worked out). One pass over the patterns for all combinations."""
        answers = self.answers
        possibles = [
            self.possible - sum(self.weights[q] for q, v in zip(questions, combo, strict=True) if v == NO_PREFERENCE)
            for combo in combos
        ]
        states = [self.rule_state(questions, combo) for combo in combos]
        # Per combination: the best total so far and the patterns within 0.1 point of it (the ranking compares
        # scores rounded to 0.1, so a tie there goes to the curated tie-break, then the name).
        tops: list[float] = [-1.0] * len(combos)
        near: list[list[tuple[float, _Standing]]] = [[] for _ in combos]
        for standing in self.eligible(questions):
            rest, reasons = self._rest(standing, questions), standing.reasons
            slug = standing.pattern.slug
            for index, combo in enumerate(combos):
                state = states[index]
                if slug in state.out:
                    continue
                total = rest
                for question, value in zip(questions, combo, strict=True):
                    if value != NO_PREFERENCE:
                        new = reasons[question, value]
                        if new.level == EXCLUDED:
                            break
                        total += new.points
                else:
                    if slug in state.points:  # rule points are score points: a share of what is possible here
                        total = min(possibles[index], max(0.0, total + state.points[slug] * possibles[index] / 100))
                    margin = possibles[index] / 1000.0  # 0.1 point of 100
                    if total > tops[index] + margin:
                        tops[index], near[index] = total, [(total, standing)]
                    elif total >= tops[index] - margin:
                        near[index].append((total, standing))
                        tops[index] = max(tops[index], total)
        best: list[tuple[float, _Standing] | None] = []
        for index, candidates in enumerate(near):
            possible = possibles[index]
            if not candidates or possible <= 0:
                best.append(None)
                continue
            score = round(100.0 * tops[index] / possible, 1)
            tied = [s for t, s in candidates if round(100.0 * t / possible, 1) == score]
            best.append((score, min(tied, key=lambda s: (s.pattern.tie_break, s.pattern.name))))
        results: list[_Result] = []
        for combo, entry, state in zip(combos, best, states, strict=True):
            if entry is None or entry[0] < floor:
                results.append(None)
                continue
            score, winner = entry
            changed = dict(zip(questions, combo, strict=True))
            short, goal_short = 0, False
            for question, value in answers.items():
                value = changed.get(question, value)
                if value != NO_PREFERENCE and falls_short(reason := winner.reasons[question, value]):
                    short += 1
                    goal_short = goal_short or reason.question == "goal"
            level = level_for(score, short, goal_short)
            cap = state.caps.get(winner.pattern.slug)
            if cap is not None and LEVEL_ORDER[cap] > LEVEL_ORDER[level]:
                level = cap
            results.append((winner, score, level))
        return results

    def rule_state(self, questions: Sequence[str], combo: Sequence[str]) -> _RuleState:
        """The rules' effect once these answers change ("" drops one)."""
        if not self.rules:
            return NO_RULES
        changed = dict(self.answers)
        for question, value in zip(questions, combo, strict=True):
            if value == NO_PREFERENCE:
                changed.pop(question, None)
            else:
                changed[question] = value
        return _rule_state(self.rules, changed, self.numbers)


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
    answers: Mapping[str, str],
    tables: Sequence[tuple[PatternEntry, Mapping[Answer, Reason]]],
    level: str,
    keep: frozenset[str] = frozenset(),
    rules: Sequence[RuleEntry] = (),
    numbers: Mapping[str, float] | None = None,
) -> tuple[Relaxation, ...]:
    """At most five answer changes that give a better level than ``level``, best first (preferences before facts,
    level, fewer changes, higher score), one per resulting pattern. ``tables``: each pattern with its reason for
    every answer, as the case's scope reads it; ``rules`` and ``numbers``: the curated rules and the numbers given."""
    field = _Field(answers, tables, rules, numbers)
    relaxable = [q for q in answers if q in QUESTIONS_BY_NAME and not QUESTIONS_BY_NAME[q].required and q not in keep]
    # The lowest score that could be a better level than today's (strong needs STRONG_FROM, partial NONE_BELOW).
    floor = STRONG_FROM if level == PARTIAL else NONE_BELOW
    found: dict[str, tuple[tuple[int, int, int, float], tuple[Change, ...], PatternEntry, float, str]] = {}

    def alternatives(question: str) -> list[str]:
        values = QUESTIONS_BY_NAME[question].values
        # A fact is changed, never dropped: "without an answer" doesn't make it any less true.
        dropped = () if QUESTIONS_BY_NAME[question].fact else (NO_PREFERENCE,)
        return [v for v in (*values, *dropped) if v != answers[question]]

    def consider(questions: list[str], combos: list[tuple[str, ...]]) -> None:
        fact = int(any(QUESTIONS_BY_NAME[q].fact for q in questions))
        for combo, result in zip(combos, field.rank(questions, combos, floor), strict=True):
            if result is None:
                continue
            standing, score, new_level = result
            if LEVEL_ORDER[new_level] >= LEVEL_ORDER[level]:
                continue
            changes = tuple(zip(questions, combo, strict=True))
            key = (fact, LEVEL_ORDER[new_level], len(changes), -score)
            slug = standing.pattern.slug
            if slug not in found or key < found[slug][0]:
                found[slug] = (key, changes, standing.pattern, score, new_level)

    target = STRONG if level == PARTIAL else PARTIAL  # the next better level
    for question in relaxable:
        if field.bound([question], target) >= floor - ROUNDING:
            consider([question], [(value,) for value in alternatives(question)])
    if not any(entry[0][:2] == (0, LEVEL_ORDER[STRONG]) for entry in found.values()):
        for pair in combinations(relaxable, 2):
            if field.bound(pair, target) >= floor - ROUNDING:
                consider(list(pair), list(product(alternatives(pair[0]), alternatives(pair[1]))))
    ranked = sorted(found.values(), key=lambda item: (item[0], item[2].slug))[:MAX_RELAXATIONS]
    return tuple(
        _relaxation(changes, pattern, score, new_level, bool(key[0]))
        for key, changes, pattern, score, new_level in ranked
    )


def _relaxation(changes: tuple[Change, ...], pattern: PatternEntry, score: float, level: str, fact: bool) -> Relaxation:
    verb = "fits" if level == STRONG else "comes closest"
    summary = f"{_phrase(changes)}, {pattern.name} {verb} ({score:.0f}/100)."
    if fact:
        summary = f"If the facts were different: {summary[:1].lower()}{summary[1:]}"
    return Relaxation(changes, pattern.slug, pattern.name, score, level, summary, fact)
