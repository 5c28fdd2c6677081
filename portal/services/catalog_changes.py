"""A publish reaches people: when a new catalog version answers a saved integration differently (another first pick,
or the same pick at another fit level), the team's owners and the decision's proposer are told (inbox and mail, per
their settings), once per version and integration. Queued in the publishing transaction, run by the task worker."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from patterns.catalog import first_pick, published_snapshot, version_snapshot
from patterns.ranking.snapshot import CatalogSnapshot
from patterns.signals import catalog_published
from portal.models import Integration, Membership, NotificationKind, Project, Role
from portal.selectors.catalog_changes import PickChange, pick_changes
from portal.services.channels import post_catalog_change
from portal.services.notifications import notify


@task()
def notify_catalog_changes(version: str) -> int:
    """Tell the owners and proposers of every integration that ``version`` answers differently from its saved
    ranking and from the version before (a change this publish made: one already told of isn't told again); 0 when a
    newer version is out already (its own run tells them)."""
    snapshot = published_snapshot()
    if snapshot.version != version:
        return 0
    previous = version_snapshot(int(version.removeprefix("v")) - 1)
    changes = [
        change for change in pick_changes(Integration.objects.all(), snapshot)
        if previous is None or _answer_before(change, previous) != (change.new_pattern, change.new_level)
    ]  # fmt: skip
    if not changes:
        return 0
    projects = Project.objects.in_bulk({change.project_id for change in changes})
    owners: dict[int, set[int]] = {}
    for team_id, user_id in Membership.objects.filter(
        team_id__in={project.team_id for project in projects.values()}, role=Role.OWNER
    ).values_list("team_id", "user_id"):
        owners.setdefault(team_id, set()).add(user_id)
    proposers = dict(
        Integration.objects.filter(pk__in=[c.integration_id for c in changes], decision__isnull=False).values_list(
            "pk", "decision__proposed_by_id"
        )
    )
    sent = 0
    for change in changes:
        project = projects[change.project_id]
        proposer = proposers.get(change.integration_id)
        recipients = owners.get(project.team_id, set()) | ({proposer} if proposer else set())
        post_catalog_change(team_id=project.team_id, change=change)
        sent += len(notify(kind=NotificationKind.CATALOG_CHANGED, project=project, recipient_ids=recipients,
                           actor=None, message=change.text, url=f"{change.url}rerank/",
                           key=f"catalog:{version}:{change.integration_id}"))  # fmt: skip
    return sent


def _answer_before(change: PickChange, previous: CatalogSnapshot) -> tuple[str, str] | None:
    pick = first_pick(change.requirements, previous)
    return (pick.pattern, pick.level) if pick else None


def on_catalog_published(sender: Any, version: str, **_: Any) -> None:
    """Queued in the publishing transaction (the task queue is in the database): committed with the version, or not at
    all. Nothing is queued while no integration is saved (a fresh install's first load)."""
    if Integration.objects.exists():
        notify_catalog_changes.enqueue(version)


def connect() -> None:
    catalog_published.connect(on_catalog_published, dispatch_uid="portal.catalog_changes")
