"""The curated catalog: patterns, their fits per answer, cautions, scenarios, question weights, limits, rules, the
organisation's policies and the checklist.

Curators edit these rows in the admin; ``manage.py loadcatalog`` fills them from patterns/content/catalog.json.
Each curated row keeps ``content_hash``, the hash of what the loader last wrote, so a later load can tell an admin
edit (current state differs from that hash) from an untouched row and never overwrite the edit silently."""

from patterns.models.curated import (
    QUESTION_CHOICES,
    RULE_CAP_CHOICES,
    RULE_EFFECT_CHOICES,
    SCENARIO_FIT_CHOICES,
    SCOPE_CHOICES,
    Caution,
    ChecklistItem,
    ChecklistSection,
    Fit,
    Limit,
    Pattern,
    PatternLink,
    QuestionWeight,
    Rule,
    Scenario,
)
from patterns.models.policies import POLICY_EFFECT_CHOICES, Policy, PolicyEffect
from patterns.models.validators import (
    LEARN,
    https_only,
    learn_only,
    validate_answers,
    validate_conditions,
    validate_goals,
    validate_item_condition,
    validate_numbers,
    validate_scopes,
)
from patterns.models.versions import CatalogVersion, ContentLoad, CurationEvent

__all__ = [
    "LEARN",
    "POLICY_EFFECT_CHOICES",
    "QUESTION_CHOICES",
    "RULE_CAP_CHOICES",
    "RULE_EFFECT_CHOICES",
    "SCENARIO_FIT_CHOICES",
    "SCOPE_CHOICES",
    "CatalogVersion",
    "Caution",
    "ChecklistItem",
    "ChecklistSection",
    "ContentLoad",
    "CurationEvent",
    "Fit",
    "Limit",
    "Pattern",
    "PatternLink",
    "Policy",
    "PolicyEffect",
    "QuestionWeight",
    "Rule",
    "Scenario",
    "https_only",
    "learn_only",
    "validate_answers",
    "validate_conditions",
    "validate_goals",
    "validate_item_condition",
    "validate_numbers",
    "validate_scopes",
]
