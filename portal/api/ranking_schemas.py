"""Schemas of the public part of /api/v1: the requirements a ranking takes, the ranking it answers, and the catalog's
patterns. Built from the vocabulary and the ranking records, so the description and the validator never drift."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from patterns.ranking.confidence import KEY_WEIGHT, NONE_BELOW, STRONG_FROM
from patterns.ranking.policies import POLICY_POINTS
from patterns.requirements import CAPACITY_FIELDS, QUESTIONS, CapacityField, Question


def _answer_field(question: Question) -> tuple[Any, Any]:
    description = f"{question.label}. {question.help} " + "; ".join(
        f"{choice.value}: {choice.label}" for choice in question.choices
    )
    kind: Any = bool if question.is_boolean else Literal[question.values]
    if question.required:
        return kind, Field(description=description)
    return kind | None, Field(default=None, description=description)


def _capacity_field(field: CapacityField) -> tuple[Any, Any]:
    kind: Any = int if field.whole else float
    return kind | None, Field(default=None, ge=0, le=field.maximum, description=f"{field.label}. {field.help}")


# Built from the vocabulary, so the description and the validator never drift.
CapacityIn: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "Capacity",
    __config__=ConfigDict(extra="forbid"),
    **{field.name: _capacity_field(field) for field in CAPACITY_FIELDS},
)
RequirementsIn: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "Requirements",
    __config__=ConfigDict(extra="forbid"),
    **{question.name: _answer_field(question) for question in QUESTIONS},
    capacity=(
        CapacityIn | None,
        Field(
            default=None,
            description="Optional numbers for the capacity check; the volume is derived from them "
            "when it isn't answered.",
        ),
    ),
)


class Errors(BaseModel):
    """Bad input: every problem, keyed by field, with the allowed values."""

    errors: dict[str, list[str]]


class EstimateOut(BaseModel):
    limit: str = Field(description="The curated limit's slug.")
    name: str
    value: float = Field(description="The limit, in ``unit``.")
    unit: str
    estimate: float | None = Field(description="What the numbers come to, in ``unit``; null when they can't say.")
    share: float | None = Field(description="estimate / value.")
    verdict: Literal["within", "near_limit", "over_limit", "unknown"] = Field(
        description="Against a guidance figure (``guidance``: Microsoft's example or benchmark, not an enforced "
        "limit): near_limit above it, over_limit at ten times it or more; the text says which."
    )
    text: str = Field(description="The arithmetic in words, with how batching would change it or what to use instead.")
    source: str
    guidance: bool = Field(
        default=False, description="The value is Microsoft's guidance figure rather than a limit the platform enforces."
    )
    another_way: bool = Field(
        default=False,
        description="Past the limit, and near it only done another way (a filtered query, a migrated initial load, "
        "a message carrying the row's key: the text says how); a first option with one is at best a partial fit.",
    )


class CapacityOut(BaseModel):
    verdict: Literal["within", "near_limit", "over_limit", "unknown"] = Field(
        description="The worst estimate's verdict; unknown without numbers (not the same as within). An option over a "
        "limit gives up 20 points in the order."
    )
    estimates: list[EstimateOut]


class RuleOut(BaseModel):
    rule: str = Field(description="The curated rule's slug.")
    title: str
    effect: Literal["exclude", "cap", "points"] = Field(
        description="What it did: ruled the pattern out, capped the fit a first option can have, or moved points."
    )
    points: float = Field(description="Points added to the score (negative: taken off); 0 unless the effect is points.")
    cap: Literal["partial", "none"] | None = Field(description="For a cap: the best fit level the option can have.")
    text: str = Field(description="Why, in the curators' words.")
    source: str = Field(description="The Microsoft Learn page that states it.")


class PolicyOut(BaseModel):
    slug: str = Field(description="The organisation's policy's slug.")
    title: str
    effect: Literal["prefer", "avoid", "forbid"] = Field(
        description=f"What it did: prefer adds {POLICY_POINTS:g} points to the score, avoid takes {POLICY_POINTS:g} "
        "off, forbid rules the pattern out."
    )
    points: float = Field(description="Points it added to the score (negative: taken off); 0 for forbid.")
    text: str = Field(description="Why, in the organisation's words.")
    source_url: str | None = Field(description="The organisation's own page for the policy, if it has one.")


class WithoutPolicies(BaseModel):
    pattern: str = Field(description="The pattern that would be first without the organisation's policies.")
    name: str
    summary: str = Field(description="“Without your organisation's policies, … would be first.”")


class RankedOption(BaseModel):
    pattern: str = Field(description="Stable pattern slug.")
    name: str
    rank: int = Field(ge=1)
    score: float = Field(ge=0, le=100)
    reasons: list[str] = Field(
        description="Each answer's fit and the curated why, strongest first; then the rules that applied."
    )
    cautions: list[str] = Field(description="Platform limits to plan for, with their source.")
    capacity: CapacityOut
    rules: list[RuleOut] = Field(
        description="Curated rules on a combination of answers (and numbers) that moved its score or cap its fit."
    )
    policies: list[PolicyOut] = Field(
        description="The organisation's policies that applied to it (preferred or avoided it); also in its reasons."
    )


class ExcludedPattern(BaseModel):
    pattern: str
    name: str
    reasons: list[str] = Field(description="The answers, rules and policies that rule the pattern out, and why.")
    rules: list[RuleOut] = Field(description="Curated rules that rule it out.")
    policies: list[PolicyOut] = Field(description="The organisation's policies that forbid it.")


FitLevelName = Literal["strong", "partial", "none"]  # patterns.ranking.confidence.LEVELS, checked by a test
FIT_RULE = (
    f"How far to trust the first option: none when every pattern is ruled out, the goal is met only weakly or "
    f"poorly, or the score is under {NONE_BELOW:.0f}; partial when the score is under {STRONG_FROM:.0f}, an answer "
    f"weighing {KEY_WEIGHT} or more is met only weakly or poorly, or any answer is fitted poorly; strong otherwise. "
    "See the README's “How confident is a ranking?”."
)


class FitOut(BaseModel):
    level: FitLevelName = Field(description=FIT_RULE)
    summary: str


class RelaxationOut(BaseModel):
    changes: dict[str, str | bool | None] = Field(
        description="The answers to change, as this API takes them; null means no preference."
    )
    pattern: str = Field(description="The pattern that would come first.")
    name: str
    score: float = Field(ge=0, le=100)
    fit: FitLevelName
    kind: Literal["preference", "fact"] = Field(
        description="preference: it changes what you prefer (timing, copy or live...); fact: it changes a fact of "
        "the situation (where Dynamics 365 runs, the direction, what the team runs...). Preferences come first."
    )
    summary: str


class CloseCallAnswer(BaseModel):
    value: str | bool = Field(description="An answer to the deciding question, as this API takes it.")
    label: str
    pattern: str = Field(description="The option that comes first with that answer.")
    name: str


class CloseCall(BaseModel):
    options: list[str] = Field(description="The options within 3 points of the first, first included (slugs).")
    names: list[str]
    question: str | None = Field(
        description="The unanswered question whose answer separates them; null when none does (they are "
        "interchangeable for the answers given)."
    )
    answers: list[CloseCallAnswer] = Field(description="Each answer to that question and where it leads.")


class Ranking(BaseModel):
    catalog_version: str = Field(description="The published catalog version that ranked it, e.g. v3.")
    options: list[RankedOption]
    excluded: list[ExcludedPattern]
    fit: FitOut
    relaxations: list[RelaxationOut] = Field(
        description="When the fit isn't strong: at most five answer changes (one, or two where one isn't enough) "
        "that would give a better first option: changes of preferences first, then changes of facts. Empty when "
        "the fit is strong."
    )
    close_call: CloseCall | None = Field(
        description="When the first two options are within 3 points: which options, and the question that decides "
        "between them; null otherwise."
    )
    without_policies: WithoutPolicies | None = Field(
        description="When the organisation's policies changed the first option: the one that would be first without "
        "them; null otherwise."
    )


class LearnLink(BaseModel):
    title: str
    url: str


class PatternSummary(BaseModel):
    pattern: str
    name: str
    family: str
    category: str
    interaction: str
    code_required: bool
    summary: str
    catalog_version: str
    url: str
    learn_more: list[LearnLink]


class PatternList(BaseModel):
    catalog_version: str
    patterns: list[PatternSummary]


class ScopedFit(BaseModel):
    fit: str
    why: str


class Fit(BaseModel):
    fit: str
    why: str
    by_scope: dict[str, ScopedFit] | None = Field(
        default=None, description="Where the fit differs for a scope (level and wording), keyed by scope."
    )


class CautionOut(BaseModel):
    title: str
    text: str
    source_url: str
    when: dict[str, list[str]]


class ScenarioOut(BaseModel):
    scenario: str
    title: str
    answers: dict[str, Any]
    expected: str


class PatternDetail(PatternSummary):
    description: str
    benefits: str
    drawbacks: str
    use_when: str
    fits: dict[str, dict[str, Fit]] = Field(description="question -> answer -> curated fit and why.")
    cautions: list[CautionOut]
    scenarios: list[ScenarioOut]
