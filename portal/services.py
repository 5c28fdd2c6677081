"""Writes of the architects' records. Each service validates, runs in one transaction, and takes keywords only."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from patterns.recommender import recommend
from patterns.requirements import Requirements
from patterns.serializers import ranking_snapshot
from patterns.versions import published_snapshot
from portal.checklist import checklist_entry_from_content, project_checklist_sync, published_checklist
from portal.history import history_record
from portal.models import ApiToken, Integration, Project, ProjectChecklistEntry, Team, WizardDraft
from portal.team_services import team_personal

TOKEN_PREFIX = "dip_"  # noqa: S105 - a public marker that makes leaked tokens easy to recognise


@transaction.atomic
def project_create(*, owner: AbstractBaseUser, name: str, description: str = "", team: Team | None = None) -> Project:
    """A project in ``team`` (default: the owner's personal team) with its own copy of the curated checklist."""
    project = Project(
        owner=owner, team=team or team_personal(owner), name=name.strip(), description=description.strip()
    )
    project.full_clean()
    project.save()
    entries = [
        checklist_entry_from_content(project, position, section, item)
        for position, section in enumerate(published_checklist())
        for item in section["items"]
        if not item.get("when")  # conditional tasks join when an integration meets their condition
    ]
    ProjectChecklistEntry.objects.bulk_create(entries)
    history_record(project=project, actor=owner, action="project created", subject=project.name)
    return project


@transaction.atomic
def integration_create(
    *,
    project: Project,
    name: str,
    requirements: Requirements,
    created_by: AbstractBaseUser,
    draft: WizardDraft | None = None,
) -> Integration:
    """Rank the requirements with the current catalog and save the ranking as a snapshot.

    From a draft, a second submit returns the integration the first one saved (the draft row is locked meanwhile).
    """
    if draft is not None:
        draft = WizardDraft.objects.select_for_update(of=("self",)).get(pk=draft.pk)
        existing = Integration.objects.filter(source_draft=draft).first()
        if existing is not None:
            return existing
    ranking = recommend(requirements, published_snapshot())
    top = ranking.options[0] if ranking.options else None
    integration = Integration(
        project=project,
        name=name.strip(),
        requirements=requirements.as_dict(),
        ranking=ranking_snapshot(ranking),
        catalog_version=ranking.catalog_version,
        top_pattern_slug=top.slug if top else "",
        top_pattern_name=top.name if top else "",
        ranked_at=timezone.now(),
        created_by=created_by,
        source_draft=draft,
    )
    integration.full_clean(exclude=["source_draft"])
    integration.save()
    Project.objects.filter(pk=project.pk).update(updated_at=timezone.now())
    history_record(
        project=project,
        actor=created_by,
        action="integration added",
        subject=integration.name,
        after={"top_pattern": integration.top_pattern_slug, "requirements": integration.requirements},
    )
    project_checklist_sync(project=project, actor=created_by)
    return integration


def draft_save_as_integration(
    *,
    draft: WizardDraft,
    requirements: Requirements,
    name: str,
    project: Project | None,
    new_project_name: str = "",
) -> Integration:
    """Save a wizard result once: a second submit of the same draft (even concurrent) returns the first result
    and creates no second project."""
    try:
        with transaction.atomic():
            locked = WizardDraft.objects.select_for_update(of=("self",)).get(pk=draft.pk)
            existing = Integration.objects.filter(source_draft=locked).first()
            if existing is not None:
                return existing
            target = project or project_create(owner=locked.owner, name=new_project_name)
            return integration_create(
                project=target, name=name, requirements=requirements, created_by=locked.owner, draft=locked
            )
    except IntegrityError:
        # Databases without row locks (SQLite) let a racing submit reach the unique source_draft constraint.
        return Integration.objects.get(source_draft=draft)


def draft_create(*, owner: AbstractBaseUser, answers: dict[str, Any] | None = None, **links: Any) -> WizardDraft:
    draft = WizardDraft(owner=owner, answers=answers or {}, **links)
    draft.full_clean()
    draft.save()
    return draft


def draft_save_answers(*, draft: WizardDraft, answers: dict[str, Any], step: int) -> WizardDraft:
    draft.answers = {**draft.answers, **answers}
    draft.answers = {key: value for key, value in draft.answers.items() if value is not None}
    draft.step = step
    draft.full_clean()
    draft.save(update_fields=["answers", "step", "updated_at"])
    return draft


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored and can't be shown again."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip() or "API token", prefix=secret[:10], token_hash=hash_token(secret))
    token.full_clean()
    token.save()
    return token, secret


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def integration_new_ranking(integration: Integration) -> dict[str, Any]:
    """The integration's requirements ranked with the current published catalog, as a snapshot (nothing saved)."""
    ranking = recommend(Requirements.from_mapping(integration.requirements), published_snapshot())
    return ranking_snapshot(ranking)


@transaction.atomic
def integration_rerank(*, integration: Integration, actor: AbstractBaseUser) -> Integration:
    """Adopt the ranking of the current published catalog; the change is recorded in the project's history."""
    before = {"catalog_version": integration.catalog_version, "top_pattern": integration.top_pattern_slug}
    snapshot = integration_new_ranking(integration)
    top = snapshot["options"][0] if snapshot["options"] else None
    integration.ranking = snapshot
    integration.catalog_version = snapshot["catalog_version"]
    integration.top_pattern_slug = top["pattern"] if top else ""
    integration.top_pattern_name = top["name"] if top else ""
    integration.ranked_at = timezone.now()
    integration.save(update_fields=["ranking", "catalog_version", "top_pattern_slug", "top_pattern_name", "ranked_at"])
    history_record(project=integration.project, actor=actor, action="ranking re-evaluated", subject=integration.name,
                   before=before, after={"catalog_version": integration.catalog_version,
                                         "top_pattern": integration.top_pattern_slug})  # fmt: skip
    project_checklist_sync(project=integration.project, actor=actor)
    return integration


def integration_keep_ranking(*, integration: Integration, actor: AbstractBaseUser) -> None:
    """The team looked at the current catalog's ranking and kept the saved one: recorded, nothing else changes."""
    history_record(project=integration.project, actor=actor, action="saved ranking kept", subject=integration.name,
                   after={"catalog_version": integration.catalog_version})  # fmt: skip


def integrations_with_new_first_pick(integrations: list[Integration]) -> dict[int, str]:
    """For integrations ranked with an older catalog version: id -> the name of the new first pick, when it differs."""
    snapshot = published_snapshot()
    flags = {}
    for integration in integrations:
        if integration.catalog_version == snapshot.version:
            continue
        ranking = recommend(Requirements.from_mapping(integration.requirements), snapshot)
        if ranking.options and ranking.options[0].slug != integration.top_pattern_slug:
            flags[integration.pk] = ranking.options[0].name
    return flags
