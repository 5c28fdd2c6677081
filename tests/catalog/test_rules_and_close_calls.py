"""Advice 3.0: curated rules on combinations of answers, close calls with the question that decides them, and the
capacity checks that feed the fit level. Pure: hand-made snapshots, no database."""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping
from dataclasses import replace

import pytest

from patterns.content.schema import ContentError, read_content, validate_content
from patterns.ranking.capacity import NEAR_LIMIT, OVER_LIMIT, assess
from patterns.ranking.confidence import LEVEL_ORDER
from patterns.ranking.recommender import CLOSE_POINTS, recommend
from patterns.ranking.records import RankingRecord
from patterns.ranking.snapshot import LimitEntry, PatternEntry, RuleEntry, rule_entry, snapshot_from_content
from patterns.requirements import QUESTIONS_BY_NAME, Capacity, Requirements, decode_answer
from tests.catalog.builders import pattern, snapshot

WEIGHTS = {name: 2 for name in QUESTIONS_BY_NAME} | {"scope": 3, "goal": 4, "timing": 3, "volume": 2}
SOURCE = "https://learn.microsoft.com/en-us/dynamics365/fin-ops-core/dev-itpro/data-entities/integration-overview"


def rule(slug: str, patterns: tuple[str, ...], effect: str, **extra: object) -> RuleEntry:
    data: dict[str, object] = {"slug": slug, "title": slug.replace("-", " ").capitalize(), "text": f"Why {slug}.",
                               "source_url": SOURCE, "checked": "2026-12-05", "patterns": list(patterns),
                               "effect": effect, **extra}  # fmt: skip
    return rule_entry(data)


def rank(answers: Mapping[str, object], *patterns: PatternEntry, rules: tuple[RuleEntry, ...] = ()) -> RankingRecord:
    catalog = replace(snapshot(*patterns, weights=WEIGHTS), rules=rules)
    return recommend(Requirements.from_mapping(answers), catalog)


SYNC_HIGH = {"scope": "fno_external", "goal": "data_sync", "timing": "synchronous", "volume": "high"}
ODATA = pattern("odata", tie_break=1, goal__data_sync="strong", timing__synchronous="strong", volume__high="good")
BATCH = pattern("batch", tie_break=2, goal__data_sync="strong", timing__synchronous="poor", volume__high="strong")


def test_a_rule_moves_points_only_when_every_answer_it_names_is_given() -> None:
    penalty = rule("single-calls-at-volume", ("odata",), "points", points=-30,
                   when={"timing": ["synchronous"], "volume": ["high"]})  # fmt: skip
    without = rank(SYNC_HIGH, ODATA, BATCH)
    with_rule = rank(SYNC_HIGH, ODATA, BATCH, rules=(penalty,))
    assert without.top.pattern == "odata"
    assert with_rule.top.pattern == "batch"
    moved = with_rule.by_pattern()["odata"]
    assert moved.score == pytest.approx(without.by_pattern()["odata"].score - 30)
    assert [hit.slug for hit in moved.rules] == ["single-calls-at-volume"]
    assert "-30 points" in moved.rules[0].reason
    # One answer short of the rule's conditions: it doesn't apply.
    low = rank({**SYNC_HIGH, "volume": "low"}, ODATA, BATCH, rules=(penalty,))
    assert low.by_pattern()["odata"].rules == ()


def test_a_rule_can_rule_a_pattern_out_and_says_so_among_the_exclusions() -> None:
    out = rule("no-odata-at-volume", ("odata",), "exclude", when={"volume": ["high"]})
    ranking = rank(SYNC_HIGH, ODATA, BATCH, rules=(out,))
    assert [o.pattern for o in ranking.options] == ["batch"]
    exclusion = ranking.excluded[0]
    assert exclusion.pattern == "odata" and exclusion.rules[0].slug == "no-odata-at-volume"
    assert any("No odata at volume" in reason for reason in ranking.to_api()["excluded"][0]["reasons"])


def test_a_cap_keeps_a_first_option_from_being_a_strong_fit() -> None:
    cap = rule("sync-at-volume-cap", ("odata",), "cap", cap="partial", when={"timing": ["synchronous"]})
    strong = rank({"scope": "fno_external", "goal": "data_sync", "timing": "synchronous"}, ODATA)
    capped = rank({"scope": "fno_external", "goal": "data_sync", "timing": "synchronous"}, ODATA, rules=(cap,))
    assert strong.verdict.level == "strong"
    assert capped.top.pattern == "odata" and capped.verdict.level == "partial"
    assert "Sync at volume cap" in capped.verdict.summary


def test_a_rule_on_numbers_applies_only_when_the_number_is_given_and_in_range() -> None:
    busy = rule("busy-hour", ("odata",), "points", points=-40, numbers={"peak_records_per_hour": {"min": 50000}})
    answers = {"scope": "fno_external", "goal": "data_sync"}
    assert rank(answers, ODATA, BATCH, rules=(busy,)).by_pattern()["odata"].rules == ()
    quiet = {**answers, "capacity": {"records_per_day": 24000, "peak_records_per_hour": 2000}}
    assert rank(quiet, ODATA, BATCH, rules=(busy,)).by_pattern()["odata"].rules == ()
    peak = {**answers, "capacity": {"records_per_day": 240000, "peak_records_per_hour": 60000}}
    assert rank(peak, ODATA, BATCH, rules=(busy,)).by_pattern()["odata"].rules[0].slug == "busy-hour"


def test_rules_are_saved_with_the_ranking_and_read_back_without_the_catalog() -> None:
    penalty = rule("single-calls-at-volume", ("odata",), "points", points=-30,
                   when={"timing": ["synchronous"], "volume": ["high"]})  # fmt: skip
    ranking = rank(SYNC_HIGH, ODATA, BATCH, rules=(penalty,))
    again = RankingRecord.from_json(ranking.to_json())
    assert again.by_pattern()["odata"].rules == ranking.by_pattern()["odata"].rules
    assert ranking.to_api()["options"][1]["rules"][0] == {
        "rule": "single-calls-at-volume", "title": "Single calls at volume", "effect": "points", "points": -30.0,
        "cap": None, "text": "Why single-calls-at-volume.", "source": SOURCE,
    }  # fmt: skip


def test_two_options_within_three_points_are_a_close_call_named_with_the_question_that_decides() -> None:
    business = pattern("business-events", tie_break=1, goal__event_notification="strong",
                       trigger__business_event="strong", trigger__record_change="weak")  # fmt: skip
    data = pattern("data-events", tie_break=2, goal__event_notification="strong",
                   trigger__business_event="weak", trigger__record_change="strong")  # fmt: skip
    ranking = rank({"scope": "fno_external", "goal": "event_notification"}, business, data)
    close = ranking.close_call
    assert close is not None and close.options == ("business-events", "data-events")
    assert close.question == "trigger"
    leads = {answer.value: answer.pattern for answer in close.answers}
    assert leads["business_event"] == "business-events" and leads["record_change"] == "data-events"
    assert ranking.to_api()["close_call"]["answers"][0] == {
        "value": "business_event", "label": "A business process step", "pattern": "business-events",
        "name": "Business-Events"}  # fmt: skip
    # Once the deciding question is answered, it is no longer a close call.
    decided = rank({"scope": "fno_external", "goal": "event_notification", "trigger": "record_change"}, business, data)
    assert decided.close_call is None and decided.top.pattern == "data-events"


def test_a_close_call_no_question_separates_says_the_options_are_interchangeable() -> None:
    twins = (pattern("a", goal__data_sync="strong"), pattern("b", tie_break=20, goal__data_sync="strong"))
    ranking = rank({"scope": "fno_external", "goal": "data_sync"}, *twins)
    assert ranking.close_call is not None and ranking.close_call.question is None
    assert ranking.to_api()["close_call"] == {"options": ["a", "b"], "names": ["A", "B"], "question": None,
                                              "answers": []}  # fmt: skip


def test_options_further_apart_than_three_points_are_no_close_call() -> None:
    ahead = pattern("ahead", goal__data_sync="strong", scope__fno_external="strong")
    behind = pattern("behind", tie_break=20, goal__data_sync="good", scope__fno_external="strong")
    ranking = rank({"scope": "fno_external", "goal": "data_sync"}, ahead, behind)
    assert ranking.lead is not None and ranking.lead > CLOSE_POINTS
    assert ranking.close_call is None and ranking.to_api()["close_call"] is None


def test_a_boolean_deciding_question_gives_booleans_in_the_api() -> None:
    maker = pattern("maker", goal__data_sync="strong", prefers_low_code__true="strong", prefers_low_code__false="poor")
    coder = pattern("coder", tie_break=20, goal__data_sync="strong", prefers_low_code__true="poor",
                    prefers_low_code__false="strong")  # fmt: skip
    close = rank({"scope": "fno_external", "goal": "data_sync"}, maker, coder).to_api()["close_call"]
    assert close["question"] == "prefers_low_code"
    assert {answer["value"] for answer in close["answers"]} == {True, False}


def test_relaxations_with_rules_agree_with_a_full_ranking_and_a_brute_force() -> None:
    """With curated rules in play (points both ways, exclusions, caps), each relaxation is what recommend() gives for
    the changed answers, and the list is what trying every change of one and two answers finds."""
    content = read_content()
    catalog = snapshot_from_content(content)
    slugs = [p.slug for p in catalog.patterns]
    rng = random.Random(20261205)  # noqa: S311 - a fixed, reproducible sample
    questions = ["timing", "volume", "data_residency", "prefers_low_code", "needs_custom_logic", "transformations"]
    rules = []
    for index in range(12):
        picked = rng.sample(questions, 2)
        when = {q: [rng.choice(QUESTIONS_BY_NAME[q].values)] for q in picked}
        effect = rng.choice(["points", "points", "exclude", "cap"])
        extra: dict[str, object] = {"points": rng.choice([-25, -10, 10, 20])} if effect == "points" else {}
        if effect == "cap":
            extra = {"cap": "partial"}
        rules.append(rule(f"r{index}", tuple(rng.sample(slugs, 4)), effect, when=when, **extra))
    catalog = replace(catalog, rules=tuple(rules), memo={})

    def ranked(stored: Mapping[str, object]) -> RankingRecord:
        return recommend(Requirements.from_mapping(stored), catalog)

    def changed(stored: Mapping[str, object], changes: tuple[tuple[str, str], ...]) -> dict[str, object]:
        result = dict(stored)
        for question, text in changes:
            value = decode_answer(QUESTIONS_BY_NAME[question], text)
            result.pop(question, None) if value is None else result.__setitem__(question, value)
        return result

    checked = tries = 0
    while checked < 12 and tries < 400:
        tries += 1
        stored = {"scope": rng.choice(["fno_external", "ce_external", "fno_dataverse"]), "goal": "data_sync",
                  **{q: decode_answer(QUESTIONS_BY_NAME[q], rng.choice(QUESTIONS_BY_NAME[q].values))
                     for q in questions if rng.random() < 0.8}}  # fmt: skip
        ranking = ranked(stored)
        if ranking.verdict.level == "strong":
            continue
        checked += 1
        for relaxation in ranking.relaxations:
            again = ranked(changed(stored, relaxation.changes))
            assert (again.top.pattern, again.top.score, again.verdict.level) == (
                relaxation.pattern, relaxation.score, relaxation.level), (stored, relaxation)  # fmt: skip
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
        for changes, (slug, score, level) in outcomes.items():
            if len(changes) == 2 and single_strong:
                continue
            key = (is_fact(changes), LEVEL_ORDER[level], len(changes), -score)
            if slug not in best or key < best[slug][0]:
                best[slug] = (key, changes)
        expected = [slug for slug, _ in sorted(best.items(), key=lambda item: (item[1][0], item[0]))][:5]
        assert [r.pattern for r in ranking.relaxations] == expected, stored
    assert checked == 12


def test_numbers_over_a_legal_entity_or_rows_per_query_limit_are_over_it() -> None:
    live = LimitEntry("live-sync-le", "Live sync: legal entities", "legal_entities", 250, "legal entities", SOURCE)
    rows = LimitEntry("vt-rows", "Virtual connector: rows per query", "rows_per_live_query", 1000, "records", SOURCE)
    assert assess((live,), Capacity(legal_entities=300), "fno_dataverse", None).verdict == OVER_LIMIT
    assert assess((live,), Capacity(legal_entities=40), "fno_dataverse", None).verdict == "within"
    over = assess((rows,), Capacity(rows_per_query=25000), "ce_external", None)
    assert over.verdict == OVER_LIMIT and over.estimates[0].text.startswith("25,000 rows in one query")
    assert assess((rows,), Capacity(), "ce_external", None).verdict == "unknown"


def test_a_cap_a_design_gets_under_another_way_is_near_whatever_the_multiple() -> None:
    # Microsoft's way round the virtual connector's 1,000-row cap is a filter that asks for fewer rows, and round
    # dual-write's initial sync limits a data migration into both apps: either works however far past the cap the
    # numbers are. More licences or connections only spread up to ten times a limit.
    rows = LimitEntry("vt-rows", "Virtual connector: rows per query", "rows_per_live_query", 1000, "records", SOURCE,
                      scales_with="filter the sub-grid so one query needs at most 1,000 records")  # fmt: skip
    near = assess((rows,), Capacity(rows_per_query=25000), "ce_external", None)
    assert near.verdict == NEAR_LIMIT
    assert near.estimates[0].text.endswith(": filter the sub-grid so one query needs at most 1,000 records.")
    initial = LimitEntry("dw-rows", "Initial sync: rows per run", "rows_per_run", 500_000, "rows", SOURCE,
                         scales_with="migrate the data into both apps and skip the initial sync")  # fmt: skip
    migrated = assess((initial,), Capacity(initial_load_records=6_000_000), "fno_dataverse", None)  # 12 times
    assert migrated.verdict == NEAR_LIMIT and "plan for" not in migrated.estimates[0].text
    assert migrated.estimates[0].text.endswith(": migrate the data into both apps and skip the initial sync.")
    licences = LimitEntry("pp-day", "Requests a day", "requests_per_day", 1000, "requests", SOURCE,
                          scales_with="more licences")  # fmt: skip
    assert assess((licences,), Capacity(records_per_day=25000), "ce_external", None).verdict == OVER_LIMIT
    assert assess((licences,), Capacity(records_per_day=5000), "ce_external", None).verdict == NEAR_LIMIT


def test_bad_rule_data_is_refused_naming_the_field_and_nothing_is_loaded() -> None:
    content = read_content()
    content["rules"] = [
        {"slug": "bad", "title": "Bad", "text": "Why.", "source_url": "https://example.com/page",
         "checked": "soon", "patterns": ["no-such-pattern"], "effect": "points", "points": 0,
         "when": {"timing": ["whenever"]}, "numbers": {"bananas": {"min": 1}}},
        {"slug": "no-conditions", "title": "None", "text": "Why.", "source_url": SOURCE, "checked": "2026-12-05",
         "patterns": ["odata"], "effect": "cap"},
    ]  # fmt: skip
    with pytest.raises(ContentError) as error:
        validate_content(content)
    messages = "\n".join(error.value.errors)
    expected_errors = (
        "rule bad.source_url", "rule bad.checked", "rule bad.patterns", "rule bad.points",
        "rule bad.when.timing: unknown value 'whenever'", "rule bad.numbers.bananas", "rule no-conditions.cap",
        "rule no-conditions.when: a rule needs at least one condition",
    )  # fmt: skip
    for expected in expected_errors:
        assert expected in messages, expected
