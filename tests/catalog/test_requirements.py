"""The requirements vocabulary is a public contract: exact names and values, labels and help for people."""

from __future__ import annotations

import pytest

from patterns.requirements import QUESTIONS, QUESTIONS_BY_NAME, Requirements, RequirementsError

CONTRACT = {
    "scope": ["fno_external", "ce_external", "fno_dataverse"],
    "goal": [
        "data_sync",
        "invoke_logic",
        "call_external_service",
        "event_notification",
        "embed_ui",
        "reporting_visuals",
        "regulatory_documents",
        "office_productivity",
        "communication_channels",
    ],
    "direction": ["inbound", "outbound", "bidirectional"],
    "timing": ["synchronous", "near_real_time", "scheduled_batch"],
    "volume": ["low", "medium", "high"],
    "deployment": ["cloud", "on_premises"],
    "data_residency": ["replicate", "live_access"],
    "transformations": ["none", "in_dynamics", "external"],
    "ui_kind": ["existing_web_app", "custom_component", "low_code_app"],
    "prefers_low_code": ["true", "false"],
    "needs_custom_logic": ["true", "false"],
    # Added in Advice 3.0: the contract only grows.
    "trigger": ["business_event", "record_change", "custom_event"],
    "lives_in": ["fno", "dataverse"],
    "consumer": ["analytics", "operational"],
    "team_platform": ["azure_integration_services", "data_factory", "power_platform", "none"],
    "document_kind": ["authority", "trading_partner"],
}


def test_a_question_for_one_pair_of_apps_is_dropped_for_the_others() -> None:
    both = {"goal": "invoke_logic", "lives_in": "fno"}
    assert Requirements.from_mapping({"scope": "fno_dataverse", **both}).lives_in == "fno"
    assert Requirements.from_mapping({"scope": "ce_external", **both}).lives_in is None
    assert "lives_in" not in Requirements.from_mapping({"scope": "ce_external", **both}).answers()


def test_facts_are_the_situation_and_preferences_the_rest() -> None:
    facts = {q.name for q in QUESTIONS if q.fact}
    assert facts == {"scope", "goal", "direction", "volume", "deployment", "trigger", "lives_in", "consumer",
                     "team_platform", "document_kind"}  # fmt: skip


def test_the_vocabulary_is_exactly_the_published_contract() -> None:
    assert {q.name: list(q.values) for q in QUESTIONS} == CONTRACT


def test_only_scope_and_goal_are_required() -> None:
    assert [q.name for q in QUESTIONS if q.required] == ["scope", "goal"]


def test_every_question_and_answer_has_a_label_and_help_a_person_understands() -> None:
    for question in QUESTIONS:
        assert question.label and question.help
        for choice in question.choices:
            assert len(choice.label) > 2, (question.name, choice.value)
            assert len(choice.help) > 10, (question.name, choice.value)


def test_it_accepts_a_minimal_requirements_object() -> None:
    requirements = Requirements.from_mapping({"scope": "fno_external", "goal": "data_sync"})
    assert requirements.answers() == {"scope": "fno_external", "goal": "data_sync"}


def test_booleans_become_vocabulary_strings_in_answers() -> None:
    requirements = Requirements.from_mapping(
        {"scope": "ce_external", "goal": "embed_ui", "prefers_low_code": True, "needs_custom_logic": False}
    )
    assert requirements.answers()["prefers_low_code"] == "true"
    assert requirements.answers()["needs_custom_logic"] == "false"


def test_it_rejects_a_missing_scope_and_goal() -> None:
    with pytest.raises(RequirementsError) as error:
        Requirements.from_mapping({})
    assert set(error.value.errors) == {"scope", "goal"}


def test_it_rejects_an_unknown_scope_naming_the_allowed_values() -> None:
    with pytest.raises(RequirementsError) as error:
        Requirements.from_mapping({"scope": "sap", "goal": "data_sync"})
    assert "fno_external, ce_external, fno_dataverse" in error.value.errors["scope"][0]


def test_it_rejects_an_unknown_field() -> None:
    with pytest.raises(RequirementsError) as error:
        Requirements.from_mapping({"scope": "fno_external", "goal": "data_sync", "colour": "blue"})
    assert "colour" in error.value.errors


@pytest.mark.parametrize(
    ("field", "value"),
    [("volume", 3), ("prefers_low_code", "yes"), ("goal", ["data_sync"]), ("needs_custom_logic", 1)],
)
def test_it_rejects_a_wrong_type(field: str, value: object) -> None:
    data = {"scope": "fno_external", "goal": "data_sync", field: value}
    with pytest.raises(RequirementsError) as error:
        Requirements.from_mapping(data)
    assert field in error.value.errors


def test_answers_to_questions_that_do_not_apply_to_the_goal_are_dropped() -> None:
    requirements = Requirements.from_mapping(
        {
            "scope": "ce_external",
            "goal": "event_notification",
            "ui_kind": "custom_component",
            "data_residency": "replicate",
        }
    )
    assert requirements.ui_kind is None and requirements.data_residency is None
    assert QUESTIONS_BY_NAME["ui_kind"].applies_to("embed_ui")
    assert not QUESTIONS_BY_NAME["transformations"].applies_to("embed_ui")
