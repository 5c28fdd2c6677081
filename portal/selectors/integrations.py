"""A project's integrations, its landscape, new first picks, the integration page and re-rank comparisons."""

from __future__ import annotations

from dataclasses import dataclass

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
from portal.records import integration_decision
from portal.selectors.decisions import approvals_for_current_version, decision_of


def project_integrations(project: Project) -> list[Integration]:
    """The project's integrations with their decision, each with ``new_first_pick``: the name of the published
    catalog's first pick when it differs from the saved one (None otherwise)."""
    integrations = list(
        Integration.objects.filter(project=project)
        .select_related("decision")
        .only("pk", "name", "top_pattern_slug", "top_pattern_name", "ranked_at", "project_id", "decision__status",
              "decision__chosen_pattern_name", "requirements", "catalog_version", "reviewed_catalog_version",
              "source_system", "target_system")
        .order_by("created_at", "id")
    )  # fmt: skip
    flags = integrations_with_new_first_pick(integrations)
    base = reverse("projects:integration", args=[project.pk, 0]).removesuffix("0/")
    for integration in integrations:
        integration.new_first_pick = flags.get(integration.pk)
        integration.url = f"{base}{integration.pk}/"  # one reverse for the whole list
    return integrations


def project_landscape(integrations: list[Integration], *, links: bool = True) -> Landscape:
    """The landscape picture of a project's integrations (as loaded by ``project_integrations``): no query."""
    return landscape(
        Link(
            name=integration.name,
            scope=str(integration.requirements.get("scope", "")),
            direction=str(integration.requirements.get("direction") or ""),
            source=integration.source_system,
            target=integration.target_system,
            pattern=(decision.chosen_pattern_name if (decision := integration_decision(integration))
                     else integration.top_pattern_name) or "no option fits",
            status=decision.status if decision else "none",
            url=(getattr(integration, "url", None) or reverse("projects:integration", args=[integration.project_id,
                 integration.pk])) if links else "",
        )
        for integration in integrations
    )  # fmt: skip


def integrations_with_new_first_pick(integrations: list[Integration]) -> dict[int, str]:
    """For integrations ranked with an older catalog version: id -> the name of the new first pick, when it differs."""
    snapshot = published_snapshot()
    flags = {}
    for integration in integrations:
        if snapshot.version in {integration.catalog_version, integration.reviewed_catalog_version}:
            continue  # ranked with this version, or the team looked at its ranking and kept the saved one
        pick = first_pick(Requirements.from_mapping(integration.requirements), snapshot)
        if pick and pick[0] != integration.top_pattern_slug:
            flags[integration.pk] = pick[1]
    return flags


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
    decision = decision_of(integration)
    approvals = (
        list(decision.approvals.select_related("reviewer").filter(decision_version=decision.version))
        if decision
        else []
    )
    others = (  # only an accepted decision can supersede another
        Decision.objects.filter(integration__project=integration.project, status=DecisionStatus.ACCEPTED)
        .exclude(integration=integration)
        .select_related("integration")
    )
    return IntegrationPage(
        decision=decision,
        approvals=approvals,
        approval_count=approvals_for_current_version(decision) if decision else 0,
        comments=list(integration.comments.select_related("author")),
        other_decisions=list(others),
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
