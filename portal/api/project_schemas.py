"""Schemas of the projects part of /api/v1: a project as the JSON export gives it, with its integrations, their saved
rankings, decisions, comments, approvals, checklist, milestones and history."""

from __future__ import annotations

from typing import Any, Literal, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

from patterns.ranking.records import Reason
from portal.api.ranking_schemas import (
    CapacityOut,
    CloseCall,
    EstimateOut,
    FitOut,
    PolicyOut,
    RelaxationOut,
    RequirementsIn,
    RuleOut,
    WithoutPolicies,
)


class ProjectListItem(BaseModel):
    id: int
    name: str
    description: str
    integration_count: int
    updated_at: str
    url: str


class ProjectList(BaseModel):
    projects: list[ProjectListItem] = Field(description="A page of them, the latest changed first.")
    page: int
    next: str | None = Field(description="The next page's URL; null on the last page.")
    previous: str | None = Field(description="The previous page's URL; null on the first.")


# What a request's text may hold: no NUL character (the database can't store one; the whole body is refused); a name
# has something besides spaces. "Spaces" are what Python's str.strip() removes, which is more than a JSON Schema
# regex's \s (the information separators U+001C to U+001F, and U+0085): the class is spelled out from Python's own
# definition, so the document and the validator agree on every character.
SPACES = "".join(f"\\u{code:04x}" for code in range(0x3001) if chr(code).isspace())
TEXT = r"^[^\x00]*$"
NAME = rf"^[^\x00]*[^{SPACES}\x00][^\x00]*$"


class NewIntegration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=NAME)
    requirements: RequirementsIn
    source_system: str = Field(default="", max_length=100, pattern=TEXT,
                               description="Where the data or call starts (optional).")  # fmt: skip
    target_system: str = Field(default="", max_length=100, pattern=TEXT, description="Where it arrives (optional).")


class NewProject(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=NAME)
    description: str = Field(default="", max_length=5000, pattern=TEXT)
    integrations: list[NewIntegration] = Field(default_factory=list, max_length=50)


class DecisionOut(BaseModel):
    status: str
    chosen_pattern: str
    chosen_pattern_name: str
    rationale: str
    consequences: str
    justification: str
    proposed_by: str | None
    decided_by: str | None
    decided_at: str | None
    superseded_by: str | None
    status_changed_by: str | None = Field(description="Who moved it to its current status.")
    status_reason: str = Field(description="Why it was rejected.")
    version: int


class CommentOut(BaseModel):
    author: str | None
    created_at: str
    body: str


class ApprovalOut(BaseModel):
    reviewer: str | None
    decision_version: int
    created_at: str


class HistoryOut(BaseModel):
    """One change to the project: who, when, what, before and after (the record shapes of this schema)."""

    created_at: str
    actor: str | None
    action: str
    subject: str
    integration: str | None
    before: Any
    after: Any


# A saved ranking's reasons are the recommender's own record, so its schema is made from it and can't drift.
SavedReason: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "SavedReason", **{name: (kind, ...) for name, kind in get_type_hints(Reason).items()}
)


class SavedCaution(BaseModel):
    slug: str
    title: str
    text: str
    source_url: str


class SavedOption(BaseModel):
    pattern: str
    name: str
    rank: int
    score: float
    contributions: list[SavedReason]
    cautions: list[SavedCaution]
    capacity: CapacityOut | None = None
    rules: list[RuleOut] | None = None
    policies: list[PolicyOut] | None = None


class SavedExclusion(BaseModel):
    pattern: str
    name: str
    contributions: list[SavedReason]
    rules: list[RuleOut] | None = None
    policies: list[PolicyOut] | None = None


class SavedRanking(BaseModel):
    catalog_version: str
    options: list[SavedOption]
    excluded: list[SavedExclusion]
    fit: FitOut
    relaxations: list[RelaxationOut]
    close_call: CloseCall | None = None
    without_policies: WithoutPolicies | None = None


class IntegrationOut(BaseModel):
    id: int
    name: str
    source_system: str | None = None
    target_system: str | None = None
    requirements: dict[str, Any]
    catalog_version: str
    ranked_at: str
    top_pattern: str | None
    top_pattern_name: str | None
    environment: str | None = None
    identity: str | None = None
    ranking: SavedRanking
    decision: DecisionOut | None
    comments: list[CommentOut]
    approvals: list[ApprovalOut]


class ChecklistEntryOut(BaseModel):
    section: str
    task: str
    title: str
    guidance: str
    status: str
    not_applicable_reason: str
    assignee: str | None
    due_date: str | None
    notes: str
    evidence_url: str
    condition: dict[str, Any] | None
    version: int


class MilestoneOut(BaseModel):
    name: str
    created_at: str
    created_by: str | None
    state: dict[str, Any]


class SharedEstimateOut(EstimateOut):
    """An estimate summed over the integrations that share the limit."""

    shared_by: str = Field(description="environment, identity (one account) or tenant")
    identity: str = Field(description="The account, when shared by the integrations that run as it.")


class SharedCapacityOut(BaseModel):
    verdict: Literal["within", "near_limit", "over_limit", "unknown"] = Field(
        description="The worst shared estimate's verdict; within when nothing shared applies."
    )
    estimates: list[SharedEstimateOut]


class EnvironmentOut(BaseModel):
    name: str
    kind: str = Field(description="fno (finance and operations) or dataverse")
    production: bool
    integrations: int
    capacity: SharedCapacityOut


class InventoryRowOut(BaseModel):
    line: int = Field(description="The row's line in the file (the header is line 1).")
    name: str
    action: Literal["add", "update"]
    top: str = Field(description="The first option's name, or “No option fits”.")
    fit: str
    capacity: str = Field(description="The first option's capacity verdict in words; empty without numbers.")


class InventoryOut(BaseModel):
    dry_run: bool
    created: int
    updated: int
    rows: list[InventoryRowOut]


class ProjectOut(BaseModel):
    """A project in full: schema d365-integration-portal/project/v1 (also the JSON export)."""

    schema_: str = Field(alias="schema")
    exported_at: str
    id: int
    name: str
    description: str
    team: str
    owner: str | None
    created_at: str
    updated_at: str
    required_approvals: int
    integrations: list[IntegrationOut]
    environments: list[EnvironmentOut]
    tenant_capacity: SharedCapacityOut
    checklist: list[ChecklistEntryOut]
    milestones: list[MilestoneOut]
    history: list[HistoryOut]


REQUEST_SCHEMAS: tuple[type[BaseModel], ...] = (RequirementsIn, NewProject)
