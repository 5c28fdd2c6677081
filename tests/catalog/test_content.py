"""The curated content file: complete, valid, and rejected whole when malformed. No database needed."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patterns.content import CONTENT_FILE, ContentError, read_content, validate_content
from patterns.requirements import QUESTIONS

GUIDANCE_SLUGS = {
    "odata",
    "custom-services",
    "consume-web-services",
    "dmf-package-api",
    "recurring-integrations",
    "electronic-reporting",
    "excel-office",
    "business-events-fno",
    "embedded-power-apps",
    "embedded-power-bi",
    "iframe-fno",
    "iframe-ce",
    "pcf",
    "canvas-apps",
    "html-web-resources",
    "channel-integration-framework",
    "virtual-tables-ce",
    "webhooks",
    "azure-service-bus",
    "virtual-tables-fno",
    "dual-write",
    "dataverse-events",
}
MODERN_SLUGS = {
    "dataverse-web-api",
    "synapse-link",
    "fno-data-events",
    "power-automate",
    "logic-apps",
    "azure-data-factory",
    "dataverse-plugins",
    "dataflows",
}


@pytest.fixture(scope="module")
def content() -> dict[str, Any]:
    return read_content(CONTENT_FILE)


def test_the_shipped_content_file_is_valid(content: dict[str, Any]) -> None:
    validate_content(content)


def test_it_has_every_pattern_of_the_guidance_and_the_modern_options_with_their_exact_slugs(
    content: dict[str, Any],
) -> None:
    assert {pattern["slug"] for pattern in content["patterns"]} == GUIDANCE_SLUGS | MODERN_SLUGS


def test_every_pattern_has_a_fit_with_a_reason_for_every_answer(content: dict[str, Any]) -> None:
    for pattern in content["patterns"]:
        for question in QUESTIONS:
            for value in question.values:
                fit = pattern["fits"][question.name][value]
                assert fit["why"].strip(), (pattern["slug"], question.name, value)


def test_every_pattern_links_to_microsoft_learn(content: dict[str, Any]) -> None:
    for pattern in content["patterns"]:
        assert any(link["url"].startswith("https://learn.microsoft.com/") for link in pattern["learn_more"]), pattern[
            "slug"
        ]


def test_every_pattern_appears_in_at_least_one_scenario(content: dict[str, Any]) -> None:
    mentioned = set()
    for scenario in content["scenarios"]:
        mentioned.add(scenario["expected"])
        mentioned.update(scenario.get("alternatives", []))
    assert mentioned >= GUIDANCE_SLUGS | MODERN_SLUGS


def test_every_pattern_is_the_expert_pick_of_some_scenario(content: dict[str, Any]) -> None:
    assert {scenario["expected"] for scenario in content["scenarios"]} == GUIDANCE_SLUGS | MODERN_SLUGS


def test_each_modern_option_is_the_expert_pick_of_at_least_two_scenarios(content: dict[str, Any]) -> None:
    for slug in MODERN_SLUGS:
        assert sum(s["expected"] == slug for s in content["scenarios"]) >= 2, slug


def test_cautions_cite_their_source(content: dict[str, Any]) -> None:
    assert content["cautions"]
    for caution in content["cautions"]:
        assert caution["source_url"].startswith("https://learn.microsoft.com/"), caution["slug"]


def test_the_checklist_has_19_tasks_in_5_sections(content: dict[str, Any]) -> None:
    sections = content["checklist"]
    assert [len([i for i in section["items"] if "when" not in i]) for section in sections] == [4, 5, 3, 3, 4]


def test_conditional_tasks_say_when_they_apply(content: dict[str, Any]) -> None:
    conditional = {i["slug"]: i["when"] for s in content["checklist"] for i in s["items"] if "when" in i}
    assert conditional["map-app-to-throttling-priority"] == {"patterns": ["odata", "custom-services"]}
    assert conditional["confirm-on-premises-integration-route"] == {"answers": {"deployment": ["on_premises"]}}


def test_the_contested_points_take_a_position(content: dict[str, Any]) -> None:
    patterns = {pattern["slug"]: pattern for pattern in content["patterns"]}
    on_premises = patterns["recurring-integrations"]["fits"]["deployment"]["on_premises"]
    assert on_premises["fit"] == "excluded" and "on-premises" in on_premises["why"].lower()
    dual_write_timing = patterns["dual-write"]["fits"]["timing"]
    assert dual_write_timing["near_real_time"]["fit"] == "strong"
    assert dual_write_timing["synchronous"]["fit"] != "strong"


def broken(content: dict[str, Any], mutate: Any) -> dict[str, Any]:
    data = copy.deepcopy(content)
    mutate(data)
    return data


def errors_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ContentError) as error:
        validate_content(data)
    return error.value.errors


def test_an_unknown_fit_level_is_named_by_pattern_and_field(content: dict[str, Any]) -> None:
    def mutate(data: dict[str, Any]) -> None:
        odata = next(p for p in data["patterns"] if p["slug"] == "odata")
        odata["fits"]["timing"]["synchronous"]["fit"] = "superb"

    assert errors_of(broken(content, mutate)) == ["pattern odata.fits.timing.synchronous.fit: must be one of "
                                                  "strong, good, neutral, weak, poor, excluded"]  # fmt: skip


def test_a_missing_fit_is_named(content: dict[str, Any]) -> None:
    def mutate(data: dict[str, Any]) -> None:
        del next(p for p in data["patterns"] if p["slug"] == "webhooks")["fits"]["volume"]["high"]

    assert errors_of(broken(content, mutate)) == ["pattern webhooks.fits.volume.high: missing fit"]


def test_a_scenario_with_an_unknown_answer_is_named(content: dict[str, Any]) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["scenarios"][0]["answers"]["timing"] = "whenever"

    (message,) = errors_of(broken(content, mutate))
    assert message.startswith(f"scenario {content['scenarios'][0]['slug']}.answers.timing: Unknown value 'whenever'")


def test_a_caution_for_an_unknown_pattern_is_named(content: dict[str, Any]) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["cautions"][0]["patterns"] = ["soap-bridge"]

    assert errors_of(broken(content, mutate)) == [
        f"caution {content['cautions'][0]['slug']}.patterns: unknown pattern 'soap-bridge'"
    ]


def test_every_problem_is_reported_at_once(content: dict[str, Any]) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["patterns"][0]["name"] = ""
        data["patterns"][1]["family"] = "erp"
        data["weights"]["volume"] = 99

    assert len(errors_of(broken(content, mutate))) == 3


def test_duplicate_slugs_are_rejected(content: dict[str, Any]) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["patterns"].append(copy.deepcopy(data["patterns"][0]))

    assert any("duplicate slug" in message for message in errors_of(broken(content, mutate)))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(path_choice=st.integers(min_value=0, max_value=10_000), replacement=json_values)
def test_any_corruption_gives_a_content_error_never_a_crash(
    content: dict[str, Any], path_choice: int, replacement: Any
) -> None:
    data = copy.deepcopy(content)
    # Walk to a pseudo-random node of the document and replace it with arbitrary JSON.
    node: Any = data
    parent, key = None, None
    for _ in range(1 + path_choice % 5):
        if isinstance(node, dict) and node:
            keys = sorted(node)
            key = keys[path_choice % len(keys)]
        elif isinstance(node, list) and node:
            key = path_choice % len(node)
        else:
            break
        parent, node = node, node[key]
    if parent is None:
        data = replacement
    else:
        parent[key] = replacement
    try:
        validate_content(data)
    except ContentError as error:
        assert error.errors and all(isinstance(message, str) for message in error.errors)


def test_the_file_is_plain_json_that_round_trips() -> None:
    text = CONTENT_FILE.read_text(encoding="utf-8")
    assert json.loads(text) == read_content(CONTENT_FILE)


def test_a_fit_can_differ_by_scope_and_a_bad_override_is_named(content: dict[str, Any]) -> None:
    def mutate(data: dict[str, Any]) -> None:
        fits = next(p for p in data["patterns"] if p["slug"] == "odata")["fits"]
        fits["volume"]["high"]["by_scope"] = {"fno_dataverse": {"fit": "weak", "why": "Dual-write carries this."}}
        fits["volume"]["low"]["by_scope"] = {"mars": {"fit": "weak", "why": "x"}}
        fits["timing"]["synchronous"]["by_scope"] = {"fno_dataverse": {"fit": "meh", "why": ""}}
        fits["scope"]["fno_external"]["by_scope"] = {"fno_dataverse": {"fit": "weak", "why": "x"}}

    assert errors_of(broken(content, mutate)) == [
        "pattern odata.fits.scope.fno_external.by_scope: must be an object of scope: {fit, why}, not on scope",
        "pattern odata.fits.timing.synchronous.by_scope.fno_dataverse.fit: must be one of strong, good, neutral, "
        "weak, poor, excluded",
        "pattern odata.fits.timing.synchronous.by_scope.fno_dataverse.why: must be non-empty text",
        "pattern odata.fits.volume.low.by_scope.mars: unknown scope; use one of fno_external, ce_external, "
        "fno_dataverse",
    ]


def test_a_rationale_in_the_wrong_app_familys_words_is_refused(content: dict[str, Any]) -> None:
    def mutate(data: dict[str, Any]) -> None:
        webhooks = next(p for p in data["patterns"] if p["slug"] == "webhooks")
        webhooks["fits"]["volume"]["low"] = {"fit": "good", "why": "Publish it to F&O with a data entity."}

    (message,) = errors_of(broken(content, mutate))
    assert message.startswith("pattern webhooks.fits.volume.low: a ce_external case would read “F&O”")

    def scoped(data: dict[str, Any]) -> None:  # the same words are fine where only F&O cases read them
        webhooks = next(p for p in data["patterns"] if p["slug"] == "webhooks")
        fit = webhooks["fits"]["volume"]["low"]
        fit["by_scope"] = {"ce_external": {"fit": "good", "why": "A few calls a day is nothing for a receiver."}}
        fit["why"] = "Publish it to F&O with a data entity."

    validate_content(broken(content, scoped))


def test_no_customer_engagement_case_reads_finance_and_operations_wording(content: dict[str, Any]) -> None:
    fno_words = ("F&O", "finance and operations", "X++", "legal entit", "data entit")
    for pattern in content["patterns"]:
        if pattern["fits"]["scope"]["ce_external"]["fit"] == "excluded":
            continue
        for question, answers in pattern["fits"].items():
            for value, fit in answers.items():
                seen = fit.get("by_scope", {}).get("ce_external", fit)
                if question != "scope" and seen["fit"] != "excluded":
                    assert not any(word.lower() in seen["why"].lower() for word in fno_words), (
                        pattern["slug"], question, value, seen["why"])  # fmt: skip


def test_a_scenario_states_an_expected_confidence_from_the_three_levels(content: dict[str, Any]) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["scenarios"][0]["fit"] = "fine"

    (message,) = errors_of(broken(content, mutate))
    assert message.endswith(".fit: must be one of strong, partial, none (the confidence an expert expects)")


def test_a_limit_or_caution_without_a_learn_source_or_a_checked_date_is_refused_by_name(
    content: dict[str, Any],
) -> None:
    broken = copy.deepcopy(content)
    broken["limits"][0]["source_url"] = "https://example.com/limits"
    del broken["limits"][1]["checked"]
    broken["cautions"][0]["source_url"] = "https://learn.microsoft.com.evil.example/page"
    broken["cautions"][1]["checked"] = "last week"
    with pytest.raises(ContentError) as error:
        validate_content(broken)
    errors = "\n".join(error.value.errors)
    limits, cautions = broken["limits"], broken["cautions"]
    assert f"limit {limits[0]['slug']}.source_url: must be the Microsoft Learn page that states it" in errors
    assert f"limit {limits[1]['slug']}.checked: must be the date it was checked" in errors
    assert f"caution {cautions[0]['slug']}.source_url: must be the Microsoft Learn page that states it" in errors
    assert f"caution {cautions[1]['slug']}.checked: must be the date it was checked" in errors


def test_every_limit_caution_and_rule_was_checked_this_month_or_later_against_a_learn_section(
    content: dict[str, Any],
) -> None:
    for kind in ("limits", "cautions", "rules"):
        for entry in content[kind]:
            assert entry["checked"] >= "2026-12-01", (kind, entry["slug"])
            assert entry["source_url"].startswith("https://learn.microsoft.com/"), (kind, entry["slug"])


def test_a_fit_source_must_be_a_learn_page(content: dict[str, Any]) -> None:
    broken = copy.deepcopy(content)
    broken["patterns"][0]["fits"]["goal"]["data_sync"]["source"] = "http://learn.microsoft.com/old"
    with pytest.raises(ContentError) as error:
        validate_content(broken)
    assert any(".fits.goal.data_sync.source: must be the Microsoft Learn page" in e for e in error.value.errors)
