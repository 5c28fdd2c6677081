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
from patterns.selectors import catalog_snapshot, checklist_sections
from patterns.serializers import ranking_snapshot
from portal.models import ApiToken, Integration, Project, ProjectChecklistEntry, Team, WizardDraft
from portal.team_services import history_record, team_personal

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
        ProjectChecklistEntry(
            project=project,
            section_slug=section.slug,
            section_title=section.title,
            section_position=section.position,
            slug=item.slug,
            title=item.title,
            guidance=item.guidance,
            position=item.position,
        )
        for section in checklist_sections()
        for item in section.items.all()
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
    ranking = recommend(requirements, catalog_snapshot())
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
