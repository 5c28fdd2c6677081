"""The recommender is pure: every preference comes from curated data, unanswered questions count for nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from patterns.ranking.recommender import recommend
from patterns.ranking.snapshot import CautionEntry, PatternEntry
from patterns.requirements import QUESTIONS, Question, Requirements
from tests.catalog.builders import WEIGHTS, pattern, snapshot

BASE = Requirements(scope="fno_external", goal="data_sync")


def test_the_better_fit_ranks_first_with_scores_from_0_to_100() -> None:
    ranking = recommend(
        BASE, snapshot(pattern("a", scope__fno_external="weak"), pattern("b", scope__fno_external="strong"))
    )
    assert [option.pattern for option in ranking.options] == ["b", "a"]
    assert [option.rank for option in ranking.options] == [1, 2]
    assert all(0 <= option.score <= 100 for option in ranking.options)


def test_a_perfect_fit_scores_100_and_a_poor_fit_0() -> None:
    ranking = recommend(
        BASE,
        snapshot(
            pattern("best", scope__fno_external="strong", goal__data_sync="strong"),
            pattern("worst", scope__fno_external="poor", goal__data_sync="poor"),
        ),
    )
    assert [(o.pattern, o.score) for o in ranking.options] == [("best", 100.0), ("worst", 0.0)]


def test_every_option_explains_each_answered_question() -> None:
    requirements = replace(BASE, volume="high", prefers_low_code=True)
    ranking = recommend(requirements, snapshot(pattern("a"), pattern("b")))
    for option in ranking.options:
        assert {c.question for c in option.contributions} == {"scope", "goal", "volume", "prefers_low_code"}
        assert all(c.rationale for c in option.contributions)


def test_unanswered_questions_contribute_nothing() -> None:
    catalog = snapshot(
        pattern("a", timing__synchronous="poor"), pattern("b", timing__synchronous="strong", tie_break=20)
    )
    ranking = recommend(BASE, catalog)
    assert ranking.options[0].score == ranking.options[1].score
    assert "timing" not in {c.question for c in ranking.options[0].contributions}


@pytest.mark.parametrize("question", [q for q in QUESTIONS if not q.required])
def test_each_question_moves_the_ranking_when_answered(question: Question) -> None:
    value = question.values[0]
    goal = sorted(question.only_for_goals)[0] if question.only_for_goals else "data_sync"
    scope = sorted(question.only_for_scopes)[0] if question.only_for_scopes else "fno_external"
    requirements = Requirements.from_mapping(
        {"scope": scope, "goal": goal, question.name: value == "true" if question.is_boolean else value}
    )
    catalog = snapshot(
        pattern("a", tie_break=1, **{f"{question.name}__{value}": "weak"}),
        pattern("b", tie_break=2, **{f"{question.name}__{value}": "strong"}),
    )
    assert recommend(requirements, catalog).options[0].pattern == "b"


def test_a_question_that_does_not_apply_to_the_goal_is_ignored() -> None:
    requirements = Requirements(scope="ce_external", goal="event_notification", ui_kind="custom_component")
    catalog = snapshot(pattern("a", tie_break=1, ui_kind__custom_component="excluded"), pattern("b", tie_break=2))
    ranking = recommend(requirements, catalog)
    assert [o.pattern for o in ranking.options] == ["a", "b"] and ranking.excluded == ()


def test_an_excluded_fit_removes_the_pattern_with_its_reason() -> None:
    requirements = replace(BASE, timing="synchronous")
    catalog = snapshot(pattern("queue", timing__synchronous="excluded"), pattern("api"))
    ranking = recommend(requirements, catalog)
    assert [o.pattern for o in ranking.options] == ["api"]
    (exclusion,) = ranking.excluded
    assert exclusion.pattern == "queue"
    assert [reason.rationale for reason in exclusion.contributions] == ["queue: timing=synchronous is excluded"]


def test_the_curated_tie_break_decides_equal_scores() -> None:
    ranking = recommend(BASE, snapshot(pattern("late", tie_break=50), pattern("early", tie_break=5)))
    assert [o.pattern for o in ranking.options] == ["early", "late"]


def test_weights_are_curated_data() -> None:
    catalog = [pattern("a", timing__synchronous="strong", volume__high="poor"),
               pattern("b", timing__synchronous="poor", volume__high="strong")]  # fmt: skip
    requirements = replace(BASE, timing="synchronous", volume="high")
    timing_heavy = recommend(requirements, snapshot(*catalog, weights={**WEIGHTS, "timing": 5, "volume": 1}))
    volume_heavy = recommend(requirements, snapshot(*catalog, weights={**WEIGHTS, "timing": 1, "volume": 5}))
    assert timing_heavy.options[0].pattern == "a" and volume_heavy.options[0].pattern == "b"


def test_it_is_deterministic_whatever_the_catalog_order() -> None:
    patterns = [pattern(slug, tie_break=10) for slug in ("c", "a", "d", "b")]
    first = recommend(BASE, snapshot(*patterns))
    second = recommend(BASE, snapshot(*reversed(patterns)))
    assert first == second
    assert [o.pattern for o in first.options] == ["a", "b", "c", "d"]  # equal scores and tie-breaks: by name


def test_cautions_apply_only_under_their_conditions() -> None:
    always = CautionEntry("throttling", "Throttling", "429 with Retry-After", "https://learn.microsoft.com/x")
    high_only = CautionEntry("paging", "Paging", "10,000 rows a page", "https://learn.microsoft.com/y",
                             conditions={"volume": frozenset({"high"})})  # fmt: skip
    catalog = snapshot(replace(pattern("odata"), cautions=(always, high_only)))
    assert [c.slug for c in recommend(BASE, catalog).options[0].cautions] == ["throttling"]
    high = recommend(replace(BASE, volume="high"), catalog)
    assert [c.slug for c in high.options[0].cautions] == ["throttling", "paging"]


def test_a_missing_fit_counts_as_neutral_and_says_so() -> None:
    sparse = PatternEntry(slug="new", name="New", tie_break=1, fits={})
    option = recommend(BASE, snapshot(sparse)).options[0]
    assert option.score == 50.0
    assert all("No curated fit" in c.rationale for c in option.contributions)
