"""Integrations: ranked with the published catalog and saved as a snapshot; re-ranked only when the team says so;
discussed in comments."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from patterns.catalog import rank
from patterns.ranking.records import RankingRecord
from patterns.requirements import Requirements
from portal.models import Comment, Environment, Integration, Project, WizardDraft
from portal.services.checklist import project_checklist_sync
from portal.services.history import history_record
from portal.services.notifications import notify_mentions

# Every field apply_ranking sets: a save that adopts a ranking writes them all, or the columns kept beside the
# ranking (its fit level, the first option's verdict) would go stale.
RANKING_FIELDS = ["ranking", "catalog_version", "top_pattern_slug", "top_pattern_name", "fit_level",
                  "top_capacity_verdict", "ranked_at", "ranked_by"]  # fmt: skip


def ranking_columns(ranking: RankingRecord) -> dict[str, str]:
    """What an integration keeps beside its saved ranking, read out of it: the first option (slug and name), the fit
    level and the first option's capacity verdict. A ranking adopted here and one restored from an export
    (``portal.services.portability``) fill them the same way."""
    top = ranking.top
    return {
        "top_pattern_slug": top.pattern if top else "",
        "top_pattern_name": top.name if top else "",
        "fit_level": ranking.verdict.level,
        "top_capacity_verdict": top.capacity.verdict if top and top.capacity else "",
    }


def apply_ranking(integration: Integration, ranking: RankingRecord, actor: User) -> None:
    integration.ranked_by = actor
    integration.ranking = ranking.to_json()
    integration.catalog_version = ranking.catalog_version
    for field, value in ranking_columns(ranking).items():
        setattr(integration, field, value)
    integration.ranked_at = timezone.now()


@transaction.atomic
def integration_create(
    *,
    project: Project,
    name: str,
    requirements: Requirements,
    created_by: User,
    draft: WizardDraft | None = None,
    source_system: str = "",
    target_system: str = "",
    environment: Environment | None = None,
    identity: str = "",
) -> Integration:
    """Rank the requirements with the published catalog and save the ranking as a snapshot; ``environment`` must be
    one of the project's."""
    if environment is not None and environment.project_id != project.pk:
        raise ValueError("The environment belongs to another project.")
    integration = Integration(
        project=project,
        source_system=source_system.strip(),
        target_system=target_system.strip(),
        environment=environment,
        identity=" ".join(identity.split()),
        name=name.strip(),
        requirements=requirements.as_dict(),
        created_by=created_by,
        source_draft=draft,
    )
    apply_ranking(integration, rank(requirements), created_by)
    integration.full_clean(exclude=["source_draft"])
    integration.save()
    history_record(
        project=project,
        actor=created_by,
        action="integration added",
        subject=integration.name,
        after={"top_pattern": integration.top_pattern_slug, "requirements": integration.requirements,
               **({"environment": environment.name} if environment else {}),
               **({"identity": integration.identity} if integration.identity else {})},
    )  # fmt: skip
    project_checklist_sync(project=project, actor=created_by)
    return integration


@transaction.atomic
def integration_rerank(*, integration: Integration, actor: User) -> Integration:
    """Adopt the ranking of the published catalog; the change is recorded in the project's history."""
    before = {"catalog_version": integration.catalog_version, "top_pattern": integration.top_pattern_slug}
    apply_ranking(integration, rank(Requirements.from_mapping(integration.requirements)), actor)
    integration.save(update_fields=RANKING_FIELDS)
    history_record(project=integration.project, integration=integration, actor=actor,
                   action="ranking re-evaluated", subject=integration.name,
                   before=before, after={"catalog_version": integration.catalog_version,
                                         "top_pattern": integration.top_pattern_slug})  # fmt: skip
    project_checklist_sync(project=integration.project, actor=actor)
    return integration


def integration_keep_ranking(*, integration: Integration, actor: User, reviewed_version: str) -> None:
    """The team looked at the current catalog's ranking and kept the saved one: recorded, and the project stops
    flagging it until a newer version is published; the saved ranking doesn't change."""
    integration.reviewed_catalog_version = reviewed_version
    integration.save(update_fields=["reviewed_catalog_version"])
    history_record(project=integration.project, integration=integration, actor=actor,
                   action="saved ranking kept", subject=integration.name,
                   after={"catalog_version": integration.catalog_version, "reviewed": reviewed_version})  # fmt: skip


def comment_add(*, integration: Integration, author: User, body: str) -> Comment:
    comment = Comment(integration=integration, author=author, body=body.strip())
    comment.full_clean()
    comment.save()
    history_record(project=integration.project, integration=integration, actor=author, action="comment added",
                   subject=f"{integration.name}: comment", after={"body": comment.body[:500]})  # fmt: skip
    notify_mentions(integration=integration, author=author, body=comment.body)
    return comment
