"""Rank every active pattern of a catalog snapshot for one set of requirements.

Pure: no ORM, no request, no pattern named in code. Every preference comes from curated data: the fit level and
rationale of each pattern for each answer (for the case's scope: a fit may differ by scope), the weight of each
question, and each pattern's tie-break.

Score: for the answered questions, the weighted share of the best possible fit, from 0 to 100. A fit marked
"excluded" is a hard constraint: the pattern leaves the ranking and the rationale says why. Curated rules then say
what per-answer fits can't: a combination of answers (and numbers) that rules a pattern out, caps the fit it can
reach, or moves its score; the organisation's own policies (``patterns.ranking.policies``) then forbid patterns or
move their scores, and a ranking they changed says what would be first without them. The ranking then says how far
to trust its first option (``confidence``), whether the first options are a close call and which unanswered question
would decide it, and, when the fit isn't strong, which answers to change (``relaxations``).
"""

from __future__ import annotations

import gc
from operator import attrgetter, itemgetter
from typing import NamedTuple

from patterns.ranking.alternatives import CloseCall, CloseCallAnswer
from patterns.ranking.capacity import NEAR_LIMIT, OVER_LIMIT, OVER_LIMIT_PENALTY, CapacityRecord, assess
from patterns.ranking.confidence import STRONG, fit_level
from patterns.ranking.policies import (
    EFFECT_POINTS,
    FORBID,
    POLICY_EFFECTS,
    FirstWithoutPolicies,
    PolicyEntry,
    PolicyHit,
)
from patterns.ranking.records import (
    ExclusionRecord,
    FitVerdict,
    OptionRecord,
    RankingRecord,
    Reason,
    RuleHit,
)
from patterns.ranking.relaxations import relaxations
from patterns.ranking.snapshot import CatalogSnapshot, CautionEntry, RuleEntry
from patterns.requirements import QUESTIONS, QUESTIONS_BY_NAME, Requirements, answer_label
from patterns.taxonomy import LEVEL_POINTS, FitLevel

EXCLUDED, NEUTRAL = FitLevel.EXCLUDED.value, FitLevel.NEUTRAL.value
MISSING_FIT = "No curated fit for this answer yet; counted as neutral."
# (question, answer) -> (question label, answer label): looked up once per reason, so precomputed.
LABELS = {(q.name, c.value): (q.label, c.label) for q in QUESTIONS for c in q.choices}
Answer = tuple[str, str]
_Vector = tuple[tuple[float, ...], frozenset[int]]  # every pattern's points for one answer, and those it rules out
POINTS = attrgetter("points")
CLOSE_POINTS = 3.0  # the first options this close in the order are a close call
MAX_CLOSE = 3  # at most this many options named in a close call


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


class _Core(NamedTuple):
    """The order for one set of answers, before anything is explained: (order key, score, index) best first, the
    patterns ruled out, and the rules that applied."""

    ranked: list[tuple[tuple[float, int, str], float, int]]
    ruled_out: set[int]
    rule_hits: dict[int, list[RuleEntry]]  # rules that moved points or capped an option
    rule_outs: dict[int, list[RuleEntry]]  # rules that ruled a pattern out
    checks: dict[int, CapacityRecord]
    policy_hits: dict[int, list[PolicyHit]]  # policies that preferred or avoided an option
    policy_outs: dict[int, list[PolicyHit]]  # policies that forbid a pattern
    fit_scores: dict[int, float]  # the score on the answers alone of each option a policy's points moved


def _rule_targets(snapshot: CatalogSnapshot) -> list[tuple[RuleEntry, tuple[int, ...]]]:
    """Each rule with the indexes of the patterns it applies to, once per snapshot."""
    targets: list[tuple[RuleEntry, tuple[int, ...]]] | None = snapshot.memo.get("rule_targets")
    if targets is None:
        index = {pattern.slug: position for position, pattern in enumerate(snapshot.patterns)}
        targets = [(rule, tuple(sorted(index[s] for s in rule.patterns if s in index))) for rule in snapshot.rules]
        snapshot.memo["rule_targets"] = targets
    return targets


def _policy_targets(snapshot: CatalogSnapshot) -> list[tuple[PolicyEntry, tuple[tuple[int, PolicyHit], ...]]]:
    """Each policy with the indexes of the patterns it names and what it does to each, once per snapshot."""
    targets: list[tuple[PolicyEntry, tuple[tuple[int, PolicyHit], ...]]] | None = snapshot.memo.get("policy_targets")
    if targets is None:
        index = {pattern.slug: position for position, pattern in enumerate(snapshot.patterns)}
        targets = [
            (policy, tuple(sorted((index[slug], PolicyHit.of(policy, effect))
                                  for slug, effect in policy.effects.items() if slug in index)))
            for policy in snapshot.policies
        ]  # fmt: skip
        snapshot.memo["policy_targets"] = targets
    return targets


def _policy_rules(snapshot: CatalogSnapshot) -> tuple[RuleEntry, ...]:
    """The policies as rules (forbid: exclude; prefer and avoid: points), so the relaxations respect them too."""
    rules: tuple[RuleEntry, ...] | None = snapshot.memo.get("policy_rules")
    if rules is None:
        rules = tuple(
            RuleEntry(f"policy-{policy.slug}-{effect}", policy.title, policy.text, policy.source_url, slugs,
                      "exclude" if effect == FORBID else "points", policy.conditions, points=EFFECT_POINTS[effect])
            for policy in snapshot.policies
            for effect in POLICY_EFFECTS
            if (slugs := frozenset(slug for slug, said in policy.effects.items() if said == effect))
        )  # fmt: skip
        snapshot.memo["policy_rules"] = rules
    return rules


def _core(
    snapshot: CatalogSnapshot, requirements: Requirements, answers: dict[str, str], weights: dict[str, int],
    assessed: dict[tuple[int, str | None, str | None], CapacityRecord], policies: bool = True,
) -> _Core:  # fmt: skip
    """Score and order every pattern for these answers: the weighted share of the best possible fit, then the
    curated rules (points, exclusions), the organisation's policies unless ``policies`` is false, then the over-limit
    penalty in the order."""
    scope, capacity = requirements.scope, requirements.capacity
    possible = sum(weights[question] for question in answers)
    vectors = _answer_vectors(snapshot, scope, weights)
    columns = [vectors[item] for item in answers.items()]
    ruled_out: set[int] = set().union(*(column[1] for column in columns)) if columns else set()
    totals = list(map(sum, zip(*(column[0] for column in columns), strict=True))) if columns else None
    rule_hits: dict[int, list[RuleEntry]] = {}
    rule_outs: dict[int, list[RuleEntry]] = {}
    delta: dict[int, float] = {}
    if snapshot.rules:
        numbers = capacity.as_dict() if capacity is not None else {}
        for rule, targets in _rule_targets(snapshot):
            if not rule.holds(answers, numbers):
                continue
            for index in targets:
                if rule.effect == "exclude":
                    rule_outs.setdefault(index, []).append(rule)
                else:
                    rule_hits.setdefault(index, []).append(rule)
                    delta[index] = delta.get(index, 0.0) + rule.points
        ruled_out |= set(rule_outs)
    policy_hits: dict[int, list[PolicyHit]] = {}
    policy_outs: dict[int, list[PolicyHit]] = {}
    policy_delta: dict[int, float] = {}
    if policies and snapshot.policies:
        for policy, hits in _policy_targets(snapshot):
            if not policy.holds(answers):
                continue
            for index, hit in hits:
                if hit.effect == FORBID:
                    policy_outs.setdefault(index, []).append(hit)
                else:
                    policy_hits.setdefault(index, []).append(hit)
                    policy_delta[index] = policy_delta.get(index, 0.0) + hit.points
        ruled_out |= set(policy_outs)
    patterns = snapshot.patterns
    timing = answers.get("timing")
    direction = answers.get("direction")
    checks: dict[int, CapacityRecord] = {}
    fit_scores: dict[int, float] = {}
    ranked = []
    for index, pattern in enumerate(patterns):
        if index in ruled_out:
            continue
        score = 100.0 * totals[index] / possible if totals is not None and possible else 0.0
        if index in delta:
            score = min(100.0, max(0.0, score + delta[index]))
        score = round(score, 1)
        effective = score
        if index in policy_delta:
            # A policy's points move the order from the score the answers earn, past 100 or under 0 if need be, so
            # a preferred option goes ahead of an equal one even at the top; the option shows its score capped.
            fit_scores[index] = score
            effective = round(score + policy_delta[index], 1)
            score = min(100.0, max(0.0, effective))
        if capacity is not None:
            key = (index, timing, direction)
            if key not in assessed:
                assessed[key] = assess(pattern.limits, capacity, scope, timing, direction, requirements.goal)
            checks[index] = assessed[key]
            if checks[index].verdict == OVER_LIMIT:
                # An option over a platform limit for these numbers gives up OVER_LIMIT_PENALTY points in the
                # order (its score, what the answers earn it, stays as it is).
                effective -= OVER_LIMIT_PENALTY
        ranked.append(((-effective, pattern.tie_break, pattern.name), score, index))
    ranked.sort(key=itemgetter(0))
    return _Core(ranked, ruled_out, rule_hits, rule_outs, checks, policy_hits, policy_outs, fit_scores)


def recommend(
    requirements: Requirements, snapshot: CatalogSnapshot, *, limit: int | None = None, policies: bool = True
) -> RankingRecord:
    """Every pattern ranked; ``limit``: explain only the first ``limit`` options (the order and the verdict are the
    same whatever the limit); ``policies``: false ranks as if the organisation had none (the catalog's own advice)."""
    answers = requirements.answers()
    weights = {name: max(0, snapshot.weights.get(name, 0)) for name in QUESTIONS_BY_NAME}
    items = list(answers.items())
    tables = _reason_tables(snapshot, requirements.scope, weights)
    assessed: dict[tuple[int, str | None, str | None], CapacityRecord] = {}
    core = _core(snapshot, requirements, answers, weights, assessed, policies)
    patterns = snapshot.patterns
    shown = core.ranked if limit is None else core.ranked[: max(0, limit)]
    options = tuple(
        OptionRecord(
            pattern=patterns[index].slug,
            name=patterns[index].name,
            rank=position,
            score=score,
            # Strongest reasons first, so a reader sees why the pattern stands where it does.
            contributions=tuple(sorted((tables[index][item] for item in items), key=POINTS, reverse=True)),
            cautions=(
                *(caution for caution in patterns[index].cautions if caution.applies(answers)),
                *capacity_cautions(core.checks.get(index)),
            ),
            capacity=core.checks.get(index),
            rules=tuple(RuleHit.of(rule) for rule in core.rule_hits.get(index, ())),
            policies=tuple(core.policy_hits.get(index, ())),
            score_without_policies=core.fit_scores.get(index),
        )
        for position, (_, score, index) in enumerate(shown, start=1)
    )
    blockers: dict[int, list[Reason]] = {index: [] for index in core.ruled_out}
    for item in items:
        for index in _answer_vectors(snapshot, requirements.scope, weights)[item][1]:
            blockers[index].append(tables[index][item])
    excluded = [
        ExclusionRecord(patterns[i].slug, patterns[i].name, tuple(reasons),
                        tuple(RuleHit.of(rule) for rule in core.rule_outs.get(i, ())),
                        tuple(core.policy_outs.get(i, ())))
        for i, reasons in blockers.items()
    ]  # fmt: skip
    excluded.sort(key=lambda exclusion: exclusion.name)
    close = _close_call(snapshot, requirements, answers, weights, core, assessed, policies)
    without = _first_without_policies(snapshot, requirements, answers, weights, core, assessed)
    top = options[0] if options else None
    verdict = FitVerdict.of(top, tuple(excluded))  # on the answers alone: a policy's points move the order, not the fit
    if verdict.level == STRONG or (top and fit_level(top.fit_score, top.contributions) == STRONG and top.cap is None):
        # Strong, or short only of the numbers: changing answers can't help with a platform limit.
        return RankingRecord(snapshot.version, options, tuple(excluded), verdict, close_call=close,
                             without_policies=without)  # fmt: skip
    field = list(zip(snapshot.patterns, tables, strict=True))
    # Numbers that say how much data there is aren't relaxed by calling the volume something else.
    capacity = requirements.capacity
    keep = frozenset({"volume"}) if capacity is not None and capacity.records_per_day is not None else frozenset()
    numbers = capacity.as_dict() if capacity is not None else {}
    # The policies that forbid patterns rule them out of the relaxations too; those that prefer or avoid don't change
    # how well a pattern fits the answers, so they stay out of the fit a relaxation reaches.
    forbidding = tuple(rule for rule in _policy_rules(snapshot) if rule.effect == "exclude") if policies else ()
    rules = (*snapshot.rules, *forbidding)
    found = relaxations(answers, field, verdict.level, keep=keep, rules=rules, numbers=numbers)
    if capacity is not None:  # a change of answers can't get a pattern past a limit the numbers already exceed
        by_slug = {pattern.slug: pattern for pattern in snapshot.patterns}
        found = tuple(
            r for r in found
            if assess(by_slug[r.pattern].limits, capacity, requirements.scope,
                      dict(r.changes).get("timing", requirements.timing) or None,
                      dict(r.changes).get("direction", requirements.direction) or None,
                      requirements.goal).verdict != OVER_LIMIT
        )  # fmt: skip
    return RankingRecord(snapshot.version, options, tuple(excluded), verdict, found, close, without)


def _first_without_policies(
    snapshot: CatalogSnapshot, requirements: Requirements, answers: dict[str, str], weights: dict[str, int],
    core: _Core, assessed: dict[tuple[int, str | None, str | None], CapacityRecord],
) -> FirstWithoutPolicies | None:  # fmt: skip
    """When a policy applied and changed the first option, the one that would be first without the policies (one
    more pass of the cheap ordering, without explaining anything)."""
    if not core.policy_hits and not core.policy_outs:
        return None
    plain = _core(snapshot, requirements, answers, weights, assessed, policies=False).ranked
    first = core.ranked[0][2] if core.ranked else None
    if not plain or plain[0][2] == first:
        return None
    pattern = snapshot.patterns[plain[0][2]]
    return FirstWithoutPolicies(pattern.slug, pattern.name)


def _close_call(
    snapshot: CatalogSnapshot, requirements: Requirements, answers: dict[str, str], weights: dict[str, int],
    core: _Core, assessed: dict[tuple[int, str | None, str | None], CapacityRecord], policies: bool = True,
) -> CloseCall | None:  # fmt: skip
    """When the first options are within CLOSE_POINTS in the order, the unanswered question whose answer separates
    them best (each answer ranked in turn), or None for the question when none does."""
    ranked = core.ranked
    if len(ranked) < 2 or -ranked[1][0][0] < -ranked[0][0][0] - CLOSE_POINTS:
        return None
    lead = -ranked[0][0][0]
    close = [index for key, _, index in ranked[:MAX_CLOSE] if -key[0] >= lead - CLOSE_POINTS]
    patterns = snapshot.patterns
    best: tuple[tuple[int, int, int], str, list[tuple[str, int]]] | None = None
    for position, question in enumerate(QUESTIONS):
        if question.required or question.name in answers or not weights.get(question.name):
            continue
        if not question.applies_to(requirements.goal, requirements.scope):
            continue
        firsts: list[tuple[str, int]] = []
        for value in question.values:
            changed = {**answers, question.name: value}
            ranked_with = _core(snapshot, requirements, changed, weights, assessed, policies).ranked
            if ranked_with:
                firsts.append((value, ranked_with[0][2]))
        separated = {index for _, index in firsts} & set(close)
        if len(separated) < 2:
            continue
        key = (len(separated), weights[question.name], -position)
        if best is None or key > best[0]:
            best = (key, question.name, firsts)
    names = tuple(patterns[index].name for index in close)
    slugs = tuple(patterns[index].slug for index in close)
    if best is None:
        return CloseCall(slugs, names)
    _, name, firsts = best
    return CloseCall(slugs, names, name, tuple(
        CloseCallAnswer(value, answer_label(name, value), patterns[index].slug, patterns[index].name, name)
        for value, index in firsts
    ))  # fmt: skip


def capacity_cautions(check: CapacityRecord | None) -> tuple[CautionEntry, ...]:
    """An estimate near or over a limit becomes a caution with its arithmetic and source."""
    if check is None:
        return ()
    return tuple(
        CautionEntry(
            f"capacity-{e.limit}",
            f"{e.heading}: {e.name}",
            e.text[:1].upper() + e.text[1:],
            e.source,
        )
        for e in check.estimates
        if e.verdict in {OVER_LIMIT, NEAR_LIMIT}
    )
