"""Honest answers: scope-aware fits, a confidence level for every ranking, and what to relax when nothing fits well.

Pure: hand-made snapshots, no database.
"""

from __future__ import annotations

from collections.abc import Mapping

from patterns.ranking.recommender import recommend
from patterns.ranking.records import RankingRecord
from patterns.ranking.relaxations import MAX_RELAXATIONS
from patterns.ranking.snapshot import PatternEntry
from patterns.requirements import Requirements
from tests.catalog.builders import pattern, snapshot, with_scope

FNO = Requirements(scope="fno_external", goal="data_sync")
WEIGHTS = {"scope": 3, "goal": 4, "direction": 1, "timing": 3, "volume": 2, "deployment": 4, "data_residency": 3,
           "transformations": 2, "ui_kind": 3, "prefers_low_code": 1, "needs_custom_logic": 2}  # fmt: skip


def rank(answers: Mapping[str, object], *patterns: PatternEntry) -> RankingRecord:
    return recommend(Requirements.from_mapping(answers), snapshot(*patterns, weights=WEIGHTS))


def test_a_fit_written_for_one_scope_replaces_the_general_one_there_only() -> None:
    catalog = [
        with_scope(pattern("a", goal__data_sync="strong"), "ce_external", goal__data_sync="poor"),
        pattern("b", tie_break=20, goal__data_sync="good"),
    ]
    fno = rank({"scope": "fno_external", "goal": "data_sync"}, *catalog)
    ce = rank({"scope": "ce_external", "goal": "data_sync"}, *catalog)
    assert fno.top.pattern == "a" and ce.top.pattern == "b"
    ce_reason = next(r for r in ce.by_pattern()["a"].contributions if r.question == "goal")
    assert ce_reason.level == "poor" and "in ce_external" in ce_reason.rationale


def test_a_scope_override_can_rule_a_pattern_out_for_that_scope() -> None:
    catalog = [with_scope(pattern("hook", direction__inbound="good"), "ce_external", direction__inbound="excluded")]
    assert rank({"scope": "fno_external", "goal": "data_sync", "direction": "inbound"}, *catalog).options
    ce = rank({"scope": "ce_external", "goal": "data_sync", "direction": "inbound"}, *catalog)
    assert ce.options == () and ce.excluded[0].pattern == "hook"


def test_a_high_score_meeting_every_key_need_is_a_strong_fit() -> None:
    ranking = rank({"scope": "fno_external", "goal": "data_sync"},
                   pattern("a", scope__fno_external="strong", goal__data_sync="strong"))  # fmt: skip
    assert ranking.verdict.level == "strong" and ranking.relaxations == ()
    assert ranking.verdict.summary == "A fits your answers well (100/100)."


def test_a_key_need_met_only_weakly_makes_the_fit_partial_and_names_it() -> None:
    ranking = rank(
        {"scope": "fno_external", "goal": "data_sync", "deployment": "on_premises"},
        pattern("a", scope__fno_external="strong", goal__data_sync="strong", deployment__on_premises="weak"),
    )
    assert ranking.verdict.level == "partial"
    assert "“Where Dynamics 365 runs” (On-premises)" in ranking.verdict.summary
    assert "Best fit" not in ranking.verdict.summary


def test_a_goal_met_only_poorly_is_no_fit() -> None:
    ranking = rank({"scope": "fno_external", "goal": "data_sync"},
                   pattern("a", scope__fno_external="strong", goal__data_sync="poor"))  # fmt: skip
    assert ranking.verdict.level == "none"
    assert ranking.verdict.summary.startswith("Nothing fits well")


def test_when_every_pattern_is_ruled_out_the_fit_is_none() -> None:
    ranking = rank({"scope": "fno_external", "goal": "data_sync"}, pattern("a", goal__data_sync="excluded"))
    assert ranking.top is None and ranking.verdict.level == "none"
    assert "every one is ruled out" in ranking.verdict.summary


def test_a_relaxation_names_the_one_answer_to_change_and_what_would_come_first() -> None:
    catalog = [
        pattern("cloudy", scope__fno_external="strong", goal__data_sync="strong", deployment__cloud="strong",
                deployment__on_premises="excluded"),
        pattern("local", tie_break=20, goal__data_sync="good", deployment__on_premises="weak"),
    ]  # fmt: skip
    ranking = rank({"scope": "fno_external", "goal": "data_sync", "deployment": "on_premises"}, *catalog)
    assert ranking.top.pattern == "local" and ranking.verdict.level != "strong"
    relaxation = ranking.relaxations[0]
    assert relaxation.changes == (("deployment", "cloud"),)
    assert (relaxation.pattern, relaxation.level, relaxation.score) == ("cloudy", "strong", 100.0)
    # Where Dynamics 365 runs is a fact: the change is offered, labelled as a change of facts.
    assert relaxation.fact and relaxation.to_json()["kind"] == "fact"
    assert relaxation.summary == (
        "If the facts were different: with “Where Dynamics 365 runs” set to Cloud, Cloudy fits (100/100)."
    )
    assert relaxation.changes_json() == {"deployment": "cloud"}


def test_dropping_an_answer_counts_as_a_relaxation_and_reads_as_no_preference() -> None:
    catalog = [pattern("a", scope__fno_external="strong", goal__data_sync="strong", deployment__cloud="strong",
                       timing__near_real_time="weak")]  # fmt: skip
    answers = {"scope": "fno_external", "goal": "data_sync", "deployment": "cloud", "volume": "high",
               "timing": "near_real_time"}  # fmt: skip
    ranking = rank(answers, *catalog)
    assert ranking.verdict.level == "partial"  # a key need (timing, weight 3) is met only weakly
    best = ranking.relaxations[0]
    assert best.changes == (("timing", ""),) and best.level == "strong"
    assert best.changes_json() == {"timing": None} and best.summary.startswith("Without an answer to “How fast")


def test_two_answers_change_together_when_one_is_not_enough() -> None:
    catalog = [
        pattern("a", scope__fno_external="strong", goal__data_sync="strong", deployment__cloud="strong",
                deployment__on_premises="excluded", timing__synchronous="strong", timing__scheduled_batch="excluded"),
        pattern("b", tie_break=20, goal__data_sync="good", deployment__on_premises="weak",
                timing__scheduled_batch="weak"),
    ]  # fmt: skip
    answers = {"scope": "fno_external", "goal": "data_sync", "deployment": "on_premises", "timing": "scheduled_batch"}
    ranking = rank(answers, *catalog)
    assert ranking.top.pattern == "b" and ranking.verdict.level != "strong"
    # A change of preferences (the timing) comes first, even though it only gives a partial fit; the change of a
    # fact with it (where Dynamics 365 runs) that gives a strong one follows, labelled.
    first, then = ranking.relaxations[:2]
    assert not first.fact and all(question == "timing" for question, _ in first.changes)
    assert then.fact and dict(then.changes) == {"timing": "synchronous", "deployment": "cloud"}
    assert then.pattern == "a" and then.level == "strong"


def test_relaxations_are_at_most_five_best_first_and_one_per_pattern() -> None:
    answers = {
        "scope": "fno_external",
        "goal": "data_sync",
        "deployment": "on_premises",
        "volume": "low",
        "timing": "synchronous",
        "direction": "inbound",
        "prefers_low_code": True,
        "needs_custom_logic": True,
    }
    fits_all = {f"{q}__{v}": "strong" for q, v in Requirements.from_mapping(answers).answers().items()}
    # Six patterns, each fitting every answer but ruled out by a different one: changing that answer brings it first.
    blockers = [
        "deployment__on_premises",
        "volume__low",
        "timing__synchronous",
        "direction__inbound",
        "prefers_low_code__true",
        "needs_custom_logic__true",
    ]
    catalog = [pattern(f"p{i}", tie_break=i, **{**fits_all, blocker: "excluded"}) for i, blocker in enumerate(blockers)]
    catalog.append(pattern("local", tie_break=99, deployment__on_premises="weak"))  # fmt: skip
    ranking = rank(answers, *catalog)
    assert ranking.verdict.level != "strong" and ranking.top.pattern == "local"
    assert len(ranking.relaxations) == MAX_RELAXATIONS
    patterns = [r.pattern for r in ranking.relaxations]
    assert len(patterns) == len(set(patterns))
    keys = [(r.level != "strong", len(r.changes), -r.score) for r in ranking.relaxations]
    assert keys == sorted(keys)


def test_the_answers_that_define_the_need_are_never_relaxed() -> None:
    catalog = [
        pattern("ui", goal__embed_ui="strong", goal__data_sync="excluded"),
        pattern("weak", goal__data_sync="weak"),
    ]
    ranking = rank({"scope": "fno_external", "goal": "data_sync"}, *catalog)
    assert ranking.verdict.level == "none"
    assert all(q not in {"scope", "goal"} for r in ranking.relaxations for q, _ in r.changes)


def test_the_same_answers_give_the_same_relaxations() -> None:
    catalog = [pattern("a", deployment__on_premises="excluded", goal__data_sync="strong"), pattern("b", tie_break=2)]
    answers = {"scope": "fno_external", "goal": "data_sync", "deployment": "on_premises", "volume": "high"}
    assert rank(answers, *catalog).relaxations == rank(answers, *catalog).relaxations


def test_a_saved_ranking_keeps_its_fit_and_relaxations_and_old_ones_are_judged_again() -> None:
    catalog = [pattern("a", deployment__on_premises="excluded", goal__data_sync="strong"), pattern("b", tie_break=2)]
    ranking = rank({"scope": "fno_external", "goal": "data_sync", "deployment": "on_premises"}, *catalog)
    saved = ranking.to_json()
    assert RankingRecord.from_json(saved).verdict == ranking.verdict
    assert RankingRecord.from_json(saved).relaxations == ranking.relaxations
    older = {key: value for key, value in saved.items() if key not in {"fit", "relaxations"}}
    again = RankingRecord.from_json(older)
    assert again.verdict == ranking.verdict and again.relaxations == ()


def test_the_api_answer_carries_the_fit_and_always_a_relaxations_list() -> None:
    strong = rank({"scope": "fno_external", "goal": "data_sync"}, pattern("a", goal__data_sync="strong",
                                                                            scope__fno_external="strong"))  # fmt: skip
    assert strong.to_api()["fit"]["level"] == "strong" and strong.to_api()["relaxations"] == []
    weak = rank({"scope": "fno_external", "goal": "data_sync", "deployment": "on_premises"},
                pattern("a", deployment__on_premises="excluded", goal__data_sync="strong",
                        scope__fno_external="strong"), pattern("b"))  # fmt: skip
    answer = weak.to_api()
    assert answer["fit"]["level"] in {"partial", "none"}
    # A fact is changed, never dropped ("no preference" wouldn't make Dynamics 365 run anywhere else).
    assert answer["relaxations"][0]["changes"] == {"deployment": "cloud"}
    assert answer["relaxations"][0]["kind"] == "fact"
    assert set(answer["relaxations"][0]) >= {"changes", "pattern", "score", "summary"}


def test_relaxations_agree_with_a_full_ranking_and_miss_nothing_a_brute_force_finds() -> None:
    """On the shipped catalog, for random answers: each relaxation is what recommend() gives for the changed answers,
    and the list is the best five of every change of one answer (and of two when no single change gives a strong
    fit), one per resulting pattern; preferences before facts, and a fact is changed, never dropped."""
    import itertools
    import random

    from patterns.content import read_content
    from patterns.ranking.confidence import LEVEL_ORDER
    from patterns.ranking.snapshot import snapshot_from_content
    from patterns.requirements import QUESTIONS, QUESTIONS_BY_NAME, decode_answer

    catalog = snapshot_from_content(read_content())
    rng = random.Random(20261126)  # noqa: S311 - a fixed, reproducible sample of answers

    def ranked(stored: dict[str, object]) -> RankingRecord:
        return recommend(Requirements.from_mapping(stored), catalog)

    def changed(stored: dict[str, object], changes: tuple[tuple[str, str], ...]) -> dict[str, object]:
        result = dict(stored)
        for question, text in changes:
            value = decode_answer(QUESTIONS_BY_NAME[question], text)
            result.pop(question, None) if value is None else result.__setitem__(question, value)
        return result

    checked = 0
    while checked < 25:
        stored = Requirements.from_mapping({q.name: decode_answer(q, rng.choice(q.values)) for q in QUESTIONS
                                            if q.required or rng.random() < 0.7}).as_dict()  # fmt: skip
        ranking = ranked(stored)
        if ranking.verdict.level == "strong":
            continue
        checked += 1
        for relaxation in ranking.relaxations:
            again = ranked(changed(stored, relaxation.changes))
            assert again.top is not None
            assert (again.top.pattern, again.top.score, again.verdict.level) == (
                relaxation.pattern, relaxation.score, relaxation.level)  # fmt: skip
        answers = Requirements.from_mapping(stored).answers()
        relaxable = [q for q in answers if not QUESTIONS_BY_NAME[q].required]
        others = {q: [v for v in (*QUESTIONS_BY_NAME[q].values, *(() if QUESTIONS_BY_NAME[q].fact else ("",)))
                      if v != answers[q]] for q in relaxable}  # fmt: skip
        singles = [((q, v),) for q in relaxable for v in others[q]]
        pairs = [((q1, v1), (q2, v2)) for q1, q2 in itertools.combinations(relaxable, 2)
                 for v1 in others[q1] for v2 in others[q2]]  # fmt: skip
        current = LEVEL_ORDER[ranking.verdict.level]
        outcomes = {}
        for changes in singles + pairs:
            result = ranked(changed(stored, changes))
            if result.top and LEVEL_ORDER[result.verdict.level] < current:
                outcomes[changes] = (result.top.pattern, result.top.score, result.verdict.level)

        def is_fact(changes: tuple[tuple[str, str], ...]) -> int:
            return int(any(QUESTIONS_BY_NAME[q].fact for q, _ in changes))

        single_strong = any(len(c) == 1 and o[2] == "strong" and not is_fact(c) for c, o in outcomes.items())
        best: dict[str, tuple[tuple[int, int, int, float], tuple[tuple[str, str], ...]]] = {}
        for changes, (pattern_slug, score, level) in outcomes.items():
            if len(changes) == 2 and single_strong:
                continue
            key = (is_fact(changes), LEVEL_ORDER[level], len(changes), -score)
            if pattern_slug not in best or key < best[pattern_slug][0]:
                best[pattern_slug] = (key, changes)
        expected = [slug for slug, _ in sorted(best.items(), key=lambda item: (item[1][0], item[0]))][:5]
        assert [r.pattern for r in ranking.relaxations] == expected, stored
