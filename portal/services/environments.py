"""A project's environments, and which one (and which account) each integration runs in. Every change is in the
project's history, and the checklist follows: a shared limit near or over adds its task, and drops it once clear."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.models import Environment, Integration, Project
from portal.services.checklist import project_checklist_sync
from portal.services.history import history_record
from portal.services.locks import hold_placements


def _state(environment: Environment) -> dict[str, object]:
    return {"name": environment.name, "kind": environment.kind, "production": environment.production}


def _save(environment: Environment) -> None:
    """Saved, or refused naming the field when another environment of the project has its name in any case (the
    database's constraint decides, so two people adding "FO prod" and "fo prod" at once can't both succeed)."""
    environment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            environment.save()
    except IntegrityError:
        raise ValidationError({"name": f"The project already has an environment called {environment.name}."}) from None


@transaction.atomic
def environment_create(*, project: Project, actor: User, name: str, kind: str, production: bool) -> Environment:
    environment = Environment(project=project, name=" ".join(name.split()), kind=kind, production=production)
    _save(environment)
    history_record(project=project, actor=actor, action="environment added", subject=environment.name,
                   after=_state(environment))  # fmt: skip
    return environment


@transaction.atomic
def environment_update(*, environment: Environment, actor: User, name: str, kind: str, production: bool) -> Environment:
    before = _state(environment)
    environment.name, environment.kind, environment.production = " ".join(name.split()), kind, production
    _save(environment)
    if _state(environment) != before:
        history_record(project=environment.project, actor=actor, action="environment changed",
                       subject=environment.name, before=before, after=_state(environment))  # fmt: skip
    return environment


@transaction.atomic
def environment_delete(*, environment: Environment, actor: User) -> None:
    """Its integrations stay in the project, in no environment."""
    project = environment.project
    hold_placements(project)  # an import placing integrations in it commits first
    count = environment.integrations.count()
    before = {**_state(environment), "integrations": count}
    environment.delete()
    history_record(project=project, actor=actor, action="environment removed", subject=before["name"],  # type: ignore[arg-type]
                   before=before)  # fmt: skip
    project_checklist_sync(project=project, actor=actor)


@transaction.atomic
def integration_place(
    *, integration: Integration, actor: User, environment: Environment | None, identity: str
) -> Integration:
    """Put an integration in one of its project's environments (or none), running as ``identity`` (or unnamed)."""
    if environment is not None and environment.project_id != integration.project_id:
        raise ValueError("The environment belongs to another project.")
    before = {"environment": integration.environment.name if integration.environment else None,
              "identity": integration.identity}  # fmt: skip
    integration.environment, integration.identity = environment, " ".join(identity.split())
    integration.full_clean(exclude=["source_draft"])
    integration.save(update_fields=["environment", "identity"])
    after = {"environment": environment.name if environment else None, "identity": integration.identity}
    if after != before:
        history_record(project=integration.project, actor=actor, integration=integration,
                       action="integration placed", subject=integration.name, before=before, after=after)  # fmt: skip
        project_checklist_sync(project=integration.project, actor=actor)
    return integration
