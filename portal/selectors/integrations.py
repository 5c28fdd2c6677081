"""A project's integrations, its landscape, new first picks, the integration page and re-rank comparisons."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from patterns.catalog import first_pick, published_snapshot, rank
from patterns.ranking.records import ExclusionRecord, OptionRecord, RankingRecord, movement
from patterns.requirements import Requirements
from portal.models import (
    Approval,
    Comment,
    Decision,
    DecisionStatus,
    Integration,
    Project,
)
from portal.pictures.landscape import Landscape, Link, landscape
from portal.selectors.catalog_changes import fit_phrase
from portal.selectors.decisions import approvals_for_current_version, decision_of
from portal.selectors.prepared import PreparedRead, columns, instance


@dataclass(frozen=True, slots=True)
class IntegrationRow:
    """An integration as its project's page lists and draws it, read as plain values (a model instance and its
    decision's per row cost more than the rest of the read)."""

    pk: int
    name: str
    url: str
    source_system: str
    target_system: str
    scope: str
    direction: str
    top_pattern_name: str
    status: str  # the decision's, "" before one
    chosen_pattern_name: str
    ranked_at: datetime | None
    catalog_change: str | None  # what the published catalog says differently (first pick or fit level), in words

    @property
    def link(self) -> Link:
        pattern = (self.chosen_pattern_name if self.status else self.top_pattern_name) or "no option fits"
        return Link(name=self.name, scope=self.scope, direction=self.direction, source=self.source_system,
                    target=self.target_system, pattern=pattern, status=self.status or "none", url=self.url)  # fmt: skip


ROW_FIELDS = ("pk", "name", "source_system", "target_system", "top_pattern_name", "decision__status",
              "decision__chosen_pattern_name", "ranked_at", "requirements", "top_pattern_slug", "catalog_version",
              "reviewed_catalog_version")  # fmt: skip


@PreparedRead
def _integration_rows(project_id: int) -> QuerySet[Integration, tuple[Any, ...]]:
    return (
        Integration.objects.filter(project_id=project_id)
        .order_by("created_at", "id")
        .values_list(*ROW_FIELDS, "fit_level")
    )


def project_integrations(project: Project) -> list[IntegrationRow]:
    """The project's integrations, oldest first, each with its page's URL and the current catalog's first pick when
    it differs from the saved one (worked out only for those ranked with an older version the team hasn't kept)."""
    snapshot = published_snapshot()
    base = reverse("projects:integration", args=[project.pk, 0]).removesuffix("0/")  # one reverse for the list
    rows = []
    for row in _integration_rows(project.pk):
        pk, name, source, target, top, status, chosen, ranked_at, requirements, top_slug, version, kept, level = row
        flag = None
        if snapshot.version not in {version, kept}:
            pick = first_pick(Requirements.from_mapping(requirements), snapshot)
            if pick and pick.pattern != top_slug:
                flag = f"The current catalog would pick {pick.name or 'no pattern'}"
            elif pick and level and pick.level != level:
                flag = f"Now {fit_phrase(pick.level)} (was {fit_phrase(level)})"
        rows.append(IntegrationRow(pk, name, f"{base}{pk}/", source, target, str(requirements.get("scope", "")),
                                   str(requirements.get("direction") or ""), top, status or "", chosen or "",
                                   ranked_at, flag))  # fmt: skip
    return rows


def project_landscape(rows: list[IntegrationRow], *, links: bool = True) -> Landscape:
    """The landscape picture of a project's integrations (as ``project_integrations`` reads them): no query."""
    return landscape(row.link if links else replace(row.link, url="") for row in rows)


@PreparedRead
def _comment_rows(integration_id: int) -> QuerySet[Comment, tuple[Any, ...]]:
    """An integration's comments, oldest first, each with its author's columns."""
    return Comment.objects.filter(integration_id=integration_id).values_list(*columns(Comment, ("author",)))


@dataclass
class IntegrationPage:
    decision: Decision | None
    approvals: list[Approval]
    approval_count: int
    comments: list[Comment]
    other_decisions: list[Decision]
    ranking: RankingRecord
    requirements: Requirements


def integration_page(integration: Integration) -> IntegrationPage:
    """What the integration page shows besides the saved ranking; what only one state of the decision shows is read
    only in that state (approvals while it is proposed, the decisions that may supersede it once accepted)."""
    decision = decision_of(integration)
    proposed = decision is not None and decision.status == DecisionStatus.PROPOSED
    approvals = (
        list(decision.approvals.select_related("reviewer").filter(decision_version=decision.version))
        if decision and proposed
        else []
    )
    others = (  # only an accepted decision can supersede another, and only an accepted one can be superseded
        Decision.objects.filter(integration__project=integration.project, status=DecisionStatus.ACCEPTED)
        .exclude(integration=integration)
        .select_related("integration")
        .only("pk", "status", "integration__name")
    )
    accepted = decision is not None and decision.status == DecisionStatus.ACCEPTED
    return IntegrationPage(
        decision=decision,
        approvals=approvals,
        approval_count=approvals_for_current_version(decision) if decision and proposed else 0,
        comments=[instance(row, Comment, ("author",)) for row in _comment_rows(integration.pk)],
        other_decisions=list(others) if accepted else [],
        ranking=RankingRecord.from_json(integration.ranking),
        requirements=Requirements.from_mapping(integration.requirements),
    )


@dataclass
class RerankRow:
    new: OptionRecord
    saved: OptionRecord | None
    move: int | None  # places moved up since the saved ranking; None when the pattern is new to the ranking


@dataclass
class RerankComparison:
    saved: RankingRecord
    new: RankingRecord
    rows: list[RerankRow]

    @property
    def ruled_out(self) -> list[tuple[OptionRecord, ExclusionRecord]]:
        """Options of the saved ranking that the current catalog rules out, with why."""
        saved = self.saved.by_pattern()
        return [(saved[e.pattern], e) for e in self.new.excluded if e.pattern in saved]

    @property
    def same_version(self) -> bool:
        return self.saved.catalog_version == self.new.catalog_version

    @property
    def first_pick_changes(self) -> bool:
        return bool(self.saved.top and self.new.top and self.saved.top.pattern != self.new.top.pattern)


def rerank_comparison(integration: Integration) -> RerankComparison:
    """The saved ranking beside the published catalog's ranking of the same requirements (nothing saved)."""
    saved = RankingRecord.from_json(integration.ranking)
    new = rank(Requirements.from_mapping(integration.requirements))
    saved_options, moves = saved.by_pattern(), movement(new, saved)
    rows = [RerankRow(o, saved_options.get(o.pattern), moves.get(o.pattern)) for o in new.options]
    return RerankComparison(saved, new, rows)
