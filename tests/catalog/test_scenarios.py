"""Content quality: every curated scenario ranks its expert pick first, from the file and from the database."""

from __future__ import annotations

from typing import Any

import pytest

from patterns.content import CONTENT_FILE, read_content
from patterns.draft import catalog_export
from patterns.models import Scenario
from patterns.ranking.recommender import recommend
from patterns.ranking.snapshot import snapshot_from_content
from patterns.requirements import QUESTIONS_BY_NAME, Requirements

CONTENT = read_content(CONTENT_FILE)
SNAPSHOT = snapshot_from_content(CONTENT)


@pytest.mark.parametrize("scenario", CONTENT["scenarios"], ids=lambda s: s["slug"])
def test_the_expert_pick_ranks_first(scenario: dict[str, Any]) -> None:
    ranking = recommend(Requirements.from_mapping(scenario["answers"]), SNAPSHOT)
    top = [option.pattern for option in ranking.options[:3]]
    assert top[0] == scenario["expected"], f"{scenario['slug']}: expected {scenario['expected']}, got {top}"


def test_there_are_at_least_20_scenarios_covering_every_goal_and_scope() -> None:
    scenarios = CONTENT["scenarios"]
    assert len(scenarios) >= 20
    assert {s["answers"]["goal"] for s in scenarios} == set(QUESTIONS_BY_NAME["goal"].values)
    assert {s["answers"]["scope"] for s in scenarios} == set(QUESTIONS_BY_NAME["scope"].values)


def first(answers: dict[str, Any]) -> str:
    return recommend(Requirements.from_mapping(answers), SNAPSHOT).options[0].pattern


def excluded(answers: dict[str, Any]) -> set[str]:
    return {e.pattern for e in recommend(Requirements.from_mapping(answers), SNAPSHOT).excluded}


def test_on_premises_rules_out_fno_virtual_tables_and_prefers_the_package_api() -> None:
    answers = {"scope": "fno_dataverse", "goal": "data_sync", "deployment": "on_premises"}
    assert {"virtual-tables-fno", "dual-write", "recurring-integrations"} <= excluded(answers)
    assert first(answers) == "dmf-package-api"
    assert first({**answers, "data_residency": "live_access"}) == "dmf-package-api"
    assert first({"scope": "fno_external", "goal": "data_sync", "deployment": "on_premises"}) == "dmf-package-api"


def test_a_synchronous_need_rules_out_azure_service_bus_and_the_batch_apis() -> None:
    answers = {"scope": "ce_external", "goal": "event_notification", "timing": "synchronous"}
    assert "azure-service-bus" in excluded(answers)
    fno = {"scope": "fno_external", "goal": "data_sync", "timing": "synchronous"}
    assert {"dmf-package-api", "recurring-integrations"} <= excluded(fno)


def test_high_volume_synchronous_exchange_prefers_custom_services_over_odata() -> None:
    base = {"scope": "fno_external", "goal": "data_sync", "timing": "synchronous"}
    assert first({**base, "volume": "high"}) == "custom-services"
    assert first({**base, "volume": "low"}) == "odata"


def test_dataverse_events_go_to_webhooks_at_low_volume_and_service_bus_at_high() -> None:
    base = {"scope": "ce_external", "goal": "event_notification", "direction": "outbound"}
    assert first({**base, "volume": "low"}) == "webhooks"
    assert first({**base, "volume": "high"}) == "azure-service-bus"


def test_live_access_without_copying_prefers_virtual_tables() -> None:
    assert first({"scope": "ce_external", "goal": "data_sync", "data_residency": "live_access"}) == "virtual-tables-ce"
    live = {"scope": "fno_dataverse", "goal": "data_sync", "data_residency": "live_access"}
    assert first(live) == "virtual-tables-fno"


def test_the_same_data_on_both_sides_prefers_dual_write() -> None:
    answers = {
        "scope": "fno_dataverse",
        "goal": "data_sync",
        "data_residency": "replicate",
        "direction": "bidirectional",
    }
    assert first(answers) == "dual-write"


def test_the_web_shop_story_gets_odata_with_a_throttling_caution() -> None:
    answers = {"scope": "fno_external", "goal": "data_sync", "direction": "inbound", "timing": "synchronous",
               "volume": "low"}  # fmt: skip
    option = recommend(Requirements.from_mapping(answers), SNAPSHOT).options[0]
    assert option.pattern == "odata"
    assert any("throttl" in caution.title.lower() for caution in option.cautions)


@pytest.mark.django_db
def test_the_loaded_catalog_ranks_every_scenario_the_same_way() -> None:
    snapshot = snapshot_from_content(catalog_export())
    for scenario in Scenario.objects.select_related("expected_pattern"):
        ranking = recommend(scenario.requirements, snapshot)
        assert ranking.options[0].pattern == scenario.expected_pattern.slug, scenario.slug
