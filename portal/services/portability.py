"""A project restored from its JSON export (schema ``d365-integration-portal/project/v1``) into a team: the other
half of the export, for moving a project to another installation or bringing one back from an archive.

Everything the export says is restored as it was (integrations with their saved rankings, decisions with their
versions, approvals, comments, the tracked checklist, milestones and the history, attributed to the same
usernames), so exporting the restored project gives the same document apart from ids and times. Nothing new is
added to the history: it is the project's own, carried over.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify

from patterns.ranking.records import RankingRecord
from portal.models import (
    Approval,
    Comment,
    Decision,
    Environment,
    EnvironmentKind,
    HistoryEntry,
    Integration,
    Milestone,
    Project,
    ProjectChecklistEntry,
    Team,
)
from portal.records import SCHEMA
from portal.services.integrations import ranking_columns
from portal.storable import json_problem


class ProjectImportError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _usernames(data: dict[str, Any]) -> set[str]:
    names = {data["owner"]}
    for item in data["integrations"]:
        decision = item.get("decision") or {}
        names |= {decision.get(k) for k in ("proposed_by", "decided_by", "status_changed_by")}
        names |= {a["reviewer"] for a in item.get("approvals", [])} | {c["author"] for c in item["comments"]}
    names |= {entry["assignee"] for entry in data["checklist"]}
    names |= {m["created_by"] for m in data["milestones"]} | {h["actor"] for h in data.get("history", [])}
    return {name for name in names if name}


def _when(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def _day(value: str | None) -> date | None:
    return parse_date(value) if value else None


def _check(data: Any) -> None:
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ProjectImportError([f"Not a project export: expected schema {SCHEMA!r}."])
    problem = json_problem(data)
    if problem:
        raise ProjectImportError([problem])
    missing = [key for key in ("name", "owner", "integrations", "checklist", "milestones") if key not in data]
    if missing:
        raise ProjectImportError([f"Missing {', '.join(missing)}: export the project again with this version."])


def _damage(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"the field {error.args[0]!r} is missing"
    return f"a value can't be read ({error})"


def project_import(*, data: Any, team: Team) -> Project:
    """Create the exported project in ``team``, all or nothing. Every account it names must exist here (matched by
    username); a file that isn't a whole export (a field missing, a value of the wrong kind or too long) is refused
    with what is wrong, and nothing of it is kept."""
    _check(data)
    try:
        with transaction.atomic():
            return _restore(data, team)
    except (KeyError, TypeError, AttributeError, ValueError, DataError, IntegrityError) as error:
        raise ProjectImportError([f"Not a whole export: {_damage(error)}. Export the project again."]) from error


def _restore(data: dict[str, Any], team: Team) -> Project:
    found = {u.get_username(): u for u in get_user_model().objects.filter(username__in=_usernames(data))}
    unknown = sorted(_usernames(data) - set(found))
    if unknown:
        raise ProjectImportError([f"No account here for: {', '.join(unknown)}. Create them first, so the project's "
                                  "decisions and history stay attributed to them."])  # fmt: skip

    def user(name: str | None) -> Any:
        return found[name] if name else None

    owner = found[data["owner"]]
    project = Project.objects.create(team=team, name=data["name"], description=data.get("description", ""),
                                     owner=owner, required_approvals=data.get("required_approvals", 1))  # fmt: skip
    named = [entry["name"][:100] for entry in data.get("environments") or []
             if isinstance(entry, dict) and entry.get("name")]  # fmt: skip
    folded = Counter(name.casefold() for name in named)
    if clashes := sorted({name for name in named if folded[name.casefold()] > 1}):
        raise ProjectImportError([f"Environments may not share a name, whatever its case: {', '.join(clashes)}."])
    environments = {
        entry["name"]: Environment.objects.create(project=project, name=entry["name"][:100], kind=entry["kind"],
                                                  production=bool(entry.get("production")))
        for entry in data.get("environments") or []
        if isinstance(entry, dict) and entry.get("name") and entry.get("kind") in EnvironmentKind.values
    }  # fmt: skip
    by_name: dict[str, Integration] = {}
    superseded: list[tuple[Decision, str]] = []
    for item in data["integrations"]:
        integration = Integration.objects.create(
            project=project,
            name=item["name"],
            source_system=item.get("source_system") or "",
            target_system=item.get("target_system") or "",
            environment=environments.get(item.get("environment") or ""),
            identity=(item.get("identity") or "")[:100],
            requirements=item["requirements"],
            catalog_version=item["catalog_version"],
            ranked_at=_when(item["ranked_at"]) or timezone.now(),
            **ranking_columns(RankingRecord.from_json(item["ranking"])),
            ranking=item["ranking"],
            created_by=owner,
        )
        by_name.setdefault(integration.name, integration)
        if record := item.get("decision"):
            decision = Decision.objects.create(
                integration=integration,
                status=record["status"],
                chosen_pattern_slug=record["chosen_pattern"],
                chosen_pattern_name=record["chosen_pattern_name"],
                rationale=record["rationale"],
                consequences=record.get("consequences", ""),
                justification=record.get("justification", ""),
                proposed_by=user(record["proposed_by"]),
                decided_by=user(record.get("decided_by")),
                decided_at=_when(record.get("decided_at")),
                status_changed_by=user(record.get("status_changed_by")),
                status_reason=record.get("status_reason", ""),
                version=record["version"],
            )
            if record.get("superseded_by"):
                superseded.append((decision, record["superseded_by"]))
            for approval in item.get("approvals", []):
                Approval.objects.create(decision=decision, reviewer=user(approval["reviewer"]),
                                        decision_version=approval["decision_version"])  # fmt: skip
        for comment in item["comments"]:
            Comment.objects.create(integration=integration, author=user(comment["author"]), body=comment["body"])
    for decision, replacement in superseded:
        if replacement in by_name:
            decision.superseded_by = Decision.objects.filter(integration=by_name[replacement]).first()
            decision.save(update_fields=["superseded_by"])
    sections: dict[str, int] = {}
    for position, entry in enumerate(data["checklist"]):
        section_position = sections.setdefault(entry["section"], len(sections))
        ProjectChecklistEntry.objects.create(
            project=project,
            section_slug=slugify(entry["section"])[:50],
            section_title=entry["section"],
            section_position=section_position,
            slug=entry["task"],
            title=entry["title"],
            guidance=entry["guidance"],
            position=position,
            condition=entry.get("condition") or {},
            status=entry["status"],
            not_applicable_reason=entry.get("not_applicable_reason", ""),
            assignee=user(entry.get("assignee")),
            due_date=_day(entry.get("due_date")),
            notes=entry.get("notes", ""),
            evidence_url=entry.get("evidence_url", ""),
            version=entry.get("version", 1),
        )
    for milestone in reversed(data["milestones"]):  # exported newest first; created oldest first keeps that order
        Milestone.objects.create(project=project, name=milestone["name"], snapshot=milestone.get("state") or {},
                                 created_by=user(milestone["created_by"]))  # fmt: skip
    for change in data.get("history", []):  # exported oldest first
        HistoryEntry.objects.create(project=project, actor=user(change["actor"]), action=change["action"],
                                    subject=change["subject"], integration=by_name.get(change["integration"] or ""),
                                    before=change["before"], after=change["after"])  # fmt: skip
    return project
