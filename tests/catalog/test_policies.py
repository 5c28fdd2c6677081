"""The organisation's own integration policies in a ranking, and in the content file. Pure: hand-made snapshots and
content, no database."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest

from patterns.content import ContentError, read_content, validate_content
from patterns.ranking.policies import POLICY_POINTS, PolicyEntry, policy_entry
from patterns.ranking.recommender import recommend
from patterns.ranking.records import RankingRecord
from patterns.ranking.snapshot import PatternEntry, snapshot_from_content
from patterns.requirements import QUESTIONS_BY_NAME, Requirements
from tests.catalog.builders import pattern, snapshot

WEIGHTS = {name: 2 for name in QUESTIONS_BY_NAME} | {"scope": 3, "goal": 4, "timing": 3}
CE = {"scope": "ce_external", "goal": "data_sync"}
FNO = {"scope": "fno_external", "goal": "data_sync"}
DUAL = pattern("dual-write", tie_break=1, goal__data_sync="strong", timing__near_real_time="strong")
FLOW = pattern("power-automate", tie_break=2, goal__data_sync="good", timing__near_real_time="good")
LOGIC = pattern("logic-apps", tie_break=3, goal__data_sync="good", timing__near_real_time="good")


def policy(slug: str, effects: Mapping[str, str], **extra: Any) -> PolicyEntry:
    return policy_entry({"slug": slug, "title": slug.replace("-", " ").capitalize(), "text": f"Because {slug}.",
                         "effects": dict(effects), **extra})  # fmt: skip


def rank(answers: Mapping[str, object], *policies: PolicyEntry, patterns: tuple[PatternEntry, ...] = ()) -> Any:
    catalog = replace(snapshot(*(patterns or (DUAL, FLOW, LOGIC)), weights=WEIGHTS), policies=policies)
    return recommend(Requirements.from_mapping(answers), catalog)


NO_DUAL_WRITE_IN_CE = policy("no-new-dual-write", {"dual-write": "forbid"}, when={"scope": ["ce_external"]})


def test_a_policy_that_forbids_a_pattern_rules_it_out_with_its_title_among_the_reasons() -> None:
    ranking = rank(CE, NO_DUAL_WRITE_IN_CE)
    assert "dual-write" not in ranking.by_pattern()
    exclusion = next(e for e in ranking.excluded if e.pattern == "dual-write")
    assert [hit.slug for hit in exclusion.policies] == ["no-new-dual-write"]
    assert any("No new dual write" in reason for reason in exclusion.reasons)
    api = next(e for e in ranking.to_api()["excluded"] if e["pattern"] == "dual-write")
    assert api["policies"][0] | {} == {
        "slug": "no-new-dual-write",
        "title": "No new dual write",
        "effect": "forbid",
        "points": 0.0,
        "text": "Because no-new-dual-write.",
        "source_url": None,
    }
    assert any("No new dual write" in reason for reason in api["reasons"])


def test_a_policy_for_one_scope_leaves_another_scopes_ranking_as_it_was() -> None:
    assert rank(FNO, NO_DUAL_WRITE_IN_CE) == rank(FNO)
    assert rank(FNO, NO_DUAL_WRITE_IN_CE).top.pattern == "dual-write"


def test_a_policy_that_prefers_a_pattern_adds_its_points_as_a_reason_that_names_it() -> None:
    prefer = policy("integration-platform", {"logic-apps": "prefer"})
    before, after = rank(CE).by_pattern()["logic-apps"], rank(CE, prefer).by_pattern()["logic-apps"]
    assert after.score == pytest.approx(before.score + POLICY_POINTS)
    assert [(hit.slug, hit.effect, hit.points) for hit in after.policies] == [
        ("integration-platform", "prefer", POLICY_POINTS)
    ]
    option = next(o for o in rank(CE, prefer).to_api()["options"] if o["pattern"] == "logic-apps")
    assert option["policies"][0]["slug"] == "integration-platform" and option["policies"][0]["effect"] == "prefer"
    assert option["reasons"][-1].startswith("Your organisation's policy “Integration platform” (preferred: +10 points)")


def test_a_policy_that_avoids_a_pattern_takes_its_points_off() -> None:
    avoid = policy("fewer-flows", {"power-automate": "avoid"})
    before, after = rank(CE).by_pattern()["power-automate"], rank(CE, avoid).by_pattern()["power-automate"]
    assert after.score == pytest.approx(before.score - POLICY_POINTS)
    assert after.policies[0].effect_label == "avoided: -10 points"


def test_a_policy_that_changed_the_first_option_says_which_would_be_first_without_the_policies() -> None:
    ranking = rank(CE, NO_DUAL_WRITE_IN_CE)
    assert ranking.top.pattern == "power-automate"
    assert ranking.without_policies is not None
    assert ranking.without_policies.summary == "Without your organisation's policies, Dual-Write would be first."
    assert ranking.to_api()["without_policies"] == {
        "pattern": "dual-write", "name": "Dual-Write",
        "summary": "Without your organisation's policies, Dual-Write would be first.",
    }  # fmt: skip


def test_a_policy_that_leaves_the_first_option_first_says_nothing_about_it() -> None:
    ranking = rank(CE, policy("fewer-flows", {"power-automate": "avoid"}))
    assert ranking.top.pattern == "dual-write" and ranking.by_pattern()["power-automate"].policies
    assert ranking.without_policies is None and ranking.to_api()["without_policies"] is None


def test_a_policy_applies_only_when_every_answer_it_names_is_given() -> None:
    on_sync = policy("no-sync-flows", {"power-automate": "forbid"}, when={"timing": ["synchronous"]})
    assert "power-automate" in rank(CE, on_sync).by_pattern()  # timing not answered
    assert "power-automate" not in rank({**CE, "timing": "synchronous"}, on_sync).by_pattern()


def test_policies_are_saved_with_the_ranking_and_read_back_without_the_catalog() -> None:
    prefer = policy("integration-platform", {"logic-apps": "prefer"}, source_url="https://intranet.example.com/p")
    ranking = rank(CE, NO_DUAL_WRITE_IN_CE, prefer)
    again = RankingRecord.from_json(ranking.to_json())
    assert again.by_pattern()["logic-apps"].policies == ranking.by_pattern()["logic-apps"].policies
    assert again.excluded == ranking.excluded
    assert again.without_policies == ranking.without_policies
    assert again.by_pattern()["logic-apps"].policies[0].source_url == "https://intranet.example.com/p"
    # A ranking saved before policies existed reads back with none.
    assert RankingRecord.from_json(rank(CE).to_json()).without_policies is None


def test_ranking_without_policies_is_the_catalogs_own_advice() -> None:
    catalog = replace(snapshot(DUAL, FLOW, LOGIC, weights=WEIGHTS), policies=(NO_DUAL_WRITE_IN_CE,))
    plain = recommend(Requirements.from_mapping(CE), catalog, policies=False)
    assert plain.top.pattern == "dual-write" and plain.without_policies is None and not plain.excluded


def test_a_relaxation_never_suggests_a_pattern_a_policy_forbids() -> None:
    """With the fit partial, a scheduled batch would make a pattern the timing now rules out fit strongly; the policy
    forbids that one in this scope, so no relaxation names it."""
    fits_later = pattern("batch", tie_break=1, goal__data_sync="strong", timing__scheduled_batch="strong",
                         timing__near_real_time="excluded")  # fmt: skip
    always = pattern("flows", tie_break=2, goal__data_sync="good", timing__near_real_time="weak",
                     timing__scheduled_batch="weak")  # fmt: skip
    answers = {**CE, "timing": "near_real_time"}
    free = rank(answers, patterns=(fits_later, always))
    assert free.verdict.level != "strong" and "batch" in {r.pattern for r in free.relaxations}
    no_batch = policy("no-batch", {"batch": "forbid"}, when={"scope": ["ce_external"]})
    assert "batch" not in {r.pattern for r in rank(answers, no_batch, patterns=(fits_later, always)).relaxations}


# The content file


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    return read_content()


def with_policies(content: dict[str, Any], *policies: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(content)
    changed["policies"] = list(policies)
    return changed


GOOD_POLICY = {"slug": "no-new-dual-write", "title": "No new dual-write until the upgrade",
               "text": "The upgrade changes the mappings.", "when": {"scope": ["ce_external"]},
               "effects": {"dual-write": "forbid", "logic-apps": "prefer"}}  # fmt: skip


def test_the_shipped_catalog_has_no_policies_of_its_own(shipped: dict[str, Any]) -> None:
    assert shipped["policies"] == []


def test_a_valid_policy_is_accepted_and_its_source_need_not_be_on_microsoft_learn(shipped: dict[str, Any]) -> None:
    validate_content(with_policies(shipped, GOOD_POLICY | {"source_url": "https://intranet.example.com/standards"}))
    entry = snapshot_from_content(with_policies(shipped, GOOD_POLICY)).policies[0]
    assert entry.effects == {"dual-write": "forbid", "logic-apps": "prefer"}
    assert entry.conditions == {"scope": frozenset({"ce_external"})}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"effects": {"dual-write": "ban"}}, "policy no-new-dual-write.effects.dual-write: must be one of prefer"),
        ({"effects": {"no-such-pattern": "forbid"}}, "policy no-new-dual-write.effects.no-such-pattern: unknown"),
        ({"effects": {}}, "policy no-new-dual-write.effects: must be an object of pattern slug"),
        ({"source_url": "http://intranet.example.com/p"}, "policy no-new-dual-write.source_url: must be an https URL"),
        ({"when": {"colour": ["blue"]}}, "policy no-new-dual-write.when.colour: unknown question"),
        ({"when": {"scope": ["mars"]}}, "policy no-new-dual-write.when.scope: unknown value 'mars'"),
        ({"title": " "}, "policy no-new-dual-write.title: must be non-empty text"),
        ({"slug": "no new"}, "policies[0].slug: must be a slug"),
    ],
)
def test_bad_policy_data_is_refused_naming_the_field(shipped: dict[str, Any], change: dict[str, Any],
                                                     message: str) -> None:  # fmt: skip
    with pytest.raises(ContentError) as error:
        validate_content(with_policies(shipped, GOOD_POLICY | change))
    assert any(problem.startswith(message) for problem in error.value.errors), error.value.errors


def test_a_policy_on_inactive_patterns_only_is_left_out_of_the_snapshot(shipped: dict[str, Any]) -> None:
    content = with_policies(shipped, GOOD_POLICY | {"effects": {"dual-write": "forbid"}})
    for entry in content["patterns"]:
        if entry["slug"] == "dual-write":
            entry["active"] = False
    assert snapshot_from_content(content).policies == ()


# Policies at the top of the scale


TOP_A = pattern("top-a", tie_break=1, scope__ce_external="strong", goal__data_sync="strong")
TOP_B = pattern("top-b", tie_break=2, scope__ce_external="strong", goal__data_sync="strong")


def test_a_policy_that_prefers_one_of_two_options_at_100_puts_it_first() -> None:
    plain = rank(CE, patterns=(TOP_A, TOP_B))
    assert [(o.pattern, o.score) for o in plain.options] == [("top-a", 100.0), ("top-b", 100.0)]
    preferred = rank(CE, policy("b-first", {"top-b": "prefer"}), patterns=(TOP_A, TOP_B))
    assert [(o.pattern, o.score) for o in preferred.options] == [("top-b", 100.0), ("top-a", 100.0)]
    assert preferred.without_policies is not None and preferred.without_policies.pattern == "top-a"


def test_a_policy_that_prefers_an_option_near_100_puts_it_ahead_of_one_at_100() -> None:
    near = pattern(
        "near", tie_break=2, scope__ce_external="strong", goal__data_sync="strong", timing__scheduled_batch="good"
    )
    full = pattern(
        "full", tie_break=1, scope__ce_external="strong", goal__data_sync="strong", timing__scheduled_batch="strong"
    )
    answers = {**CE, "timing": "scheduled_batch"}
    assert rank(answers, patterns=(full, near)).top.pattern == "full"
    preferred = rank(answers, policy("near-first", {"near": "prefer"}), patterns=(full, near))
    assert [o.pattern for o in preferred.options] == ["near", "full"]
    assert preferred.top.score == 100.0 and preferred.without_policies.name == "Full"


# Policies move the order, not the fit


def test_a_policy_that_prefers_a_partial_fit_leaves_it_partial() -> None:
    """75/100 on the answers is a partial fit; the policy's 10 points show on its score, not on its fit."""
    middling = pattern("middling", scope__ce_external="good", goal__data_sync="good")
    plain = rank(CE, patterns=(middling,))
    assert plain.top.score == 75.0 and plain.verdict.level == "partial"
    preferred = rank(CE, policy("use-middling", {"middling": "prefer"}), patterns=(middling,))
    assert preferred.top.score == 85.0 and preferred.top.fit_score == 75.0
    assert preferred.verdict == plain.verdict
    assert RankingRecord.from_json(preferred.to_json()).top.fit_score == 75.0


def test_a_policy_that_avoids_the_only_partial_fit_doesnt_make_it_fit_nothing() -> None:
    weakish = pattern("weakish")  # neutral on every answer: 50/100
    plain = rank(CE, patterns=(weakish,))
    assert plain.top.score == 50.0 and plain.verdict.level == "partial"
    avoided = rank(CE, policy("avoid-weakish", {"weakish": "avoid"}), patterns=(weakish,))
    assert avoided.top.score < 50 and avoided.verdict == plain.verdict
    assert avoided.relaxations == plain.relaxations


# When the policies leave nothing


def test_a_ranking_whose_policies_forbid_every_pattern_says_the_policies_did_it_and_names_them() -> None:
    no_flows = policy("no-flows", {"power-automate": "forbid", "logic-apps": "forbid"})
    ranking = rank(CE, NO_DUAL_WRITE_IN_CE, no_flows)
    assert ranking.options == () and ranking.verdict.level == "none"
    assert ranking.verdict.summary == (
        "No pattern is left: your organisation's policies “No new dual write” and “No flows” forbid every one."
    )
    assert ranking.forbidding == ("No new dual write", "No flows")
    assert RankingRecord.from_json(ranking.to_json() | {"fit": None}).verdict == ranking.verdict


def test_a_ranking_whose_answers_rule_some_out_and_a_policy_the_rest_says_both() -> None:
    sync_only = pattern("sync-only", goal__data_sync="strong", timing__near_real_time="excluded")
    flows = pattern("flows", goal__data_sync="good")
    answers = {**CE, "timing": "near_real_time"}
    ranking = rank(answers, policy("no-flows", {"flows": "forbid"}), patterns=(sync_only, flows))
    assert ranking.verdict.summary == (
        "No pattern is left: your answers rule some out, and your organisation's policy “No flows” forbids the rest."
    )
    assert rank(answers, patterns=(sync_only,)).verdict.summary == (
        "No pattern in the catalog fits these answers: every one is ruled out by at least one answer."
    )
